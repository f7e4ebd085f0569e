"""HTML sheets and listing pages.

Layouts read:
- field tables: a row per field, label, value and meaning in cells (`<td>` or
  `<th>`), with or without a header row (`Field | Value | Meaning`), two or three
  columns; labels may be wrapped in `<i>` or prefixed `HCPCS `;
- definition lists: `<dt>` label, `<dd>` value, an optional second `<dd>` meaning;
- label/value pairs: a `<div>`, `<p>` or `<li>` holding two or three `<span>`s or
  `<div>`s (label, value, meaning);
- listing tables: a row per code under CMS's column names (HCPC, SEQNUM, RECID,
  LONG DESCRIPTION, ...).
A sheet opens at a code heading (`<h1>S9357</h1>`, `<p><b>S9357</b></p>`) or at
its code row. A heading that repeats the code of the sheet being read continues
that sheet. Layout tables, navigation, scripts, styles and comments are passed
over; a table inside a field table's cell is part of that cell, never fields.

Places: not every HTML parser keeps line numbers, so a place on a page is `row N`,
the Nth entry read from it (a table row, a `<dt>` or a label/value pair), counted
in document order.

Two engines walk the same page and give the same records: `bs4` (Beautiful Soup
over lxml, the reference) and `lxml` (lxml's HTML parser directly, several times
faster). `HCPCS_HTML_ENGINE` or the reader's `engine` argument chooses.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Protocol

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EncodingDetector, UnicodeDammit
from lxml import etree

from ..cms_rows import normalise_header, records_from_rows
from ..document import Document, Report
from ..errors import InputError, NoSheetFound
from ..inputs import check_html
from ..labels import HEADER_WORDS, is_header_row, match_label
from ..record import HcpcsRecord
from ..sheet import Broken, Heading, Item, Row, assemble
from ..text import looks_binary
from ..values import clean_text, normalise_code

log = logging.getLogger(__name__)

FORMAT = "html"
EXTENSIONS = (".html", ".htm", ".xhtml")
ENGINES = ("lxml", "bs4")
DEFAULT_ENGINE = "lxml"
ENGINE_VARIABLE = "HCPCS_HTML_ENGINE"

_CODE = r"(?:[A-Z]\d{4}|\d{4}[0-9FTUM]|[A-Z0-9]{2})"
# The code is matched case-sensitively: `of` or `to` in bold is not a modifier.
_HEADING = re.compile(
    rf"^(?:(?i:HCPCS(?:\s+code)?)\s*:?\s*)?(?P<code>{_CODE})"
    r"(?:\s*\((?i:continued|cont\.?)\))?$"
)
_HTML_SIGNS = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]",
                         re.IGNORECASE)
_MARKUP_SIGNS = re.compile(rb"<(?:table|dl|div)[\s>]", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8"})
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")

# Content that is never part of a sheet.
_SKIP = frozenset({
    "head", "script", "style", "noscript", "template", "nav", "iframe", "svg",
    "button", "select", "textarea", "object", "math",
})
# lxml leaves a row that follows an unclosed tag inside the cell before it, where
# a browser closes the cell; both engines move such rows back into the table.
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_ROW_PARENTS = _ROW_GROUPS | {"table"}
# Elements whose edges separate words when a cell's text is read.
_SPACED = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dd", "dt",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "header", "footer", "hr", "pre", "address",
})
_INLINE = frozenset({
    "b", "strong", "i", "em", "u", "span", "font", "small", "big", "br", "sup",
    "sub", "mark", "code", "tt",
})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAYBE_HEADING = frozenset({"p", "div", "b", "strong", "span", "caption", "header",
                            "center", "font", "section"})
_PAIR_HOLDERS = frozenset({"div", "p", "li", "span"})
_PAIR_PARTS = frozenset({"span", "div", "label", "b", "strong", "i", "em", "small",
                         "p"})
_CELLS = frozenset({"td", "th"})
_LISTING_MARKERS = frozenset({"LONG DESCRIPTION", "RECID", "SHORT DESCRIPTION"})
_LONGEST_LABEL = 120
_FEWEST_KNOWN = 2
_HEADING_WORDS = 6
_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_NOT_MARKUP = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->",
                         re.IGNORECASE | re.DOTALL)


def _check_tables_closed(text: str, name: str) -> None:
    """HTML lets a page leave out `</td>` and `</tr>`, never `</table>`: a page
    with a table left open was cut short, and its last rows cannot be trusted."""
    markup = _NOT_MARKUP.sub("", text)
    opened = len(_TABLE_OPEN.findall(markup))
    closed = len(_TABLE_CLOSE.findall(markup))
    if opened > closed:
        raise InputError(f"{name} ends inside a table ({opened} <table>, {closed}"
                         " </table>): cut short?")


_LONGEST_HEADER_WORD = max(len(word) for word in HEADER_WORDS)


class Page(Protocol):
    """One parsed page, as the walker sees it, whatever parser built it."""

    root: Any

    def tag(self, node: Any) -> str: ...

    def children(self, node: Any) -> list[Any]: ...

    def rows(self, table: Any) -> list[Any]: ...

    def cells(self, row: Any) -> list[Any]: ...

    def own_text(self, node: Any) -> str: ...

    def text(self, node: Any) -> str: ...

    def inner_html(self, node: Any) -> str: ...


class LxmlPage:
    """A page parsed by lxml's HTML parser directly: the fast engine.

    Plain elements, not lxml.html's classes; comments and processing instructions
    dropped while parsing. The tree is prepared once so that lxml's own text
    serialiser reads a cell as `SoupPage.text` does: skipped content removed, a
    space at the edges of every element that separates words."""

    _parser = etree.HTMLParser(
        encoding="utf-8", recover=True, no_network=True, remove_comments=True,
        remove_pis=True,
    )

    def __init__(self, text: str) -> None:
        root = etree.fromstring(text.encode("utf-8"), parser=self._parser)
        if root is None:
            root = etree.fromstring(b"<html></html>", parser=self._parser)
        self.root = root
        self._prepare()

    def _prepare(self) -> None:
        for node in list(self.root.iter(*_SKIP)):
            _drop(node)
        misplaced = [row for row in self.root.iter("tr")
                     if row.getparent().tag not in _ROW_PARENTS]
        for row in misplaced:
            outer = next(row.iterancestors("tr"), None)
            if outer is not None:
                _keep_tail(row)
                outer.addnext(row)
        for node in self.root.iter(*_SPACED):
            node.tail = " " + (node.tail or "")
            if node.tag != "br":
                node.text = " " + (node.text or "")

    def tag(self, node: Any) -> str:
        return node.tag

    def children(self, node: Any) -> list[Any]:
        return list(node)

    def rows(self, table: Any) -> list[Any]:
        rows = []
        for child in table:
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in _ROW_GROUPS:
                rows.extend(row for row in child if row.tag == "tr")
        return rows

    def cells(self, row: Any) -> list[Any]:
        return [cell for cell in row if cell.tag in _CELLS]

    def own_text(self, node: Any) -> str:
        parts = [node.text or ""]
        parts.extend(child.tail or "" for child in node)
        return "".join(parts)

    def text(self, node: Any) -> str:
        if len(node) == 0:
            return node.text or ""
        return etree.tostring(node, method="text", encoding=str, with_tail=False)

    def inner_html(self, node: Any) -> str:
        if len(node) == 0:
            return html.escape(node.text or "", quote=False)
        if not node.attrib:
            # One call to the serialiser, less the bare start and end tags.
            whole = etree.tostring(node, method="html", encoding=str,
                                   with_tail=False)
            start, end = f"<{node.tag}>", f"</{node.tag}>"
            if whole.startswith(start) and whole.endswith(end):
                return whole[len(start):-len(end)]
        parts = [html.escape(node.text or "", quote=False)]
        parts.extend(
            etree.tostring(child, encoding=str, method="html", with_tail=True)
            for child in node
        )
        return "".join(parts)


def _keep_tail(node: Any) -> None:
    """Leaves the text after `node` where it is before `node` moves or goes."""
    if not node.tail:
        return
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + node.tail
    else:
        parent = node.getparent()
        parent.text = (parent.text or "") + node.tail
    node.tail = None


def _drop(node: Any) -> None:
    parent = node.getparent()
    if parent is not None:
        _keep_tail(node)
        parent.remove(node)


class SoupPage:
    """A page parsed by Beautiful Soup over lxml: the reference engine."""

    def __init__(self, text: str) -> None:
        self.root = BeautifulSoup(text, "lxml")
        for row in self.root.find_all("tr"):
            if row.parent is not None and row.parent.name not in _ROW_PARENTS:
                outer = row.find_parent("tr")
                if outer is not None:
                    outer.insert_after(row.extract())

    def tag(self, node: Any) -> str:
        return node.name if isinstance(node, Tag) else ""

    def children(self, node: Any) -> list[Any]:
        return [child for child in node.children if isinstance(child, Tag)]

    def rows(self, table: Any) -> list[Any]:
        rows = []
        for child in self.children(table):
            if child.name == "tr":
                rows.append(child)
            elif child.name in _ROW_GROUPS:
                rows.extend(row for row in self.children(child) if row.name == "tr")
        return rows

    def cells(self, row: Any) -> list[Any]:
        return [cell for cell in self.children(row) if cell.name in _CELLS]

    def own_text(self, node: Any) -> str:
        return "".join(child for child in node.children if _is_text(child))

    def text(self, node: Any) -> str:
        parts: list[str] = []
        self._collect(node, parts)
        return "".join(parts)

    def _collect(self, node: Tag, parts: list[str]) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in _SKIP:
                    continue
                spaced = child.name in _SPACED
                if spaced:
                    parts.append(" ")
                self._collect(child, parts)
                if spaced:
                    parts.append(" ")
            elif _is_text(child):
                parts.append(str(child))

    def inner_html(self, node: Any) -> str:
        return node.decode_contents()


def _is_text(node: object) -> bool:
    # Comments, doctypes and processing instructions are strings in bs4 too.
    return type(node) is NavigableString


PAGES: dict[str, type] = {"lxml": LxmlPage, "bs4": SoupPage}


@dataclass(frozen=True)
class _Listing:
    """A listing table: its header and (row number, cells) pairs."""

    row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]


Part = Item | _Listing


@dataclass
class _Walker:
    """Finds headings, field rows and listing tables in document order."""

    page: Page
    parts: list[Part] = field(default_factory=list)
    entries: int = 0

    def walk(self) -> list[Part]:
        self.visit(self.page.root)
        return self.parts

    def visit(self, node: Any) -> None:
        tag = self.page.tag(node)
        if not tag or tag in _SKIP:
            return
        if tag == "table":
            self.table(node)
            return
        if tag == "dl" and self.definition_list(node):
            return
        if self.heading(node, tag):
            return
        self.contents(node)

    def contents(self, node: Any) -> None:
        children = self.page.children(node)
        if not children:
            return
        pairs = self.pairs(children)
        for child in children:
            parts = pairs.get(id(child))
            if parts is not None:
                self.pair(parts)
            else:
                self.visit(child)

    def heading(self, node: Any, tag: str) -> bool:
        if tag not in _HEADING_TAGS:
            if tag not in _MAYBE_HEADING:
                return False
            name = self.page.tag
            if any(name(child) not in _INLINE for child in self.page.children(node)):
                return False
        raw = self.page.text(node)
        # A heading is a code and at most a few words around it.
        if len(raw) > 40 and len(raw.split(None, _HEADING_WORDS)) > _HEADING_WORDS:
            return False
        text = _clean(raw)
        found = _HEADING.match(text) if text and len(text) < 40 else None
        if found is None:
            return False
        self.parts.append(Heading(found["code"], row=self.entries + 1))
        return True

    # Tables

    def table(self, node: Any) -> None:
        rows = self.page.rows(node)
        cells = [self.page.cells(row) for row in rows]
        header = self.listing_header(cells)
        if header is not None:
            self.listing(header, cells)
            return

        # Label and value of each row, read once for the test and the rows.
        text = self.page.text
        texts = [[_clean(text(c)) or "" for c in row[:2]] for row in cells]
        if self.is_field_table(texts):
            for row_cells, row_texts in zip(cells, texts):
                self.entries += 1
                self.field_row(row_cells, row_texts)
        else:
            # A layout table, or one with nothing of ours: look inside its cells.
            for row in rows:
                self.contents(row)

    def is_field_table(self, texts: list[list[str]]) -> bool:
        # A search form's `Code | [box]` has a label we know but no value.
        return _enough(
            len(row) == 2 and bool(row[1]) and _is_known(row[0]) for row in texts
        )

    def label_of(self, cell: Any) -> str | None:
        """The cell's text when it names a field we know, else None."""
        text = _clean(self.page.text(cell))
        return text if text is not None and _is_known(text) else None

    def field_row(self, cells: list[Any], texts: list[str]) -> None:
        if not cells:
            return
        if len(cells) == 1:
            if texts[0]:
                self.lone_cell(texts[0])
            return
        if _first_header_word(texts[0]) and self.is_header_row(texts, cells):
            return
        if not (texts[0] or texts[1]) and not any(
            clean_text(self.page.text(cell)) for cell in cells[2:]
        ):
            return
        if len(cells) == 3:
            meaning = self.page.inner_html(cells[2])
        else:
            meaning = " ".join(self.page.inner_html(cell) for cell in cells[2:])
        self.parts.append(Row(_label(texts[0]), texts[1], meaning, row=self.entries))

    def is_header_row(self, texts: list[str], cells: list[Any]) -> bool:
        rest = [clean_text(self.page.text(cell)) or "" for cell in cells[2:]]
        return is_header_row(texts + rest)

    def lone_cell(self, text: str) -> None:
        found = _HEADING.match(text) if len(text) < 40 else None
        if found is not None:
            self.parts.append(Heading(found["code"], row=self.entries))
        elif match_label(text) is not None:
            self.parts.append(Broken(f"row {text[:60]!r} has no value",
                                     row=self.entries))
        else:
            log.debug("row %d: caption %r passed over", self.entries, text[:60])

    def listing_header(self, cells: list[list[Any]]) -> list[str] | None:
        if not cells:
            return None
        texts = [self.page.text(cell) for cell in cells[0]]
        # Most tables are not listings: look for the HCPC column before naming all.
        if not any(len(text) < 40
                   and "".join(text.replace("_", " ").split()).upper() == "HCPC"
                   for text in texts):
            return None
        names = [normalise_header(text) for text in texts]
        if "HCPC" in names and _LISTING_MARKERS & set(names):
            return names
        return None

    def listing(self, header: list[str], cells: list[list[Any]]) -> None:
        self.entries += 1
        first = self.entries
        rows = []
        for row_cells in cells[1:]:
            self.entries += 1
            rows.append((self.entries,
                         [_clean(self.page.text(c)) or "" for c in row_cells]))
        self.parts.append(_Listing(first, header, rows))

    # Definition lists and label/value pairs

    def definition_list(self, node: Any) -> bool:
        entries = self.dl_entries(node)
        if not _enough(self.label_of(term) is not None for term, _ in entries):
            return False
        for term, details in entries:
            self.entries += 1
            label = _label(_clean(self.page.text(term)) or "")
            if not details:
                self.lone_cell(label)
                continue
            value = _clean(self.page.text(details[0])) or ""
            meaning = " ".join(self.page.inner_html(d) for d in details[1:])
            self.parts.append(Row(label, value, meaning, row=self.entries))
        return True

    def dl_entries(self, node: Any) -> list[tuple[Any, list[Any]]]:
        items: list[Any] = []
        for child in self.page.children(node):
            # HTML allows each term and its details to sit in a <div>.
            if self.page.tag(child) == "div":
                items.extend(self.page.children(child))
            else:
                items.append(child)
        entries: list[tuple[Any, list[Any]]] = []
        for item in items:
            tag = self.page.tag(item)
            if tag == "dt":
                entries.append((item, []))
            elif tag == "dd" and entries:
                entries[-1][1].append(item)
        return entries

    def pairs(self, children: list[Any]) -> dict[int, list[Any]]:
        """The parts of the children that are label/value pairs, by the child's
        id; empty when none of them names a field we know."""
        tag = self.page.tag
        holders = [child for child in children if tag(child) in _PAIR_HOLDERS]
        if len(holders) < _FEWEST_KNOWN:
            return {}
        found = {}
        for child in holders:
            parts = self.pair_parts(child)
            if parts is not None:
                found[id(child)] = parts
        if not _enough(self.label_of(parts[0]) is not None
                       for parts in found.values()):
            return {}
        return found

    def pair_parts(self, node: Any) -> list[Any] | None:
        if self.page.tag(node) not in _PAIR_HOLDERS:
            return None
        parts = self.page.children(node)
        if not 2 <= len(parts) <= 3:
            return None
        if any(self.page.tag(part) not in _PAIR_PARTS for part in parts):
            return None
        if self.page.own_text(node).strip():
            return None
        return parts

    def pair(self, parts: list[Any]) -> None:
        self.entries += 1
        label = _label(_clean(self.page.text(parts[0])) or "")
        value = _clean(self.page.text(parts[1])) or ""
        meaning = self.page.inner_html(parts[2]) if len(parts) > 2 else ""
        self.parts.append(Row(label, value, meaning, row=self.entries))


