"""Sheet tables rebuilt from the text runs, ruling lines and shading of PDF pages.

Both PDF engines (pdfplumber, pypdfium2) reduce a page to the same plain
description, `PageText`: runs of text with their baseline, size and horizontal
extent, in the page's upright, top-down coordinates, and the ruling lines and
shaded boxes drawn on it. Everything after that is here and shared, so both
engines give the same rows for the same page.

A page becomes text lines (runs sharing a baseline), the lines become bands (one
table row each: between ruling lines, inside a shaded box, or set apart by white
space) and each band's runs fall into columns found from where runs start or from
the vertical rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .labels import is_header_row

# Printed ligature glyphs and the letters they stand for.
LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
    "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
})

_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,5}(\s*(of|/)\s*\d{1,5})?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Run:
    """Text printed in one go on one baseline, in top-down page points."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def mid(self) -> float:
        return self.baseline - 0.3 * self.size


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line: horizontal when y0 == y1, vertical when x0 == x1."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Box:
    """A shaded rectangle (zebra rows)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class PageText:
    number: int
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)


@dataclass
class Line:
    runs: list[Run]

    @property
    def mid(self) -> float:
        return sum(r.mid for r in self.runs) / len(self.runs)

    @property
    def size(self) -> float:
        return max(r.size for r in self.runs)

    @property
    def top(self) -> float:
        return self.mid - 0.5 * self.size

    @property
    def bottom(self) -> float:
        return self.mid + 0.5 * self.size

    @property
    def text(self) -> str:
        return join_runs(self.runs)


@dataclass
class Band:
    """The lines of one table row (or of one block of text outside a table)."""

    lines: list[Line]

    @property
    def top(self) -> float:
        return min(line.top for line in self.lines)


def join_runs(runs: list[Run]) -> str:
    """Runs of one line, left to right, a space where the gap between them is
    wider than a thin space."""
    ordered = sorted(runs, key=lambda r: r.x0)
    text = ""
    previous: Run | None = None
    for run in ordered:
        if previous is not None and run.x0 - previous.x1 > 0.2 * run.size:
            text += " "
        text += run.text
        previous = run
    return text


def lines_of(runs: list[Run]) -> list[Line]:
    """Runs grouped by baseline, top to bottom."""
    lines: list[Line] = []
    for run in sorted(runs, key=lambda r: (round(r.mid, 1), r.x0)):
        if lines and abs(lines[-1].mid - run.mid) <= 0.3 * run.size:
            lines[-1].runs.append(run)
        else:
            lines.append(Line([run]))
    return lines


def running_lines(pages: list[PageText]) -> set[tuple[int, int]]:
    """(page, line index) of running headers, footers and page numbers: the first
    or last two lines of a page, in its top or bottom eighth, set apart by white
    space, that are page numbers or whose text (digits aside) comes back at the
    same height on half of the pages or more."""
    seen: Counter[tuple[str, int]] = Counter()
    margins: list[tuple[int, int, str, tuple[str, int]]] = []
    for page in pages:
        lines = lines_of(page.runs)
        for index, line in enumerate(lines):
            if not _in_margin(page, lines, index):
                continue
            shape = re.sub(r"\d+", "#", " ".join(line.text.split()))
            key = (shape, round(line.mid / 3))
            seen[key] += 1
            margins.append((page.number, index, line.text.strip(), key))
    # Rows of many sheets can meet at one height by chance; a running line
    # comes back on at least half of the pages.
    often = max(2, len(pages) / 2)
    return {(number, index) for number, index, text, key in margins
            if _PAGE_NUMBER.match(text) or seen[key] >= often}


def _in_margin(page: PageText, lines: list[Line], index: int) -> bool:
    line = lines[index]
    if page.height / 8 < line.mid < page.height * 7 / 8:
        return False
    if 1 < index < len(lines) - 2:
        return False
    neighbours = lines[max(index - 1, 0):index] + lines[index + 1:index + 2]
    return all(other.top - line.bottom > 0.5 * line.size
               or line.top - other.bottom > 0.5 * line.size for other in neighbours)


def column_starts(pages: list[PageText], skip: set[tuple[int, int]]) -> list[float]:
    """Where the table's columns start: the x positions that most often start a
    line or follow a gap as wide as between cells, leftmost first (two or three
    of them)."""
    xs: list[float] = []
    for page in pages:
        for index, line in enumerate(lines_of(page.runs)):
            if (page.number, index) not in skip:
                xs.extend(_cell_starts(line))
    clusters: list[list[float]] = []
    for x in sorted(xs):
        if clusters and x - clusters[-1][0] <= 4:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    if not clusters:
        return []
    ranked = sorted(clusters, key=len, reverse=True)
    top = len(ranked[0])
    chosen = [c for c in ranked[:3] if len(c) >= max(2, top / 5)]
    return sorted(min(c) for c in chosen)


def _cell_starts(line: Line) -> list[float]:
    """x of the line's first run and of each run after a gap as wide as between
    table cells."""
    ordered = sorted(line.runs, key=lambda r: r.x0)
    starts = [ordered[0].x0]
    for before, run in zip(ordered, ordered[1:]):
        if run.x0 - before.x1 > 0.6 * run.size:
            starts.append(run.x0)
    return starts


def rule_columns(page: PageText) -> list[float]:
    """Column edges from the vertical rules of a ruled table, left to right; empty
    when the page has fewer than three."""
    xs = sorted({round(r.x0) for r in page.rules
                 if abs(r.x0 - r.x1) < 1 and abs(r.y1 - r.y0) > 4})
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > 3:
            merged.append(float(x))
    return merged if len(merged) >= 3 else []


def bands_of(page: PageText, lines: list[Line]) -> list[Band]:
    """Lines grouped into table rows: lines inside one ruled cell or one shaded
    box share a band; other lines are split where the white space between them is
    wider than the line spacing inside a cell."""
    boxes = _row_boxes(page)
    bands: list[Band] = []
    open_band: list[Line] = []
    boxed: dict[int, list[Line]] = {}
    order: list[tuple[float, int | None, Line]] = []
    for line in lines:
        box = next((i for i, (top, bottom) in enumerate(boxes)
                    if top <= line.mid <= bottom), None)
        order.append((line.mid, box, line))

    previous_box: int | None = -1
    for _, box, line in order:
        if box is not None:
            if open_band:
                bands.append(Band(open_band))
                open_band = []
            if box not in boxed:
                boxed[box] = []
                bands.append(Band(boxed[box]))
            boxed[box].append(line)
        else:
            crossed = previous_box is not None and previous_box != -1
            if open_band and (crossed or _gap(open_band, line, boxes)):
                bands.append(Band(open_band))
                open_band = []
            open_band.append(line)
        previous_box = box
    if open_band:
        bands.append(Band(open_band))
    return [band for band in bands if band.lines]


def _gap(band: list[Line], line: Line, boxes: list[tuple[float, float]]) -> bool:
    bottom = max(other.bottom for other in band)
    if line.top - bottom > 0.6 * line.size:
        return True
    return any(bottom <= top <= line.top for top, _ in boxes)


def _row_boxes(page: PageText) -> list[tuple[float, float]]:
    """(top, bottom) of each ruled cell row and each shaded row on the page."""
    boxes = [(b.top, b.bottom) for b in page.boxes
             if b.bottom - b.top < page.height / 3]
    horizontal = sorted({round(r.y0, 1) for r in page.rules
                         if abs(r.y0 - r.y1) < 1 and abs(r.x1 - r.x0) > 20})
    ys: list[float] = []
    for y in horizontal:
        if not ys or y - ys[-1] > 1:
            ys.append(y)
    vertical = [r for r in page.rules if abs(r.x0 - r.x1) < 1]
    for top, bottom in zip(ys, ys[1:]):
        if any(min(r.y0, r.y1) <= top + 1 and max(r.y0, r.y1) >= bottom - 1
               for r in vertical):
            boxes.append((top, bottom))
    return sorted(boxes)


def cells_of(band: Band, starts: list[float]) -> list[str] | None:
    """The band's text per column, or None when a run reaches across a column
    edge (a paragraph, not a table row)."""
    edges = [x - 3 for x in starts[1:]]
    cells: list[list[list[Run]]] = [[] for _ in starts]
    for line in band.lines:
        parts: list[list[Run]] = [[] for _ in starts]
        for run in line.runs:
            column = sum(run.x0 >= edge for edge in edges)
            if column < len(edges) and run.x1 > edges[column] + 6:
                return None
            parts[column].append(run)
        for column, part in enumerate(parts):
            if part:
                cells[column].append(part)
    rights = [start - 3 for start in starts[1:]] + [None]
    return [_join_lines(column, right) for column, right in zip(cells, rights)]


def _join_lines(lines: list[list[Run]], right: float | None) -> str:
    """A cell's lines as one text: a space between lines, except where a word
    too long for the cell was broken inside itself to fit."""
    text = ""
    for number, runs in enumerate(lines):
        piece = join_runs(runs)
        if number and not _broken_word(lines[number - 1], text, piece, right):
            text += " "
        text += piece
    return text


def _broken_word(before: list[Run], text: str, piece: str,
                 right: float | None) -> bool:
    # A line that is one unbroken word running up to the column's right edge,
    # followed by more letters, is a word the producer had to cut: a wrap at a
    # space leaves room or ends on a whole word among others.
    if right is None or not text or not piece:
        return False
    line = join_runs(before)
    size = max(run.size for run in before)
    end = max(run.x1 for run in before)
    return (" " not in line.strip() and right - end < 1.5 * size
            and text[-1].isalnum() and piece[0].isalnum())


def is_header(cells: list[str]) -> bool:
    """A repeated `Field | Value | Meaning` row, not a field."""
    return any(cells) and is_header_row(cells)
