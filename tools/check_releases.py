"""Runs the record checks over every real CMS release and counts the findings.

Reads each release's ANWEB xlsx (or the 2023 csv) through `cms_rows`, then
prints, per release, the records read, the findings per rule and field, the
coded values CMS's tables do not know, and a few examples of each rule.

This is a survey tool, not a reader: it finds the header row of a CMS sheet
in the simplest way and reads nothing else.

    python tools/check_releases.py [--realdata DIR] [--examples N]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator, Mapping

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hcpcs_extract.cms_rows import normalise_header, records_from_rows  # noqa: E402
from hcpcs_extract.document import Document, Report  # noqa: E402
from hcpcs_extract.record import HcpcsRecord  # noqa: E402
from hcpcs_extract.codetables import table  # noqa: E402
from hcpcs_extract.validate import findings  # noqa: E402

RELEASE_FILES = {
    "2016": "cms-2016/HCPC2016_CONTR_ANWEB.xlsx",
    "2017": "cms-2017/HCPC17_CONTR_ANWEB.xlsx",
    "2018": "cms-2018/HCPC2018_CONTR_ANWEB_disc.xlsx",
    "2019": "cms-2019/HCPC2019_CONTR_ANWEB.xlsx",
    "2020-apr": "cms-2020-apr/anweb.xlsx",
    "2020-jul": "cms-2020-jul/anweb.xlsx",
    "2020-oct": "cms-2020-oct/anweb.xlsx",
    "2023-jan": "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv",
}


def sheet_rows(path: Path) -> Iterator[tuple[int, Mapping[str, str]]]:
    """(row number, cells by CMS column) from the row headed HCPC on."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("latin-1")
        table = list(csv.reader(io.StringIO(text)))
    else:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        table = [["" if v is None else str(v) for v in row]
                 for row in book.worksheets[0].iter_rows(values_only=True)]

    header: list[str] | None = None
    for number, row in enumerate(table, start=1):
        if header is None:
            if row and normalise_header(row[0]) == "HCPC":
                header = [normalise_header(cell) for cell in row]
            continue
        if any(cell.strip() for cell in row):
            yield number, dict(zip(header, row))


def release_records(realdata: Path, name: str) -> tuple[list[HcpcsRecord], Report]:
    path = realdata / RELEASE_FILES[name]
    report = Report(Document(str(path), b""))
    records = list(records_from_rows(sheet_rows(path), report, "survey"))
    return records, report


def survey(realdata: Path, examples: int) -> None:
    for name in RELEASE_FILES:
        records, report = release_records(realdata, name)
        kinds = Counter(r.record_type for r in records)
        counts: Counter[tuple[str, str]] = Counter()
        unknown: Counter[tuple[str, str]] = Counter()
        shown: dict[str, list[str]] = {}
        notes = table("processing_note")
        for record in records:
            note = record.processing_note_number
            if note is not None and note not in notes:
                unknown[("processing_note_number", note)] += 1
            for found in findings(record):
                field = found.field.split("[")[0]
                counts[(found.rule, field)] += 1
                if found.rule == "unknown_value":
                    unknown[(field, found.reason.split("'")[1])] += 1
                shown.setdefault(found.rule, [])
                if len(shown[found.rule]) < examples:
                    shown[found.rule].append(found.reason)

        print(f"== {name}: {kinds['procedure']} procedures, {kinds['modifier']}"
              f" modifiers; {len(report.problems)} reading problems")
        for (rule, field), n in sorted(counts.items()):
            print(f"   {rule:18} {field:28} {n}")
        for (field, code), n in sorted(unknown.items()):
            print(f"   unknown {field} {code!r}: {n} records")
        for rule, reasons in sorted(shown.items()):
            for reason in reasons:
                print(f"   e.g. {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path,
                        default=REPO.parent / "shared" / "realdata")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    survey(args.realdata, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