def _clean(text: str) -> str | None:
    """`clean_text`, skipping its regular expression for text already clean."""
    if text.isprintable() and "  " not in text and text[:1] != " " \
            and text[-1:] != " ":
        return text or None
    return clean_text(text)


def _is_known(label: str) -> bool:
    return len(label) <= _LONGEST_LABEL and match_label(label) is not None


def _first_header_word(label: str) -> bool:
    word = label.strip("*_ ").lower()
    return len(word) <= _LONGEST_HEADER_WORD and word in HEADER_WORDS


def _enough(known: Iterable[bool]) -> bool:
    """Two labels we know make a block of fields: one alone (`Code`) is as
    likely a search box or a menu."""
    seen = 0
    for found in known:
        seen += found
        if seen >= _FEWEST_KNOWN:
            return True
    return False


def _label(text: str) -> str:
    # Pages print `Coverage Code:`; the colon is punctuation, not part of the name.
    return text.rstrip(":").rstrip()


class HtmlReader:
    format = FORMAT

    def __init__(self, engine: str | None = None) -> None:
        if engine is not None and engine not in ENGINES:
            raise ValueError(f"unknown HTML engine {engine!r}; use one of {ENGINES}")
        self.engine = engine

    def sniff(self, doc: Document) -> int:
        """2 when the content is an HTML page, 1 for HTML markup or an .html name."""
        head = doc.head
        if looks_binary(head):
            return 0
        if _HTML_SIGNS.search(head):
            return 2
        if doc.name.lower().endswith(EXTENSIONS) or _MARKUP_SIGNS.search(head):
            return 1
        return 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        text = decode_page(doc.data, report)
        if not text.strip():
            raise NoSheetFound(f"empty file: no HCPCS sheet found in {doc.name}")
        check_html(text)
        _check_tables_closed(text, doc.name)
        text = _without_controls(text, report)

        page = PAGES[self.chosen_engine()](text)
        parts = _Walker(page).walk()
        found = any(isinstance(part, _Listing) for part in parts)
        for record in read_parts(parts, report):
            found = True
            yield record
        if not found and not report.errors:
            raise NoSheetFound(f"no HCPCS sheet found in {doc.name}")

    def chosen_engine(self) -> str:
        engine = self.engine or os.environ.get(ENGINE_VARIABLE) or DEFAULT_ENGINE
        if engine not in ENGINES:
            raise ValueError(f"{ENGINE_VARIABLE}={engine!r}: use one of {ENGINES}")
        return engine


