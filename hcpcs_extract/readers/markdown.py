"""Markdown sheets: the vendor layout, pipe tables and listing tables.

Layouts read:
- the vendor layout: a bold code heading, then a row a line, the label in
  `<i>...</i>`, a TAB, the value, a TAB and the meaning;
- pipe tables as markdownify writes them from an HTML sheet (`| *label* | value |
  meaning |`), escaped pipes included;
- listing tables, a row per code under CMS's column names (HCPC, SEQNUM, RECID,
  LONG DESCRIPTION, ...).
A file may hold several sheets, each opening at its code heading.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..cms_rows import normalise_header, records_from_rows
from ..document import Document, Report
from ..errors import NoSheetFound
from ..labels import is_header_row
from ..record import HcpcsRecord
from ..sheet import Broken, Heading, Item, Row, assemble
from ..text import decode, looks_binary

FORMAT = "markdown"
EXTENSIONS = (".md", ".markdown", ".mdown")

_CODE = r"(?:[A-Z]\d{4}|\d{4}[0-9FTUM]|[A-Z0-9]{2})"
_HEADING = re.compile(
    rf"^\s*(?:#{{1,6}}\s+|\*\*|__)\s*(?:HCPCS(?:\s+code)?\s*:?\s*)?"
    rf"(?P<code>{_CODE})\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)
_VENDOR_ROW = re.compile(r"^\s*<i>(?P<label>.*?)</i>(?P<rest>.*)$")
_VENDOR_START = re.compile(r"^\s*<i>")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_LISTING_MARKERS = frozenset({"LONG DESCRIPTION", "RECID", "SHORT DESCRIPTION"})


class MarkdownReader:
    format = FORMAT

    def sniff(self, doc: Document) -> int:
        """2 when the content shows sheet rows, 1 when only the name says so."""
        if looks_binary(doc.head):
            return 0
        head = doc.head.decode("utf-8", errors="replace")
        if re.search(r"^\s*<i>[^<\n]+</i>\t", head, re.MULTILINE):
            return 2
        if re.search(r"^\s*\|.*\|\s*$", head, re.MULTILINE) and _SEPARATOR.search(
            head.replace("\r", "")
        ):
            return 2 if not re.search(r"<html|<table", head, re.IGNORECASE) else 0
        return 1 if doc.name.lower().endswith(EXTENSIONS) else 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        text = decode(doc.data, report)
        if not text.strip():
            raise NoSheetFound(f"empty file: no HCPCS sheet found in {doc.name}")

        lines = text.splitlines()
        if lines and not text.endswith(("\n", "\r")):
            lines[-1] = _mark_if_cut(lines[-1])
        listings: list[int] = []
        found = False
        for record in _read_lines(lines, report, listings):
            found = True
            yield record
        if not found and not listings and not report.errors:
            raise NoSheetFound(f"no HCPCS sheet found in {doc.name}")


def _read_lines(lines: list[str], report: Report,
                listings: list[int]) -> Iterator[HcpcsRecord]:
    """Records in file order; the line of each listing table goes to `listings`."""
    items: list[Item] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        if _is_table_start(lines, number):
            end = _table_end(lines, number)
            table = [(n + 1, lines[n]) for n in range(number, end)]
            if _is_listing(table[0][1]):
                yield from assemble(items, report, FORMAT)
                items = []
                listings.append(number + 1)
                yield from _listing(table, report)
            else:
                items.extend(_sheet_table(table))
            number = end
            continue
        items.extend(_line_items(line, number + 1))
        number += 1
    yield from assemble(items, report, FORMAT)


_CUT = "\x00cut"


def _mark_if_cut(line: str) -> str:
    """The last line of a file that does not end with a line break. A vendor row
    has no end mark of its own, so one there may have lost the rest of its value
    or meaning: sheets end with a line break or a block after their last row. A
    pipe row there is cut when it lacks its closing bar."""
    if _VENDOR_ROW.match(line):
        return _CUT + line
    stripped = line.strip()
    if stripped.startswith("|") and not stripped.endswith("|"):
        return _CUT + line
    return line


def _line_items(line: str, number: int) -> Iterator[Item]:
    if line.startswith(_CUT):
        shown = line[len(_CUT):].strip()[:60]
        yield Broken(f"cut-off row: the file ends inside {shown!r}", number)
        return

    heading = _HEADING.match(line)
    if heading:
        yield Heading(heading["code"].upper(), line=number)
        return

    row = _VENDOR_ROW.match(line)
    if row:
        rest = row["rest"]
        if not rest.startswith("\t"):
            yield Broken(f"cut-off row: {line.strip()[:60]!r} has no value", number)
            return
        value, _, meaning = rest[1:].partition("\t")
        yield Row(row["label"], value, meaning, line=number)
    elif _VENDOR_START.match(line):
        yield Broken(f"cut-off row: {line.strip()[:60]!r}", number)


def _is_table_start(lines: list[str], number: int) -> bool:
    line = lines[number].strip()
    return line.startswith("|") and line.endswith("|") and len(line) > 1


def _table_end(lines: list[str], number: int) -> int:
    end = number
    while end < len(lines) and lines[end].strip().startswith("|"):
        end += 1
    return end


def split_cells(line: str) -> list[str]:
    """The cells of a pipe-table row; `\\|` is a pipe inside a cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [_UNESCAPE.sub(r"\1", cell).strip() for cell in cells]


def _is_listing(header: str) -> bool:
    names = {normalise_header(cell) for cell in split_cells(header)}
    return "HCPC" in names and bool(names & _LISTING_MARKERS)


def _sheet_table(table: list[tuple[int, str]]) -> Iterator[Item]:
    for index, (number, line) in enumerate(table):
        if _SEPARATOR.match(line):
            continue
        cells = split_cells(line)
        following = table[index + 1][1] if index + 1 < len(table) else ""
        if _SEPARATOR.match(following) and is_header_row(cells):
            continue
        if len(cells) < 2:
            yield Broken(f"cut-off row: {line.strip()[:60]!r} has no value", number)
            continue
        heading = _HEADING.match(cells[0]) if len(cells) == 1 else None
        if heading:
            yield Heading(heading["code"].upper(), line=number)
            continue
        meaning = " ".join(cells[2:]) if len(cells) > 2 else ""
        yield Row(cells[0], cells[1], meaning, line=number)


def _listing(table: list[tuple[int, str]], report: Report) -> Iterator[HcpcsRecord]:
    header = [normalise_header(cell) for cell in split_cells(table[0][1])]
    rows = []
    for number, line in table[1:]:
        if _SEPARATOR.match(line):
            continue
        cells = split_cells(line)
        if not any(cells):
            continue
        if len(cells) != len(header):
            report.error(
                f"listing row has {len(cells)} cells, the header {len(header)}",
                line=number,
            )
            continue
        rows.append((number, dict(zip(header, cells))))
    if not rows:
        report.warn("listing table holds no codes", line=table[0][0])
    yield from records_from_rows(rows, report, FORMAT, unit="line")
