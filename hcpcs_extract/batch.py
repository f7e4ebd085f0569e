"""A batch: every input read, records merged by key, outputs written.

Errors are data here. Each document ends `converted`, `skipped` or `failed` with a
reason in the manifest; one bad document never stops the rest.

Inputs are taken in sorted order of their names, and results are merged in that
order whatever the number of worker processes, so the output depends neither on the
order inputs are named in nor on `--jobs`. Each document is read under a time
limit: a reader that overruns it is interrupted, and one that will not stop (stuck
in C code, say) has its worker process killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .columns import FLAT_COLUMNS, record_to_flat
from .datapackage import data_package
from .dictionary import FieldDictionary
from .document import Definition, Document, Report
from .errors import HcpcsExtractError, InputError, Problem, UnsupportedFormat, where
from .excel_csv import EXCEL_NAME, write_excel_csv
from .inputs import Limits, Skipped, expand, reset_limits, set_limits
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
            f"{len(self.records)} records from {len(self.documents)} documents:"
            f" {counts['converted']} converted, {counts['skipped']} skipped,"
            f" {counts['failed']} failed; {warnings} warnings, {errors} errors"
        )


def read_document(doc: Document, options: Options = Options()) -> DocumentResult:
    """Reads one document with the reader surest of it; never raises for bad
    input, which comes back as a `failed` result naming the place and reason."""
    token = set_limits(options.limits)
    try:
        with _time_limit(options.limits.max_document_seconds):
            return _read(doc, options)
    except _OutOfTime:
        return out_of_time(doc.path, doc.member, doc.sha256, options.limits)
    finally:
        reset_limits(token)


def _read(doc: Document, options: Options) -> DocumentResult:
    result = DocumentResult(doc.path, doc.member, doc.sha256, None, "converted")
    try:
        reader = find_reader(doc)
    except Exception as exc:  # a bug in a reader's sniff must not stop the batch
        if options.debug:
            raise
        log.exception("recognising the format of %s failed", doc.name)
        result.status = "failed"
        result.reason = (f"internal error while recognising the format:"
                         f" {type(exc).__name__}: {exc}")
        result.problems = [Problem("error", doc.path, result.reason,
                                   member=doc.member)]
        return result

    if reader is None:
        status, reason = _unread(doc)
        return _passed_over(result, doc, reason, status)

    result.format = reader.format
    report = Report(doc)
    for note in doc.notes:
        report.warn(note)
    try:
        result.records = list(reader.read(doc, report))
    except UnsupportedFormat as exc:
        return _passed_over(result, doc, str(exc),
                            "failed" if doc.named else "skipped")
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


def _passed_over(result: DocumentResult, doc: Document, reason: str,
                 status: str) -> DocumentResult:
    """A document no reader claims, or that its reader turned down on reading. A
    skipped one is listed in the manifest only; a failed one is also an error."""
    result.status, result.reason, result.records = status, reason, []
    result.problems = _notes(doc)
    if status == "failed":
        result.problems.append(Problem("error", doc.path, reason, member=doc.member))
    return result


def _notes(doc: Document) -> list[Problem]:
    return [Problem("warning", doc.path, note, member=doc.member)
            for note in doc.notes]


def out_of_time(path: str, member: str | None, sha256: str | None,
                limits: Limits) -> DocumentResult:
    """The result of a document whose reading was stopped at the time limit."""
    reason = (f"stopped: reading took longer than {limits.max_document_seconds:g}"
              " seconds (--max-seconds)")
    return DocumentResult(path, member, sha256, None, "failed", reason,
                          problems=[Problem("error", path, reason, member=member)])


class _OutOfTime(BaseException):
    """Raised into a reader at the time limit. Not an Exception, so a reader's own
    broad `except Exception` cannot swallow it."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    # A signal timer can only be set from the main thread; elsewhere the limit is
    # left to the worker watchdog.
    usable = seconds > 0 and hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Names that claim a sheet: such a document that no reader recognises is broken,
# not merely some other kind of file.
SHEET_EXTENSIONS = (".md", ".markdown", ".mdown", ".html", ".htm", ".xhtml", ".pdf")


