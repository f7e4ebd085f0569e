"""Vendor sheets as PDF, from records: test-support code for fixtures, the PDF
reader's tests and benchmarks.

One page planner lays a sheet out (code heading, title, a label / value / meaning
table, running header and page footer) as positioned drawing steps; each producer
draws those steps with its own PDF library, so the files differ inside (fonts,
encodings, operators) while showing the same sheet:
- `reportlab`: standard Helvetica (a simple font, WinAnsi encoding);
- `fpdf2`: an embedded TrueType font (Bitstream Vera, shipped with reportlab) as a
  composite font with a ToUnicode map.

Layouts name what the table looks like and which trouble it carries; see LAYOUTS.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

import reportlab

from hcpcs_extract.record import HcpcsRecord

from .sheet_rows import SheetRow, sheet_rows

PRODUCERS = ("reportlab", "fpdf2")

_VERA = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
# The ligatures Vera has glyphs for.
_LIGATURES = (("fi", "\ufb01"), ("fl", "\ufb02"))


@dataclass(frozen=True)
class Layout:
    """How a sheet is printed.

    rules: cell borders; zebra: every other row shaded, no borders; header: a
    `Field / Value / Meaning` row, on every page when `repeat_header`; landscape:
    a portrait page turned a quarter by /Rotate, its content drawn turned back;
    fake_bold: labels drawn twice, a hair apart; letter_space: extra points
    between the letters of labels; ligatures: fi, fl printed as single glyphs;
    page_per_sheet: each sheet of many starts a new page; split_rows: a row that
    does not fit is split over the page break rather than moved whole;
    one_text_per_line: the cells sharing a baseline are drawn by one text
    operator, placed apart by its offsets (reportlab only).
    """

    rules: bool = False
    zebra: bool = False
    header: bool = False
    repeat_header: bool = False
    landscape: bool = False
    fake_bold: bool = False
    letter_space: float = 0.0
    ligatures: bool = False
    page_per_sheet: bool = False
    split_rows: bool = True
    style: str = "vendor"
    one_text_per_line: bool = False


LAYOUTS: dict[str, Layout] = {
    "boxed": Layout(rules=True, header=True, repeat_header=True),
    "zebra": Layout(zebra=True, header=True),
    "plain": Layout(),
    "portal": Layout(rules=True, style="portal"),
    "paged": Layout(rules=True, header=True, page_per_sheet=True),
    "rotated": Layout(rules=True, header=True, landscape=True),
    "fakebold": Layout(zebra=True, fake_bold=True),
    "letterspaced": Layout(letter_space=1.5),
    "ligatures": Layout(rules=True, ligatures=True),
    "one-text-per-line": Layout(header=True, one_text_per_line=True),
}

# Page geometry in points, top-down.
_MARGIN = 54.0
_BODY = 9.0
_LEADING = 11.0
_PAD = 4.0
_HEADING = 16.0
_TITLE = 10.0
_COLUMNS = (0.27, 0.33, 0.40)
_HEADER_WORDS = ("Field", "Value", "Meaning")


@dataclass(frozen=True)
class Text:
    x: float
    baseline: float
    text: str
    size: float
    bold: bool = False
    char_space: float = 0.0
    twice: bool = False


@dataclass(frozen=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Fill:
    x: float
    y: float
    width: float
    height: float


Step = Text | Rule | Fill


@dataclass
class _Page:
    steps: list[Step] = field(default_factory=list)


class Measure(Protocol):
    def __call__(self, text: str, size: float, bold: bool) -> float: ...


def render(record: HcpcsRecord, producer: str, layout: str) -> bytes:
    """One sheet as a PDF."""
    return render_many([record], producer, layout)


def render_many(records: Iterable[HcpcsRecord], producer: str,
                layout: str) -> bytes:
    """Many sheets in one PDF: back to back, or a page each (`paged`)."""
    chosen = LAYOUTS[layout]
    backend = _BACKENDS[producer](chosen)
    planner = _Planner(chosen, backend.measure, backend.page_size)
    for record in records:
        planner.sheet(record)
    return backend.draw(planner.finish())


class _Planner:
    """Lays sheets out on pages as drawing steps."""

    def __init__(self, layout: Layout, measure: Measure,
                 page_size: tuple[float, float]) -> None:
        self.layout = layout
        self.measure = measure
        self.width, self.height = page_size
        self.pages: list[_Page] = []
        self.start_page = 0
        self.y = 0.0
        inner = self.width - 2 * _MARGIN
        self.edges = [_MARGIN]
        for share in _COLUMNS:
            self.edges.append(self.edges[-1] + inner * share)

    @property
    def bottom(self) -> float:
        return self.height - _MARGIN

    def sheet(self, record: HcpcsRecord) -> None:
        if not self.pages or self.layout.page_per_sheet:
            self._new_page(header=False)
        elif self.y > _MARGIN + 24:
            self.y += 18
        self._heading(record)
        self.start_page = len(self.pages)
        if self.layout.header:
            self._table_header()
        for index, row in enumerate(sheet_rows(record, self.layout.style)):
            self._row(row, shaded=index % 2 == 0)

    def finish(self) -> list[_Page]:
        total = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            footer = f"Page {number} of {total}"
            x = (self.width - self.measure(footer, 8, False)) / 2
            page.steps.append(Text(x, self.height - _MARGIN / 2, footer, 8))
        return self.pages

    def _new_page(self, header: bool) -> None:
        self.pages.append(_Page())
        running = "HCPCS reference sheets"
        self._text(Text(_MARGIN, _MARGIN / 2 + 4, running, 8))
        self.y = _MARGIN
        if header:
            self._table_header()

    def _text(self, step: Text) -> None:
        self.pages[-1].steps.append(step)

    def _heading(self, record: HcpcsRecord) -> None:
        need = _HEADING + 3 * _LEADING + 4 * (_LEADING + 2 * _PAD)
        if self.y + need > self.bottom:
            self._new_page(header=False)
        self.y += _HEADING
        self._text(Text(_MARGIN, self.y, self._glyphs(record.hcpcs_code), _HEADING,
                        bold=True))
        self.y += 6
        inner = self.width - 2 * _MARGIN
        for line in self._wrap(record.long_description, inner, _TITLE, True):
            self.y += _TITLE + 2
            self._text(Text(_MARGIN, self.y, self._glyphs(line), _TITLE, bold=True))
        self.y += 12

    def _table_header(self) -> None:
        cells = [[word] for word in _HEADER_WORDS]
        self._band(cells, _LEADING + 2 * _PAD, shaded=False, bold=True)

    def _row(self, row: SheetRow, shaded: bool) -> None:
        cells = [self._wrap(row.label, self._cell_width(0), _BODY, False,
                            self.layout.letter_space),
                 self._wrap(row.value, self._cell_width(1), _BODY, False),
                 self._wrap(row.meaning, self._cell_width(2), _BODY, False)]
        while True:
            lines = max(len(c) for c in cells) or 1
            height = lines * _LEADING + 2 * _PAD
            room = self.bottom - self.y
            if height <= room:
                self._band(cells, height, shaded)
                return
            fit = int((room - 2 * _PAD) // _LEADING)
            if not self.layout.split_rows or fit < max(2, len(cells[0])):
                self._new_page(header=self.layout.repeat_header)
                continue
            # The label stays whole on the first part; other cells go on after
            # the break, top-aligned, under an empty label.
            head = [c[:fit] for c in cells]
            self._band(head, fit * _LEADING + 2 * _PAD, shaded, top=True)
            cells = [[], cells[1][fit:], cells[2][fit:]]
            self._new_page(header=self.layout.repeat_header)

    def _cell_width(self, column: int) -> float:
        return self.edges[column + 1] - self.edges[column] - 2 * _PAD

    def _band(self, cells: list[list[str]], height: float, shaded: bool,
              bold: bool = False, top: bool = False) -> None:
        left, right = self.edges[0], self.edges[-1]
        steps = self.pages[-1].steps
        if self.layout.zebra and shaded:
            steps.append(Fill(left, self.y, right - left, height))
        if self.layout.rules:
            steps.extend(self._box(self.y, height))
        lines = max(len(c) for c in cells) or 1
        for column, cell in enumerate(cells):
            offset = 0.0
            if column == 1 and not top:
                offset = (lines - len(cell)) * _LEADING / 2
            for n, line in enumerate(cell):
                baseline = self.y + _PAD + offset + n * _LEADING + _BODY * 0.8
                label = column == 0 and not bold
                steps.append(Text(
                    self.edges[column] + _PAD, baseline, self._glyphs(line), _BODY,
                    bold=bold,
                    char_space=self.layout.letter_space if label else 0.0,
                    twice=label and self.layout.fake_bold,
                ))
        self.y += height

    def _box(self, top: float, height: float) -> list[Rule]:
        bottom = top + height
        rules = [Rule(self.edges[0], top, self.edges[-1], top),
                 Rule(self.edges[0], bottom, self.edges[-1], bottom)]
        rules.extend(Rule(x, top, x, bottom) for x in self.edges)
        return rules

    def _glyphs(self, text: str) -> str:
        if not self.layout.ligatures:
            return text
        for letters, glyph in _LIGATURES:
            text = text.replace(letters, glyph)
        return text

    def _wrap(self, text: str, width: float, size: float, bold: bool,
              char_space: float = 0.0) -> list[str]:
        """Lines of `text` no wider than `width`, broken at spaces only; a word
        wider than the cell is broken between letters."""
        def wide(line: str) -> float:
            shown = self._glyphs(line)
            return self.measure(shown, size, bold) + char_space * len(shown)

        lines: list[str] = []
        current = ""
        for word in text.split():
            trial = f"{current} {word}" if current else word
            if wide(trial) <= width:
                current = trial
                continue
            if current:
                lines.append(current)
            current = word
            while wide(current) > width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and wide(current[:cut]) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
        return lines


class _ReportlabBackend:
    def __init__(self, layout: Layout) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self.layout = layout
        self.page_size = (792.0, 612.0) if layout.landscape else (612.0, 792.0)
        self.fonts = ("Helvetica", "Helvetica-Bold")
        if layout.ligatures:
            for name, file in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf")):
                pdfmetrics.registerFont(TTFont(name, os.path.join(_VERA, file)))
            self.fonts = ("Vera", "VeraBd")
        self._width = pdfmetrics.stringWidth

    def measure(self, text: str, size: float, bold: bool) -> float:
        return self._width(text, self.fonts[bold], size)

    def draw(self, pages: list[_Page]) -> bytes:
        from reportlab.pdfgen import canvas

        out = io.BytesIO()
        width, height = self.page_size
        # With a quarter turn reportlab writes the media box portrait.
        pdf = canvas.Canvas(out, pagesize=(width, height), invariant=1,
                            pageCompression=1)
        for page in pages:
            if self.layout.landscape:
                pdf.setPageRotation(90)
                # Display x runs along user y; display top-down y along user x.
                pdf.transform(0, 1, -1, 0, height, 0)
            steps = page.steps
            if self.layout.one_text_per_line:
                steps = self._lines_as_one(pdf, steps, height)
            for step in steps:
                self._step(pdf, step, height)
            pdf.showPage()
        pdf.save()
        return out.getvalue()

    def _lines_as_one(self, pdf, steps: list[Step], height: float) -> list[Step]:
        """Draws the plain texts of each baseline with one TJ operator; returns
        the steps left to draw."""
        lines: dict[tuple[float, float], list[Text]] = {}
        rest: list[Step] = []
        for step in steps:
            if isinstance(step, Text) and not (step.bold or step.twice
                                               or step.char_space):
                lines.setdefault((step.baseline, step.size), []).append(step)
            else:
                rest.append(step)
        font = pdf._doc.getInternalFontName(self.fonts[0])
        for (baseline, size), texts in lines.items():
            texts.sort(key=lambda t: t.x)
            parts, end = [], texts[0].x
            for text in texts:
                if parts:
                    parts.append(f"{-(text.x - end) * 1000 / size:.1f}")
                parts.append(f"({_escaped(text.text)})")
                end = text.x + self.measure(text.text, size, False)
            pdf._code.append(f"BT {font} {size:g} Tf {texts[0].x:.2f}"
                             f" {height - baseline:.2f} Td [{' '.join(parts)}] TJ ET")
        return rest

    def _step(self, pdf, step: Step, height: float) -> None:
        if isinstance(step, Fill):
            pdf.setFillGray(0.9)
            pdf.rect(step.x, height - step.y - step.height, step.width, step.height,
                     stroke=0, fill=1)
            pdf.setFillGray(0)
        elif isinstance(step, Rule):
            pdf.setLineWidth(0.5)
            pdf.line(step.x0, height - step.y0, step.x1, height - step.y1)
        else:
            for dx in (0.0, 0.35) if step.twice else (0.0,):
                text = pdf.beginText(step.x + dx, height - step.baseline)
                text.setFont(self.fonts[step.bold], step.size)
                text.setCharSpace(step.char_space)
                text.textOut(step.text)
                pdf.drawText(text)


class _Fpdf2Backend:
    def __init__(self, layout: Layout) -> None:
        from fpdf import FPDF

        self.layout = layout
        self.page_size = (792.0, 612.0) if layout.landscape else (612.0, 792.0)
        self.pdf = FPDF(unit="pt", format=(self.page_size[0], self.page_size[1]))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(_FIXED_DATE)
        self.pdf.add_font("Vera", "", os.path.join(_VERA, "Vera.ttf"))
        self.pdf.add_font("Vera", "B", os.path.join(_VERA, "VeraBd.ttf"))

    def measure(self, text: str, size: float, bold: bool) -> float:
        self.pdf.set_font("Vera", "B" if bold else "", size)
        return self.pdf.get_string_width(text)

    def draw(self, pages: list[_Page]) -> bytes:
        pdf = self.pdf
        for page in pages:
            pdf.add_page()
            for step in page.steps:
                self._step(step)
        return bytes(pdf.output())

    def _step(self, step: Step) -> None:
        pdf = self.pdf
        if isinstance(step, Fill):
            pdf.set_fill_color(230)
            pdf.rect(step.x, step.y, step.width, step.height, style="F")
        elif isinstance(step, Rule):
            pdf.set_line_width(0.5)
            pdf.line(step.x0, step.y0, step.x1, step.y1)
        else:
            pdf.set_font("Vera", "B" if step.bold else "", step.size)
            pdf.set_char_spacing(step.char_space)
            for dx in (0.0, 0.35) if step.twice else (0.0,):
                pdf.text(step.x + dx, step.baseline, step.text)
            pdf.set_char_spacing(0)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _fixed_date():
    import datetime as dt

    return dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


_FIXED_DATE = _fixed_date()

_BACKENDS: dict[str, Callable[[Layout], _ReportlabBackend | _Fpdf2Backend]] = {
    "reportlab": _ReportlabBackend,
    "fpdf2": _Fpdf2Backend,
}


def sheet_pages(records: Iterable[HcpcsRecord], producer: str,
                layout: str) -> list[int]:
    """The page each sheet of `render_many(records, ...)` starts on."""
    chosen = LAYOUTS[layout]
    backend = _BACKENDS[producer](chosen)
    planner = _Planner(chosen, backend.measure, backend.page_size)
    pages = []
    for record in records:
        planner.sheet(record)
        pages.append(planner.start_page)
    return pages
