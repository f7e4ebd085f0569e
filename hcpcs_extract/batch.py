"""A batch: every input read, records merged by key, outputs written.

Errors are data here. Each document ends `converted`, `skipped` or `failed` with a
reason in the manifest; one bad document never stops the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .columns import FLAT_COLUMNS, record_to_flat
from .datapackage import data_package
from .dictionary import FieldDictionary
from .document import Definition, Document, Report
from .errors import HcpcsExtractError, InputError, Problem, UnsupportedFormat
from .excel_csv import EXCEL_NAME, write_excel_csv
from .inputs import Limits, Skipped, expand
from .readers import find_reader
from .record import HcpcsRecord
from .text import looks_binary
from .validate import review
from .writers import write_json, write_jsonl, write_records

log = logging.getLogger(__name__)

CONFLICT_POLICIES = ("first", "last", "fail")


@dataclass
class DocumentResult:
    """What reading one document gave: its records, problems and definitions."""

    path: str
    member: str | None
    sha256: str | None
    format: str | None
    status: str
    reason: str | None = None
    records: list[HcpcsRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "member": self.member,
            "sha256": self.sha256,
            "format": self.format,
            "status": self.status,
            "reason": self.reason,
            "records": len(self.records),
            "warnings": sum(p.severity == "warning" for p in self.problems),
            "errors": sum(p.severity == "error" for p in self.problems),
        }


@dataclass(frozen=True)
class Options:
    strict: bool = False
    on_conflict: str = "first"
    limits: Limits = Limits()
    debug: bool = False
    excel: bool = False
    fill_descriptions: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "strict": self.strict,
            "on_conflict": self.on_conflict,
            "fill_descriptions": self.fill_descriptions,
            "limits": vars(self.limits),
        }


@dataclass
class ConvertResult:
    """What a batch did, as the manifest says it."""

    records: list[HcpcsRecord]
    documents: list[DocumentResult]
    problems: list[Problem]
    dictionary: FieldDictionary

    @property
    def failed(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not any(
            p.severity == "error" for p in self.problems
        )

    def summary(self) -> str:
        counts = {s: 0 for s in ("converted", "skipped", "failed")}
        for doc in self.documents:
            counts[doc.status] += 1
        warnings = sum(p.severity == "warning" for p in self.problems)
        errors = sum(p.severity == "error" for p in self.problems)
        return (
            f"{len(self.records)} records from {counts['converted']} documents;"
            f" {counts['skipped']} skipped, {counts['failed']} failed;"
            f" {warnings} warnings, {errors} errors"
        )


def read_document(doc: Document, options: Options = Options()) -> DocumentResult:
    """Reads one document with the reader surest of it; never raises for bad
    input, which comes back as a `failed` result naming the place and reason."""
    reader = find_reader(doc)
    result = DocumentResult(doc.path, doc.member, doc.sha256, None, "converted")
    if reader is None:
        # A skipped file is listed in the manifest only; a failed one is an error.
        result.status, result.reason = _unread(doc)
        if result.status == "failed":
            result.problems.append(
                Problem("error", doc.path, result.reason, member=doc.member)
            )
        return result

    result.format = reader.format
    report = Report(doc)
    try:
        result.records = list(reader.read(doc, report))
    except UnsupportedFormat as exc:
        return _passed_over(result, doc, str(exc))
    except InputError as exc:
        report.error(exc.reason, **_place_of(exc))
    except HcpcsExtractError as exc:
        report.error(str(exc))
    except Exception as exc:  # a reader bug must not stop the batch
        if options.debug:
            raise
        log.exception("reader %s failed on %s", reader.format, doc.name)
        report.error(f"internal error in the {reader.format} reader:"
                     f" {type(exc).__name__}: {exc}")

    result.records = [review(r, report, options.fill_descriptions)
                      for r in result.records]
    result.problems = report.problems
    result.definitions = report.definitions
    _settle(result, options)
    return result


def _passed_over(result: DocumentResult, doc: Document,
                 reason: str) -> DocumentResult:
    """A document its reader turned down on reading: like one no reader claims."""
    status = "failed" if doc.named else "skipped"
    severity = "error" if status == "failed" else "warning"
    result.status, result.reason, result.records = status, reason, []
    result.problems = [Problem(severity, doc.path, reason, member=doc.member)]
    return result


def _unread(doc: Document) -> tuple[str, str]:
    # A file the user named is expected to be read; files met inside folders and
    # bundles (READMEs, images) are passed over with a reason.
    reason = f"not a format hcpcs-extract reads: {doc.name}"
    if looks_binary(doc.head):
        reason = f"binary data that no reader knows: {doc.name}"
    return ("failed" if doc.named else "skipped"), reason


def _settle(result: DocumentResult, options: Options) -> None:
    if options.strict:
        result.problems = [replace(p, severity="error") for p in result.problems]
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        result.status = "failed"
        result.reason = errors[0].reason
        if options.strict:
            result.records = []


def _place_of(exc: InputError) -> dict[str, int]:
    place = {"line": exc.line, "page": exc.page, "row": exc.row}
    return {k: v for k, v in place.items() if v is not None}


def read_all(inputs: list[str], options: Options = Options(),
             skip_dir: str | None = None) -> Iterator[DocumentResult]:
    """Document results in input order."""
    for item in expand(inputs, options.limits, skip_dir=skip_dir):
        if isinstance(item, Skipped):
            yield DocumentResult(item.path, item.member, None, None, item.status,
                                 item.reason, problems=item.problems())
        else:
            yield read_document(item, options)


def merge(results: Iterable[DocumentResult], options: Options,
          on_result: Callable[[DocumentResult], None] | None = None) -> ConvertResult:
    """One record per key, in (record_type, hcpcs_code) order; conflicts between
    inputs reported with both sources."""
    kept: dict[tuple[str, str], HcpcsRecord] = {}
    documents: list[DocumentResult] = []
    problems: list[Problem] = []
    dictionary = FieldDictionary()
    for result in results:
        documents.append(result)
        problems.extend(result.problems)
        problems.extend(dictionary.add(result.definitions))
        for record in result.records:
            problems.extend(_keep(kept, record, options.on_conflict))
        if on_result is not None:
            on_result(result)

    records = [kept[key] for key in sorted(kept)]
    return ConvertResult(records, documents, problems, dictionary)


def _keep(kept: dict[tuple[str, str], HcpcsRecord], record: HcpcsRecord,
          policy: str) -> list[Problem]:
    earlier = kept.get(record.key)
    if earlier is None:
        kept[record.key] = record
        return []
    if earlier.without_source() == record.without_source():
        return []

    assert record.source is not None and earlier.source is not None
    first = _where(earlier)
    fields = ", ".join(_differing_fields(earlier, record))
    severity = "error" if policy == "fail" else "warning"
    choice = {"first": "the first is kept", "last": "the last is kept",
              "fail": "neither is kept"}[policy]
    if policy == "last":
        kept[record.key] = record
    elif policy == "fail":
        kept.pop(record.key)
    return [Problem(
        severity, record.source.path,
        f"conflict: {record.hcpcs_code} differs in {fields} from the record in"
        f" {first}; {choice}",
        member=record.source.member, line=record.source.line,
        page=record.source.page, row=record.source.row, code=record.hcpcs_code,
    )]


def _differing_fields(a: HcpcsRecord, b: HcpcsRecord) -> list[str]:
    left, right = a.to_dict(), b.to_dict()
    return [k for k in left if k != "source" and left[k] != right[k]]


def _where(record: HcpcsRecord) -> str:
    source = record.source
    assert source is not None
    where = source.path if source.member is None else f"{source.path} :: {source.member}"
    for unit in ("line", "page", "row"):
        number = getattr(source, unit)
        if number is not None:
            return f"{where}, {unit} {number}"
    return where


def write_outputs(out_dir: Path, result: ConvertResult, options: Options) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_records(out_dir, result.records, __version__)
    write_json(out_dir / "fields.json", result.dictionary.to_dict())
    write_json(out_dir / "datapackage.json", data_package())
    if options.excel:
        write_excel_csv(out_dir / EXCEL_NAME, FLAT_COLUMNS,
                        (record_to_flat(r) for r in result.records))
    write_jsonl(out_dir / "errors.jsonl", (p.to_dict() for p in result.problems))
    write_json(out_dir / "manifest.json", {
        "tool": "hcpcs-extract",
        "version": __version__,
        "options": options.to_dict(),
        "records": len(result.records),
        "inputs": [d.manifest_entry() for d in result.documents],
    })