def _unread(doc: Document) -> tuple[str, str]:
    # A file the user named, or one named as a sheet, is expected to be read; other
    # files met inside folders and bundles (READMEs, images) are passed over with a
    # reason.
    claims_sheet = doc.name.lower().endswith(SHEET_EXTENSIONS)
    if looks_binary(doc.head):
        reason = f"binary data that no reader knows: {doc.name}"
    elif claims_sheet:
        suffix = doc.name.rsplit(".", 1)[-1]
        reason = (f"named as a .{suffix} sheet, but no reader recognises its"
                  " content")
    else:
        reason = f"not a format hcpcs-extract reads: {doc.name}"
    return ("failed" if doc.named or claims_sheet else "skipped"), reason


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
             skip_dir: str | None = None, jobs: int = 0) -> Iterator[DocumentResult]:
    """Document results in sorted order of the inputs' names (see the module
    docstring). `jobs` worker processes read the documents; 0 reads them in this
    process, where a reader stuck in C code cannot be stopped."""
    items = expand(sorted(inputs), options.limits, skip_dir=skip_dir)
    if jobs < 1 or options.debug:
        for item in items:
            if isinstance(item, Skipped):
                yield _skipped(item)
            else:
                yield read_document(item, options)
        return
    yield from _read_in_workers(items, options, jobs)


def _skipped(item: Skipped) -> DocumentResult:
    return DocumentResult(item.path, item.member, None, None, item.status,
                          item.reason, problems=item.problems())


@dataclass
class _Slot:
    """A document's place in the output order, filled when its result is in."""

    result: DocumentResult | None = None


class _Worker:
    """A process reading one document at a time, sent and returned over a pipe."""

    def __init__(self, context: Any, options: Options) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, options),
                                       daemon=True)
        self.process.start()
        child.close()
        self.slot: _Slot | None = None
        self.doc: Document | None = None
        self.started = 0.0

    def give(self, slot: _Slot, doc: Document) -> None:
        self.slot, self.doc, self.started = slot, doc, time.monotonic()
        self.conn.send(doc)

    def done(self, result: DocumentResult) -> None:
        assert self.slot is not None
        self.slot.result = result
        self.slot = self.doc = None

    def stop(self) -> None:
        if self.slot is None and self.process.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass  # already gone: the join below settles it
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _work(conn: Connection, options: Options) -> None:
    # Ctrl-C is the parent's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            doc = conn.recv()
        except EOFError:
            return
        if doc is None:
            return
        conn.send(read_document(doc, options))


def _read_in_workers(items: Iterator[Document | Skipped], options: Options,
                     jobs: int) -> Iterator[DocumentResult]:
    # At most `window` documents are in memory at once, however big the bundle;
    # results leave in input order, so the slowest document holds back the rest.
    context = _context()
    workers = [_Worker(context, options) for _ in range(jobs)]
    order: deque[_Slot] = deque()
    waiting: deque[tuple[_Slot, Document]] = deque()
    window = jobs * 4
    exhausted = False
    try:
        while True:
            while not exhausted and len(order) < window:
                item = next(items, None)
                if item is None:
                    exhausted = True
                    break
                slot = _Slot()
                order.append(slot)
                if isinstance(item, Skipped):
                    slot.result = _skipped(item)
                else:
                    waiting.append((slot, item))

            for worker in workers:
                if worker.slot is None and waiting:
                    worker.give(*waiting.popleft())

            while order and order[0].result is not None:
                yield order.popleft().result  # type: ignore[misc]
            if not order and exhausted:
                return
            if order and order[0].result is None:
                _collect(workers, context, options)
    finally:
        for worker in workers:
            worker.stop()


def _collect(workers: list[_Worker], context: Any, options: Options) -> None:
    """Waits for a result or for the time limit of the longest-running document;
    a worker past the limit is killed and replaced, as is one that died."""
    busy = [w for w in workers if w.slot is not None]
    hard = _hard_limit(options.limits.max_document_seconds)
    timeout = None
    if hard is not None:
        timeout = max(0.0, min(w.started for w in busy) + hard - time.monotonic())
    ready = wait([w.conn for w in busy], timeout)

    for worker in busy:
        if worker.conn in ready:
            try:
                worker.done(worker.conn.recv())
                continue
            except (EOFError, OSError):
                result = _died(worker)
        elif hard is not None and time.monotonic() - worker.started >= hard:
            worker.process.kill()
            assert worker.doc is not None
            result = out_of_time(worker.doc.path, worker.doc.member,
                                 worker.doc.sha256, options.limits)
        else:
            continue
        worker.done(result)
        worker.stop()
        workers[workers.index(worker)] = _Worker(context, options)