def read_parts(parts: list[Part], report: Report) -> Iterator[HcpcsRecord]:
    """Records in page order: sheets through the sheet core, listings through the
    CMS row core."""
    items: list[Item] = []
    for part in parts:
        if isinstance(part, _Listing):
            yield from assemble(_continued(items), report, FORMAT)
            items = []
            yield from _listing(part, report)
        else:
            items.append(part)
    yield from assemble(_continued(items), report, FORMAT)


def _continued(items: list[Item]) -> Iterator[Item]:
    """The items less headings that repeat the code of the sheet being read, as
    pages print them atop each part of a long sheet."""
    current: str | None = None
    for item in items:
        if isinstance(item, Heading):
            code = normalise_code(item.code)
            if code == current:
                continue
            current = code
        elif isinstance(item, Row) and current is not None:
            match = match_label(item.label)
            if match is not None and match.key == "hcpcs_code":
                current = normalise_code(item.value)
        yield item


def _listing(listing: _Listing, report: Report) -> Iterator[HcpcsRecord]:
    rows = []
    for number, cells in listing.rows:
        if not any(cells):
            continue
        if len(cells) != len(listing.header):
            report.error(
                f"listing row has {len(cells)} cells, the header"
                f" {len(listing.header)}", row=number,
            )
            continue
        rows.append((number, dict(zip(listing.header, cells))))
    if not rows:
        report.warn("listing table holds no codes", row=listing.row)
    yield from records_from_rows(rows, report, FORMAT, unit="row")


