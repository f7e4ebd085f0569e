"""Two ways to read the text, rules and shading of PDF pages into `PageText`.

- `pdfplumber` (the reference): every character with its box and matrix, from
  pdfminer; characters drawn twice (fake bold) are dropped, the rest joined into
  runs here.
- `pdfium` (the fast path): pypdfium2's text page, read a text segment at a time
  (pdfium's own rectangles) rather than a character at a time, which is what
  makes it quick.

Both give page coordinates as displayed (after /Rotate), top-down, and raise
`PdfProblem` for files they cannot open.
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
import statistics
from typing import Iterator

from .pdf_layout import Box, PageText, Rule, Run

log = logging.getLogger(__name__)

ENGINES = ("pdfium", "pdfplumber")


class PdfProblem(Exception):
    """A PDF that cannot be opened: encrypted, truncated or not a PDF inside."""


def open_pages(data: bytes, engine: str,
               max_pages: int) -> tuple[int, Iterator[PageText]]:
    """The page count and the pages, read lazily, of a PDF."""
    if engine == "pdfplumber":
        return _plumber_pages(data, max_pages)
    if engine == "pdfium":
        return _pdfium_pages(data, max_pages)
    raise ValueError(f"unknown PDF engine {engine!r}; use one of {', '.join(ENGINES)}")


_SIDEWAYS = ("page {number}: its text runs sideways on the page as shown; such"
             " pages are not read")


def _why_unopened(data: bytes, detail: str) -> str:
    if b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]:
        return "encrypted: it needs a password"
    return f"corrupt or not a PDF inside ({detail})"


# pdfplumber ---------------------------------------------------------------------

def _plumber_pages(data: bytes, max_pages: int) -> tuple[int, Iterator[PageText]]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        count = len(pdf.pages)
    except PdfminerException as exc:
        raise PdfProblem(_why_unopened(data, str(exc) or type(exc).__name__)) from exc

    def pages() -> Iterator[PageText]:
        with pdf:
            for number, page in enumerate(pdf.pages[:max_pages], start=1):
                try:
                    yield _plumber_page(number, page)
                except PdfminerException as exc:
                    raise PdfProblem(f"page {number} cannot be read: {exc}") from exc
                page.close()

    return count, pages()


def _plumber_page(number: int, page) -> PageText:
    height = float(page.height)
    text = PageText(number, float(page.width), height)
    upright = [c for c in page.chars if c.get("upright", True)]
    if len(upright) * 2 < len(page.chars):
        raise PdfProblem(_SIDEWAYS.format(number=number))
    chars = _unique_chars(upright)
    text.runs = _runs_from_chars(chars, height)

    for line in page.lines:
        text.rules.append(Rule(float(line["x0"]), float(line["top"]),
                               float(line["x1"]), float(line["bottom"])))
    for rect in page.rects:
        _plumber_rect(text, rect)
    return text


def _plumber_rect(text: PageText, rect: dict) -> None:
    x0, x1 = float(rect["x0"]), float(rect["x1"])
    top, bottom = float(rect["top"]), float(rect["bottom"])
    if rect.get("fill") and x1 - x0 > 2 and bottom - top > 2:
        if not _is_white(rect.get("non_stroking_color")):
            text.boxes.append(Box(x0, top, x1, bottom))
        return
    if rect.get("stroke") or bottom - top <= 2 or x1 - x0 <= 2:
        _edges(text, x0, top, x1, bottom)


def _edges(text: PageText, x0: float, top: float, x1: float, bottom: float) -> None:
    if bottom - top <= 2:
        y = (top + bottom) / 2
        text.rules.append(Rule(x0, y, x1, y))
    elif x1 - x0 <= 2:
        x = (x0 + x1) / 2
        text.rules.append(Rule(x, top, x, bottom))
    else:
        text.rules.extend([Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom),
                           Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)])


def _is_white(color) -> bool:
    if color is None:
        return False
    values = list(color) if isinstance(color, (tuple, list)) else [color]
    if len(values) == 4:
        return all(v == 0 for v in values)
    return all(isinstance(v, (int, float)) and v >= 0.99 for v in values)


def _unique_chars(chars) -> list[dict]:
    """Characters in drawing order, less those drawn again on top of an earlier
    one (fonts faking bold draw each glyph twice, a hair apart)."""
    kept: list[dict] = []
    seen: dict[tuple[str, int], list[float]] = {}
    for char in chars:
        key = (char["text"], round(char["top"]))
        width = max(float(char["x1"]) - float(char["x0"]), 0.5)
        earlier = seen.setdefault(key, [])
        if any(abs(float(char["x0"]) - x) < 0.5 * width for x in earlier):
            continue
        earlier.append(float(char["x0"]))
        kept.append(char)
    return kept


def _runs_from_chars(chars: list[dict], height: float) -> list[Run]:
    """Characters joined into runs along each baseline (see `join_chars`)."""
    runs: list[Run] = []
    line: list[dict] = []
    for char in chars:
        if line and not _same_baseline(line[-1], char):
            runs.extend(_line_runs(line, height))
            line = []
        line.append(char)
    if line:
        runs.extend(_line_runs(line, height))
    return runs


def _same_baseline(last: dict, char: dict) -> bool:
    size = float(char["size"]) or 1.0
    return abs(float(last["matrix"][5]) - float(char["matrix"][5])) <= 0.2 * size


def _line_runs(line: list[dict], height: float) -> list[Run]:
    inked = [c for c in line if c["text"] != " "]
    if not inked:
        return []
    size = statistics.median(float(c["size"]) for c in inked)
    baseline = height - float(inked[0]["matrix"][5])
    glyphs = [(c["text"], float(c["x0"]), float(c["x1"])) for c in line]
    return [Run(text, x0, x1, baseline, size)
            for text, x0, x1 in join_chars(glyphs, size)]


def join_chars(glyphs: list[tuple[str, float, float]],
               size: float) -> list[tuple[str, float, float]]:
    """Characters of one baseline, in drawing order, as runs of text: a run ends
    at a gap wider than half an em (or a step back as far). Spaces are kept where
    drawn, and added where a gap is wider than the run's usual letter spacing by a
    fifth of an em. Both engines join characters here."""
    groups: list[list[tuple[str, float, float]]] = []
    for glyph in glyphs:
        if groups:
            gap = glyph[1] - groups[-1][-1][2]
            if -0.5 * size < gap <= 0.5 * size:
                groups[-1].append(glyph)
                continue
        groups.append([glyph])

    runs = []
    for group in groups:
        inked = [g for g in group if g[0].strip()]
        if inked:
            runs.append((_spaced(group, size), inked[0][1], inked[-1][2]))
    return runs


def _spaced(group: list[tuple[str, float, float]], size: float) -> str:
    gaps = [b[1] - a[2] for a, b in zip(group, group[1:])
            if a[0].strip() and b[0].strip()]
    usual = max(statistics.median(gaps), 0.0) if gaps else 0.0
    text = ""
    for index, (char, x0, _) in enumerate(group):
        if index:
            before = group[index - 1]
            spaced = not char.strip() or not before[0].strip()
            if not spaced and x0 - before[2] > usual + 0.2 * size:
                text += " "
        text += char
    return " ".join(text.split())


# pypdfium2 ----------------------------------------------------------------------

def _pdfium_pages(data: bytes, max_pages: int) -> tuple[int, Iterator[PageText]]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)
    except pdfium.PdfiumError as exc:
        raise PdfProblem(_why_unopened(data, str(exc))) from exc

    def pages() -> Iterator[PageText]:
        try:
            for index in range(min(count, max_pages)):
                yield _pdfium_read_page(pdf, index, pdfium.PdfiumError)
        finally:
            pdf.close()

    return count, pages()


def _pdfium_read_page(pdf, index: int, failure: type[Exception]) -> PageText:
    """One page's text; a page pdfium cannot load is a problem with the file."""
    try:
        page = pdf[index]
    except failure as exc:
        raise PdfProblem(f"page {index + 1} cannot be read: {exc}") from exc
    try:
        return _pdfium_page(index + 1, page)
    except failure as exc:
        raise PdfProblem(f"page {index + 1} cannot be read: {exc}") from exc
    finally:
        page.close()


