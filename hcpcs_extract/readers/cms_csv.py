"""CMS's ANWEB release as comma-separated text (`HCPC2023_JAN_ANWEB_v3.csv`).

The same 48 columns and one row per code as the workbook; values are already
text (`0010`, `0088`). Places are line numbers: the line a row starts on, which
differs from the row count when a quoted description spans lines.
"""

from __future__ import annotations

import csv
import io
from typing import Iterator

from ..cms_rows import records_from_rows
from ..document import Document, Report
from ..errors import InputError, NoSheetFound
from ..record import HcpcsRecord
from ..text import decode, looks_binary
from .cms_files import named_as_release
from .cms_table import is_anweb_header, table_rows

FORMAT = "cms-csv"


class CmsCsvReader:
    format = FORMAT

    def sniff(self, doc: Document) -> int:
        """2 when a line near the top is the ANWEB header in commas; 1 for a
        `.csv` named like a release; 0 otherwise."""
        if looks_binary(doc.head):
            return 0
        head = doc.head.decode("utf-8", errors="replace").lstrip("\ufeff")
        # Every ANWEB header names SEQNUM: a cheap test before parsing any line.
        if "SEQNUM" not in head.upper():
            return _by_name(doc.name)
        for line in head.splitlines()[:-1] or head.splitlines():
            if is_anweb_header(next(csv.reader([line]), [])):
                return 2
        return _by_name(doc.name)

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        text = decode(doc.data, report)
        rows = list(table_rows(_lines(text), report, "line"))
        if not rows:
            raise NoSheetFound(f"no ANWEB header (HCPC, SEQNUM, RECID, ..."
                               f" ACTION CD) in {doc.name}")
        yield from records_from_rows(rows, report, FORMAT, unit="line")


def _by_name(name: str) -> int:
    lowered = name.lower()
    return 1 if lowered.endswith(".csv") and named_as_release(lowered) else 0


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"broken csv: {exc}", line=start) from exc