def _without_controls(text: str, report: Report) -> str:
    """The text less the control characters no tree may hold (lxml refuses them
    in text it is given); a form feed is white space in HTML."""
    if "\f" in text:
        text = text.replace("\f", " ")
    found = _CONTROLS.findall(text)
    if not found:
        return text
    report.warn(f"{len(found)} control characters replaced by U+FFFD")
    return _CONTROLS.sub("\ufffd", text)


def decode_page(data: bytes, report: Report) -> str:
    """The page's text. A byte-order mark wins; then UTF-8 when the bytes are
    UTF-8, whatever the page declares; then the declared charset when the bytes
    fit it; then charset-normalizer's guess. Every departure from what the page
    declares is reported."""
    stripped, bom = EncodingDetector.strip_byte_order_mark(data)
    if bom is not None:
        return stripped.decode(bom, errors="replace")
    if looks_binary(data):
        raise InputError("binary data, not an HTML page")

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data, declared, report)

    if declared and declared.lower() not in _UTF8_NAMES and not text.isascii():
        report.warn(f"page declares {declared} but its bytes are UTF-8;"
                    " read as UTF-8")
    return text


def _decode_legacy(data: bytes, declared: str | None, report: Report) -> str:
    dammit = UnicodeDammit(data, is_html=True)
    used = dammit.original_encoding
    if dammit.unicode_markup is None or used is None:
        raise InputError("cannot tell the page's character encoding")
    if declared is None:
        report.warn(f"page declares no charset and is not UTF-8; read as {used}")
    elif used.lower() != declared.lower():
        report.warn(f"page declares {declared} but its bytes do not fit it;"
                    f" read as {used}")
    return dammit.unicode_markup