class _Place:
    """Maps pdfium's user space to the displayed page, top-down."""

    def __init__(self, page, number: int) -> None:
        self.number = number
        left, bottom, right, top = page.get_mediabox()
        self.left, self.bottom = left, bottom
        self.w, self.h = right - left, top - bottom
        self.rotation = page.get_rotation() % 360

    @property
    def size(self) -> tuple[float, float]:
        if self.rotation in (90, 270):
            return self.h, self.w
        return self.w, self.h

    def point(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.left, y - self.bottom
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.w - x, y
        if self.rotation == 270:
            return self.h - y, self.w - x
        return x, self.h - y

    def first_char(self, left: float, bottom: float, right: float,
                   top: float) -> tuple[float, float]:
        """A point inside the first character of a segment of upright text."""
        middle_x, middle_y = (left + right) / 2, (bottom + top) / 2
        return {90: (middle_x, bottom + 0.5), 180: (right - 0.5, middle_y),
                270: (middle_x, top - 0.5)}.get(self.rotation, (left + 0.5, middle_y))

    def box(self, left: float, bottom: float, right: float,
            top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _pdfium_page(number: int, page) -> PageText:
    from pypdfium2 import raw

    place = _Place(page, number)
    width, height = place.size
    text = PageText(number, width, height)
    textpage = page.get_textpage()
    try:
        text.runs = _pdfium_runs(raw, textpage.raw, place)
    finally:
        textpage.close()
    _pdfium_paths(raw, page, place, text)
    return text


def _pdfium_runs(raw, textpage, place: _Place) -> list[Run]:
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(
        ctypes.c_ushort)))
    chars = buffer.raw[: count * 2].decode("utf-16-le", errors="surrogatepass")
    if len(chars) != count:
        chars = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    # pdfium marks a hyphen it takes for a line-end break with U+FFFE; the
    # hyphen is printed, so it is text.
    chars = chars.replace("\ufffe", "-")

    if _sideways(raw, textpage, count, place.rotation):
        raise PdfProblem(_SIDEWAYS.format(number=place.number))

    rects = raw.FPDFText_CountRects(textpage, 0, -1)
    bounds = [ctypes.c_double() for _ in range(4)]
    refs = [ctypes.byref(b) for b in bounds]
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    starts: list[tuple[int, tuple[float, float, float, float]]] = []
    for index in range(rects):
        raw.FPDFText_GetRect(textpage, index, *refs)
        left, top, right, bottom = (b.value for b in bounds)
        x, y = place.first_char(left, bottom, right, top)
        first = raw.FPDFText_GetCharIndexAtPos(textpage, x, y, 0.5, 0.5)
        if first < 0:
            continue
        starts.append((first, (left, bottom, right, top)))

    runs = []
    starts.sort()
    for n, (first, (left, bottom, right, top)) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else count
        piece = chars[first:end]
        if not piece.strip():
            continue
        size = raw.FPDFText_GetFontSize(textpage, first)
        raw.FPDFText_GetCharOrigin(textpage, first, ctypes.byref(origin_x),
                                   ctypes.byref(origin_y))
        x0, _, x1, _ = place.box(left, bottom, right, top)
        _, baseline = place.point(origin_x.value, origin_y.value)
        text = _clean_piece(piece)
        if x1 - x0 > _WIDE * size * len(text) or _generated_space(
                raw, textpage, piece.rstrip(), first):
            # One text object placing words apart, maybe in several cells.
            glyphs = _glyphs(raw, textpage, place, chars, first, end)
            runs.extend(Run(part, a, b, baseline, float(size))
                        for part, a, b in join_chars(glyphs, float(size)))
            continue
        runs.append(Run(text, x0, x1, baseline, float(size)))
    return runs


