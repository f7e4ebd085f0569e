"""PDF sheets: vendor pages printed to PDF, one sheet or many per file.

Each page is reduced to text runs, ruling lines and shaded boxes by one of two
engines (`pdfium`, the fast default, or `pdfplumber`, the reference); the shared
layout code in `pdf_layout` rebuilds the label / value / meaning rows, and
`sheet.assemble` turns them into records exactly as for markdown sheets.

Read: boxed tables, shaded (zebra) and unruled ones; cells wrapped over lines;
values centred against tall cells; tables running over pages, with or without a
repeated header row, rows split by the page break; running headers, footers and
page numbers are left out; many sheets per file, each from its code heading;
pages turned by /Rotate; glyphs drawn twice for bold; ligatures; letter spacing.

Refused with an error naming the file and the reason: no text layer, encrypted,
glyphs without text (`(cid:NN)`), truncated or corrupt files, files over the page
or time limit, and PDFs holding no sheet.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from ..document import Document, Report
from ..errors import InputError, NoSheetFound
from ..inputs import limits_in_force
from ..labels import match_label
from ..pdf_engines import ENGINES, PdfProblem, open_pages
from ..pdf_layout import (
    LIGATURES,
    Line,
    PageText,
    Run,
    bands_of,
    cells_of,
    column_starts,
    is_header,
    lines_of,
    rule_columns,
    running_lines,
)
from ..record import HcpcsRecord
from ..sheet import Broken, Heading, Item, Row, assemble

log = logging.getLogger(__name__)

FORMAT = "pdf"
_CODE = re.compile(
    r"^(?:HCPCS(?:\s+code)?\s*:?\s*)?(?P<code>[A-Z]\d{4}|\d{4}[0-9FTUM]|[A-Z0-9]{2})$"
)
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class PdfSettings:
    """Which engine reads PDFs. Page and time limits are the run's `Limits`."""

    engine: str = "pdfium"


SETTINGS = PdfSettings()


def configure(engine: str | None = None) -> None:
    """Changes how every PDF after this call is read (the CLI's `--pdf-engine`);
    worker processes are forked and inherit it."""
    if engine is not None:
        if engine not in ENGINES:
            raise ValueError(f"unknown PDF engine {engine!r}")
        SETTINGS.engine = engine


class PdfReader:
    format = FORMAT

    def __init__(self, settings: PdfSettings | None = None) -> None:
        self._settings = settings

    @property
    def settings(self) -> PdfSettings:
        return self._settings or SETTINGS

    def sniff(self, doc: Document) -> int:
        if doc.head.lstrip()[:5] == b"%PDF-":
            return 2
        return 1 if doc.name.lower().endswith(".pdf") else 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        pages = self._pages(doc)
        items = _items(pages, report)
        found = False
        for record in assemble(items, report, FORMAT):
            found = True
            yield record
        if not found and not report.errors:
            raise NoSheetFound(f"no HCPCS sheet found in {doc.name}")

    def _pages(self, doc: Document) -> list[PageText]:
        settings = self.settings
        limits = limits_in_force()
        max_pages, max_seconds = limits.max_pdf_pages, limits.max_document_seconds
        if doc.data.lstrip()[:5] != b"%PDF-":
            raise InputError(f"not a PDF inside: {doc.name} does not start with"
                             " %PDF-")
        if b"%%EOF" not in doc.data[-2048:]:
            raise InputError(f"truncated or corrupt PDF: {doc.name} has no end of"
                             " file marker")
        try:
            count, reading = open_pages(doc.data, settings.engine, max_pages)
        except PdfProblem as exc:
            raise InputError(f"cannot open {doc.name}: {exc}") from exc
        if count > max_pages:
            raise InputError(f"{doc.name} has {count} pages, more than the limit of"
                             f" {max_pages} (--max-pdf-pages)")

        started = time.monotonic()
        pages: list[PageText] = []
        try:
            for page in reading:
                _check_text(page, doc)
                pages.append(page)
                if max_seconds and time.monotonic() - started > max_seconds:
                    raise InputError(
                        f"{doc.name}: gave up after {max_seconds:g} s (--max-seconds)"
                        f" at page {page.number} of {count}",
                        page=page.number)
        except PdfProblem as exc:
            raise InputError(f"{doc.name}: {exc}") from exc

        if not any(page.runs for page in pages):
            raise InputError(f"no text layer in {doc.name}: a scanned image?")
        return pages