def _died(worker: _Worker) -> DocumentResult:
    worker.process.join(timeout=5)
    doc = worker.doc
    assert doc is not None
    reason = ("the process reading this document died"
              f" (exit status {worker.process.exitcode})")
    log.error("%s: %s", doc.name, reason)
    return DocumentResult(doc.path, doc.member, doc.sha256, None, "failed", reason,
                          problems=[Problem("error", doc.path, reason,
                                            member=doc.member)])


def _hard_limit(seconds: float) -> float | None:
    # The reader is interrupted at `seconds`; its process is killed only if it is
    # still busy well after that.
    return None if seconds <= 0 else seconds * 1.5 + 1.0


def _context() -> Any:
    # Forked workers start at once and inherit the registered readers.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def merge(results: Iterable[DocumentResult], options: Options,
          on_result: Callable[[DocumentResult], None] | None = None) -> ConvertResult:
    """One record per key, in (record_type, hcpcs_code) order; conflicts between
    inputs reported with both sources."""
    kept: dict[tuple[str, str], HcpcsRecord] = {}
    documents: list[DocumentResult] = []
    problems: list[Problem] = []
    dictionary = FieldDictionary()
    refused: dict[tuple[str, str], HcpcsRecord] = {}
    for result in results:
        documents.append(result)
        problems.extend(result.problems)
        problems.extend(dictionary.add(result.definitions))
        # The dictionary holds what matters of them now; a big bundle's worth of
        # definitions would otherwise stay in memory to the end.
        result.definitions = []
        for record in result.records:
            problems.extend(_keep(kept, refused, record, options.on_conflict))
        if on_result is not None:
            on_result(result)

    records = [kept[key] for key in sorted(kept)]
    return ConvertResult(records, documents, problems, dictionary)


def _keep(kept: dict[tuple[str, str], HcpcsRecord],
          refused: dict[tuple[str, str], HcpcsRecord], record: HcpcsRecord,
          policy: str) -> list[Problem]:
    if record.key in refused:
        return [_conflict(refused[record.key], record, "fail")]
    earlier = kept.get(record.key)
    if earlier is None:
        kept[record.key] = record
        return []
    if earlier.without_source() == record.without_source():
        return []

    if policy == "last":
        kept[record.key] = record
    elif policy == "fail":
        refused[record.key] = kept.pop(record.key)
    return [_conflict(earlier, record, policy)]


def _conflict(earlier: HcpcsRecord, record: HcpcsRecord, policy: str) -> Problem:
    assert record.source is not None
    severity = "error" if policy == "fail" else "warning"
    choice = {"first": "the first is kept", "last": "the last is kept",
              "fail": "neither is kept"}[policy]
    differing = ", ".join(_differing_fields(earlier, record))
    return Problem(
        severity, record.source.path,
        f"conflict: {record.hcpcs_code} differs in {differing} from the record in"
        f" {_where(earlier)}; {choice}",
        member=record.source.member, line=record.source.line,
        page=record.source.page, row=record.source.row, code=record.hcpcs_code,
    )


def _differing_fields(a: HcpcsRecord, b: HcpcsRecord) -> list[str]:
    left, right = a.to_dict(), b.to_dict()
    return [k for k in left if k != "source" and left[k] != right[k]]


def _where(record: HcpcsRecord) -> str:
    source = record.source
    assert source is not None
    place = where(source.path, source.member)
    for unit in ("line", "page", "row"):
        number = getattr(source, unit)
        if number is not None:
            return f"{place}, {unit} {number}"
    return place


OUTPUT_NAMES = ("records.jsonl", "records.json", "records.csv", "records.cms.csv",
                "record.schema.json", "fields.json", "datapackage.json", EXCEL_NAME,
                "errors.jsonl", "manifest.json")


def write_outputs(out_dir: Path, result: ConvertResult, options: Options) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out_dir)
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


def _remove_leftovers(out_dir: Path) -> None:
    # A run killed while writing leaves its temporary files behind; the next run
    # into the same folder removes them, so the folder ends as an unbroken run's.
    for name in OUTPUT_NAMES:
        for leftover in out_dir.glob(f".{name}.*.tmp"):
            log.info("removing %s, left by an interrupted run", leftover)
            leftover.unlink()