# Average letters take about half an em; a segment much wider than that has
# gaps in it and is split a character at a time, as the reference engine does.
_WIDE = 0.75


def _generated_space(raw, textpage, piece: str, first: int) -> bool:
    """Whether pdfium put in a space of its own inside the segment: it does so
    for a gap where the PDF draws none."""
    return any(char == " " and raw.FPDFText_IsGenerated(textpage, first + n) == 1
               for n, char in enumerate(piece))


def _glyphs(raw, textpage, place: _Place, chars: str, first: int,
            end: int) -> list[tuple[str, float, float]]:
    box = raw.FS_RECTF()
    glyphs = []
    for index in range(first, end):
        if raw.FPDFText_IsGenerated(textpage, index) == 1 or chars[index] in "\r\n":
            continue
        raw.FPDFText_GetLooseCharBox(textpage, index, box)
        x0, _, x1, _ = place.box(box.left, box.bottom, box.right, box.top)
        glyphs.append((chars[index], x0, x1))
    return glyphs


def _sideways(raw, textpage, count: int, rotation: int) -> bool:
    """Whether most of the first characters run other than left to right as the
    page is shown (pdfium gives angles in the unturned page)."""
    turns = []
    for index in range(min(count, 40)):
        angle = raw.FPDFText_GetCharAngle(textpage, index)
        if angle >= 0:
            turns.append(round(math.degrees(angle) + rotation) % 360)
    upright = sum(turn in (0, 360) or turn < 5 or turn > 355 for turn in turns)
    return bool(turns) and upright * 2 < len(turns)


def _clean_piece(piece: str) -> str:
    # pdfium ends a segment with the line break or space it generated.
    return " ".join(piece.replace("\r", " ").replace("\n", " ").split())


def _pdfium_paths(raw, page, place: _Place, text: PageText) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    left, bottom = ctypes.c_float(), ctypes.c_float()
    right, top = ctypes.c_float(), ctypes.c_float()
    count = raw.FPDFPage_CountObjects(page.raw)
    for index in range(count):
        obj = raw.FPDFPage_GetObject(page.raw, index)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
        raw.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom),
                                  ctypes.byref(right), ctypes.byref(top))
        x0, y0, x1, y1 = place.box(left.value, bottom.value, right.value, top.value)
        if fill.value and x1 - x0 > 2 and y1 - y0 > 2:
            if not _pdfium_white(raw, obj):
                text.boxes.append(Box(x0, y0, x1, y1))
            continue
        if stroke.value:
            _edges(text, x0, y0, x1, y1)


def _pdfium_white(raw, obj) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not raw.FPDFPageObj_GetFillColor(obj, ctypes.byref(r), ctypes.byref(g),
                                        ctypes.byref(b), ctypes.byref(a)):
        return False
    return min(r.value, g.value, b.value) >= 253
