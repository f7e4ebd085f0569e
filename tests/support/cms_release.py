"""Small CMS ANWEB releases made in tests: fixed-width lines, workbooks, csv.

Positions are typed here from the record layout (HCPCS2019_recordlayout.txt),
apart from the reader's own table, so a test can catch a wrong position.
"""

from __future__ import annotations

import csv
import io
from typing import Mapping, Sequence

from hcpcs_extract.columns import CMS_COLUMNS

# CMS column -> (first position, width), 1-based, from the record layout.
LAYOUT: dict[str, tuple[int, int]] = {
    "HCPC": (1, 5), "SEQNUM": (6, 5), "RECID": (11, 1),
    "LONG DESCRIPTION": (12, 80), "SHORT DESCRIPTION": (92, 28),
    "PRICE1": (120, 2), "PRICE2": (122, 2), "PRICE3": (124, 2), "PRICE4": (126, 2),
    "MULT_PI": (128, 1),
    "CIM1": (129, 6), "CIM2": (135, 6), "CIM3": (141, 6),
    "MCM1": (147, 8), "MCM2": (155, 8), "MCM3": (163, 8),
    "STATUTE": (171, 10),
    "LABCERT1": (181, 3), "LABCERT2": (184, 3), "LABCERT3": (187, 3),
    "LABCERT4": (190, 3), "LABCERT5": (193, 3), "LABCERT6": (196, 3),
    "LABCERT7": (199, 3), "LABCERT8": (202, 3),
    "XREF1": (205, 5), "XREF2": (210, 5), "XREF3": (215, 5), "XREF4": (220, 5),
    "XREF5": (225, 5),
    "COV": (230, 1), "ASC_GRP": (231, 2), "ASC_DT": (233, 8), "OPPS": (241, 3),
    "OPPS_PI": (244, 1), "OPPS_DT": (245, 8), "PROCNOTE": (253, 4),
    "BETOS": (257, 3),
    "TOS1": (261, 1), "TOS2": (262, 1), "TOS3": (263, 1), "TOS4": (264, 1),
    "TOS5": (265, 1),
    "ANEST_BU": (266, 3), "ADD DT": (269, 8), "ACT EFF DT": (277, 8),
    "TERM DT": (285, 8), "ACTION CD": (293, 1),
}

# A procedure with text-looking codes that must stay text, and a modifier.
G0001 = {
    "HCPC": "G0001", "SEQNUM": "00100", "RECID": "3",
    "LONG DESCRIPTION": "Routine venipuncture for collection of specimen(s),"
                        " first part of a long",
    "SHORT DESCRIPTION": "Drawing blood for specimen",
    "PRICE1": "00", "MULT_PI": "9", "LABCERT1": "010", "LABCERT2": "110",
    "XREF1": "36415", "COV": "I", "PROCNOTE": "0088", "BETOS": "T1H",
    "TOS1": "5", "ANEST_BU": "000", "ADD DT": "19860101",
    "ACT EFF DT": "20050101", "TERM DT": "20050101", "ACTION CD": "D",
}
G0001_MORE = "description that goes on over a continuation line"
MODIFIER_A1 = {
    "HCPC": "   A1", "SEQNUM": "00100", "RECID": "7",
    "LONG DESCRIPTION": "Dressing for one wound",
    "SHORT DESCRIPTION": "Dressing for one wound", "COV": "C",
    "ADD DT": "20020701", "ACT EFF DT": "20020701", "ACTION CD": "N",
}


def anweb_line(values: Mapping[str, str], width: int = 320) -> str:
    """One fixed-width line holding `values` at their layout positions."""
    line = [" "] * 320
    for name, value in values.items():
        first, size = LAYOUT[name]
        assert len(value) <= size, (name, value)
        line[first - 1:first - 1 + len(value)] = list(value)
    return "".join(line)[:width]


def continuation_line(code: str, seq: str, text: str, recid: str = "4",
                      width: int = 320) -> str:
    """More long description; CMS cut such lines at 91 (2016-17) or 320."""
    return anweb_line({"HCPC": code, "SEQNUM": seq, "RECID": recid,
                       "LONG DESCRIPTION": text}, width)


def table_row(values: Mapping[str, object]) -> list[object]:
    """A row in the 48 columns, None where `values` has nothing."""
    return [values.get(name) for name in CMS_COLUMNS]


def workbook_bytes(rows: Sequence[Sequence[object]], title: str = "Sheet") -> bytes:
    """An xlsx holding `rows` from row 1 of its only sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