def _check_text(page: PageText, doc: Document) -> None:
    """Normalises the page's text in place; refuses glyphs without text."""
    runs = []
    for run in page.runs:
        text = run.text.translate(LIGATURES)
        if _CID.search(text) or _unmapped(text):
            raise InputError(
                f"{doc.name}: page {page.number} has glyphs that do not map to"
                " text (cid:NN); its fonts lack a ToUnicode map",
                page=page.number)
        runs.append(Run(text, run.x0, run.x1, run.baseline, run.size))
    page.runs = runs


def _unmapped(text: str) -> bool:
    return any(ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in
                                  "\t\n\r") for ch in text)


def _items(pages: list[PageText], report: Report) -> list[Item]:
    """Headings and rows of every page, in reading order, only for stretches of
    the document that are sheets (they carry labels we know)."""
    running = running_lines(pages)
    starts = column_starts(pages, running)
    items: list[Item] = []
    for page in pages:
        items.extend(_page_items(page, running, starts))
    return _sheets_only(_joined(items), report)


def _page_items(page: PageText, running: set[tuple[int, int]],
                starts: list[float]) -> list[Item]:
    lines = [line for index, line in enumerate(lines_of(page.runs))
             if (page.number, index) not in running]
    body = _body_size(lines)
    ruled = rule_columns(page)
    columns = ruled[:-1] if ruled else starts
    items: list[Item] = []
    table: list[Line] = []

    for line in lines:
        code = _heading(line, body)
        if code is None:
            table.append(line)
            continue
        items.extend(_rows(page, table, columns))
        table = []
        items.append(Heading(code, page=page.number))
    items.extend(_rows(page, table, columns))
    return items


def _body_size(lines: list[Line]) -> float:
    sizes = [run.size for line in lines for run in line.runs]
    return statistics.median(sizes) if sizes else 0.0


def _heading(line: Line, body: float) -> str | None:
    """The code of a code heading: a code alone on its line, larger than the text
    around it."""
    if line.size < 1.2 * body:
        return None
    found = _CODE.match(" ".join(line.text.split()))
    return found["code"] if found else None


class _Continued(Row):
    """Cells under an empty label: the rest of the row above."""


def _rows(page: PageText, lines: list[Line], columns: list[float]) -> list[Item]:
    if not lines or len(columns) < 2:
        return []
    items: list[Item] = []
    first = True
    for band in bands_of(page, lines):
        cells = cells_of(band, columns)
        if cells is None or is_header(cells):
            continue
        label, value = cells[0], cells[1]
        meaning = " ".join(cells[2:]).strip()
        if label and (value or meaning):
            items.append(Row(label, value, meaning, page=page.number))
        elif not label and (value or meaning):
            kind = _Continued if first else Broken
            if kind is Broken:
                items.append(Broken(f"cells with no label: {(value or meaning)[:60]!r}",
                                    page=page.number))
            else:
                items.append(_Continued("", value, meaning, page=page.number))
        else:
            continue
        first = False
    return items


def _joined(items: list[Item]) -> list[Item]:
    """A row split by a page break made whole again."""
    joined: list[Item] = []
    for item in items:
        if isinstance(item, _Continued):
            before = joined[-1] if joined else None
            if isinstance(before, Row) and before.page == item.page - 1:
                joined[-1] = Row(before.label, _more(before.value, item.value),
                                 _more(before.meaning, item.meaning),
                                 page=before.page)
            else:
                joined.append(Broken(
                    f"cells with no label: {(item.value or item.meaning)[:60]!r}",
                    page=item.page))
            continue
        joined.append(item)
    return joined


def _more(text: str, rest: str) -> str:
    return f"{text} {rest}".strip() if rest else text


def _sheets_only(items: list[Item], report: Report) -> list[Item]:
    """Items of stretches that are sheets: a heading and what follows it until the
    next heading counts when two or more of its row labels are ones we know."""
    kept: list[Item] = []
    stretch: list[Item] = []

    def settle() -> None:
        known = sum(isinstance(i, Row) and match_label(i.label) is not None
                    for i in stretch)
        if known >= 2:
            kept.extend(stretch)
        elif stretch and isinstance(stretch[0], Heading):
            heading = stretch[0]
            report.warn(f"code heading {heading.code} has no sheet table under it",
                        page=heading.page)

    for item in items:
        if isinstance(item, Heading):
            settle()
            stretch = []
        stretch.append(item)
    settle()
    return kept
