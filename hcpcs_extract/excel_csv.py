"""A CSV for opening in Excel: codes stay text and no cell runs as a formula.

Excel guesses a type for every cell of a CSV it opens: `0088` becomes the number
88, `2002-01-01` a date, and a cell that starts with `=`, `+`, `-` or `@` a
formula. Each short cell is therefore written as a formula that is only a string
constant, `="0088"`: Excel shows the text exactly, in any locale, and whatever
the text starts with stays inside the string. Excel refuses string constants over
255 characters in a formula, so longer cells (long descriptions, which no guess
turns into a number or date) are written as they are, with an apostrophe before
one that starts like a formula.

The file is UTF-8 with a byte order mark, which Excel needs to read it as UTF-8,
and CRLF line ends. The exact-text CSV stays records.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from .writers import atomic_text

EXCEL_NAME = "records.excel.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FORMULA_TEXT = 255
_BOM = "\ufeff"


def excel_cell(text: str) -> str:
    """The cell as written for Excel; empty stays empty."""
    if not text:
        return text
    if len(text) <= MAX_FORMULA_TEXT and "\n" not in text and "\r" not in text:
        return '="' + text.replace('"', '""') + '"'
    if text.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell_text(cell: str) -> str:
    """The text `excel_cell` was given: its inverse."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        return cell[2:-1].replace('""', '"')
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def write_excel_csv(path: Path, columns: Iterable[str],
                    rows: Iterable[dict[str, str]]) -> None:
    names = list(columns)
    with atomic_text(path) as out:
        out.write(_BOM)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([excel_cell(row.get(name, "")) for name in names])
