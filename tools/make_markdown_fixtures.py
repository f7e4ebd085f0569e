"""Writes the markdown fixture sheets and their golden records.

Each golden record comes from CMS's own release file, not from reading the sheet
back: the tests then hold the markdown reader against CMS's data. Run from the repo
root with the real data beside it:

    python tools/make_markdown_fixtures.py [../shared/realdata]
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hcpcs_extract.cms_rows import normalise_header, records_from_rows  # noqa: E402
from hcpcs_extract.codetables import settle_descriptions  # noqa: E402
from hcpcs_extract.document import Document, Report  # noqa: E402
from hcpcs_extract.record import HcpcsRecord, Source  # noqa: E402
from tests.support.render_markdown import render, render_many  # noqa: E402

RELEASE = "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv"

# Real codes chosen so that together they use every field CMS fills: modifiers,
# two pricing indicators, CIM and MCM references, statutes, lab certifications,
# cross references, ASC groups, several types of service, termination dates and
# long descriptions that run over several lines in CMS's text file.
CODES = (
    "S9357", "A4206", "G0124", "G0431", "P9612", "G0328", "E0970", "A4216",
    "A9527", "A4252", "A4210", "AA", "CP", "JF", "QE", "G0503", "G9874",
    "E0100", "E0210", "L1", "A0021", "J7518", "G0464", "Q0111", "A4611",
)
MULTI_SHEET = ("A4206", "QE", "G0464", "E0210", "L1")
LISTING = ("A0021", "AA", "G0503", "G9874", "QE", "S9357")
VENDOR_FIELDS = {"status": "Actual", "last_update": "2026"}


def main(realdata: Path) -> None:
    release = {r.hcpcs_code: r for r in _read_release(realdata / RELEASE)}
    records = [_vendor_view(release[code]) for code in CODES]
    by_code = {r.hcpcs_code: r for r in records}

    for record in records:
        _write("vendor", record.hcpcs_code, [record], render(record, "vendor"))
        _write("pipe", record.hcpcs_code, [_portal_view(record)],
               render(_portal_view(record), "pipe"))

    multi = [by_code[code] for code in MULTI_SHEET]
    _write("vendor", "multi-sheet", multi, render_many(multi, "vendor"))
    portal = [_portal_view(r) for r in multi]
    _write("pipe", "multi-sheet", portal, render_many(portal, "pipe"))

    listing = [_listing_view(release[code]) for code in LISTING]
    _write("listing", "listing", listing, _listing_table(listing))


def _read_release(path: Path) -> list[HcpcsRecord]:
    """The release's records, through the same row builder its readers use."""
    data = path.read_bytes()
    rows = csv.reader(data.decode("latin-1").splitlines())
    header = [normalise_header(name) for name in next(rows)]
    numbered = ((n, dict(zip(header, cells))) for n, cells in enumerate(rows, 2))
    report = Report(Document(str(path), data))
    records = list(records_from_rows(numbered, report, "csv", unit="line"))
    if report.problems:
        raise SystemExit("\n".join(map(str, report.problems)))
    return records


def _vendor_view(record: HcpcsRecord) -> HcpcsRecord:
    """What a vendor sheet of the record holds: CMS's fields and the vendor's own."""
    return dataclasses.replace(record, source=None, **VENDOR_FIELDS)


def _portal_view(record: HcpcsRecord) -> HcpcsRecord:
    # The portal layout prints no vendor fields.
    return dataclasses.replace(record, status=None, last_update=None)


def _listing_view(record: HcpcsRecord) -> HcpcsRecord:
    """A listing table holds only code, descriptions and nothing coded."""
    return HcpcsRecord(
        hcpcs_code=record.hcpcs_code,
        record_type=record.record_type,
        long_description=record.long_description,
        short_description=record.short_description,
    )


def _listing_table(records: list[HcpcsRecord]) -> str:
    lines = [
        "| HCPC | SEQNUM | RECID | LONG DESCRIPTION | SHORT DESCRIPTION |",
        "|------|--------|-------|------------------|-------------------|",
    ]
    for record in records:
        first = "7" if record.record_type == "modifier" else "3"
        parts = _wrap(record.long_description, 80)
        lines.append(f"| {record.hcpcs_code} | 0010 | {first} | {parts[0]} |"
                     f" {record.short_description or ''} |")
        for n, part in enumerate(parts[1:], start=2):
            more = "8" if first == "7" else "4"
            lines.append(f"| {record.hcpcs_code} | {n * 10:04d} | {more} | {part} |  |")
    return "# Listing\n\n" + "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """Long descriptions cut the way CMS's text file cuts them: at word ends."""
    parts, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            parts.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return parts + [line]


def _write(layout: str, name: str, records: list[HcpcsRecord], text: str) -> None:
    path = REPO / "fixtures" / "markdown" / layout / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

    relative = path.relative_to(REPO).as_posix()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = text.splitlines()
    golden = [_with_source(r, relative, digest, lines, layout) for r in records]

    target = REPO / "fixtures" / "golden" / "markdown" / layout / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    body = [r.to_dict() for r in golden]
    target.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n",
                      encoding="utf-8")


def _with_source(record: HcpcsRecord, path: str, digest: str, lines: list[str],
                 layout: str) -> HcpcsRecord:
    marker = {
        "vendor": f"**{record.hcpcs_code}**",
        "pipe": f"# {record.hcpcs_code}",
        "listing": f"| {record.hcpcs_code} |",
    }[layout]
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(marker))
    source = Source(path=path, format="markdown", sha256=digest, line=line)
    # Reading fills the meanings a sheet leaves out from CMS's code tables and
    # names them in source.filled; the sheets print codes only.
    report = Report(Document(path, b""))
    golden = settle_descriptions(dataclasses.replace(record, source=source), report)
    if report.problems:
        raise SystemExit("\n".join(map(str, report.problems)))
    return golden


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/realdata")
