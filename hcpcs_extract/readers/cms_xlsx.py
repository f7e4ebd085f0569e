"""CMS's ANWEB release as a workbook (`HCPC2019_CONTR_ANWEB.xlsx`, `anweb.xlsx`).

One row per code under the 48 ANWEB columns, the header on row 1 or below CMS's
notes. Cells are mostly text, but some hold numbers (`20080101`, `51`, `7`):
those become the text CMS means, zero-padded to the field's width where the
field is a fixed-width code (`0` in a processing note column is `0000`).
Workbooks without the ANWEB header (transaction reports, NOC lists, corrections)
are passed over with the reason.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from io import BytesIO
from typing import Any, Iterator, Sequence

from ..cms_rows import normalise_header, records_from_rows
from ..document import Document, Report
from ..errors import InputError, MissingDependency, NoSheetFound
from ..record import HcpcsRecord
from .cms_files import companion_kind, named_as_release, pass_over
from .cms_table import is_anweb_header, table_rows

FORMAT = "cms-xlsx"
EXTENSIONS = (".xlsx", ".xlsm")

# Columns holding fixed-width codes in the record layout, with the width a
# number lost its leading zeros from. SEQNUM has four digits in the workbooks.
_WIDTHS: dict[str, int] = {
    "HCPC": 5, "SEQNUM": 4, "PROCNOTE": 4, "ASC_GRP": 2, "OPPS": 3,
    **{f"PRICE{n}": 2 for n in range(1, 5)},
    **{f"LABCERT{n}": 3 for n in range(1, 9)},
    **{f"XREF{n}": 5 for n in range(1, 6)},
}
_DATES = frozenset({"ASC_DT", "OPPS_DT", "ADD DT", "ACT EFF DT", "TERM DT"})
_ANWEB_STRINGS = (b">SEQNUM<", b">RECID<", b">HCPC<")
# CMS's page headers for printing are not ours to read; openpyxl warns on them.
_PRINT_HEADER_WARNING = "Cannot parse header or footer"


class CmsXlsxReader:
    format = FORMAT

    def sniff(self, doc: Document) -> int:
        """2 when the workbook's strings hold the ANWEB header names; 1 for a
        workbook named like a CMS release or bundle file, which `read` then
        reads or passes over; 0 otherwise."""
        if not doc.data.startswith(b"PK\x03\x04"):
            return 0
        if not doc.name.lower().endswith(EXTENSIONS):
            return 0
        if _strings_show_anweb(doc.data):
            return 2
        return 1 if named_as_release(doc.name) or companion_kind(doc.name) else 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        workbook = _open(doc)
        found = False
        try:
            for sheet in workbook.worksheets:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", _PRINT_HEADER_WARNING)
                    rows = list(table_rows(_sheet_rows(sheet), report, "row"))
                if rows:
                    found = True
                    yield from records_from_rows(rows, report, FORMAT, unit="row")
        finally:
            workbook.close()
        if not found:
            if named_as_release(doc.name):
                raise NoSheetFound(f"no sheet with the ANWEB header (HCPC, SEQNUM,"
                                   f" RECID, ... ACTION CD) in {doc.name}")
            raise pass_over(doc.name, "the ANWEB header HCPC, SEQNUM, RECID")


def _strings_show_anweb(data: bytes) -> bool:
    # Header names sit in the shared strings, or inline in the sheets of
    # workbooks written by other tools.
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = [n for n in archive.namelist()
                     if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")]
            for name in names:
                with archive.open(name) as member:
                    head = member.read(4 * 1024 * 1024)
                if all(marker in head for marker in _ANWEB_STRINGS):
                    return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def _open(doc: Document) -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MissingDependency("reading xlsx needs openpyxl:"
                                " pip install openpyxl") from exc
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _PRINT_HEADER_WARNING)
            return openpyxl.load_workbook(BytesIO(doc.data), read_only=True,
                                          data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"cannot open the workbook: {type(exc).__name__}:"
                         f" {exc}") from exc


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    # A workbook's stored size can be wrong; reading without it sees every row.
    sheet.reset_dimensions()
    header: Sequence[str] = ()
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        names = header or [normalise_header(v) for v in values]
        cells = [cell_text(v, names[i] if i < len(names) else "")
                 for i, v in enumerate(values)]
        if not header and is_anweb_header(names):
            header = names
        yield number, cells


def cell_text(value: object, column: str = "") -> str:
    """A cell as the text CMS means: numbers without `.0`, zero-padded to the
    width of a fixed-width code column; dates as YYYYMMDD."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        width = _WIDTHS.get(column, 8 if column in _DATES else 0)
        return text.zfill(width) if value >= 0 else text
    return str(value)
