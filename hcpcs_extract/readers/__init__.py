"""One reader per input format, tried in a fixed order.

A reader has a `format` name, `sniff(doc)` that scores how surely it reads the
document from cheap signals (2: the content says so, 1: only the name does, 0: no)
and `read(doc, report)` that yields canonical records, raising `InputError` for a
document it cannot read and filling `report` with warnings and definitions.
Adding a format is adding a module and a line below.
"""

from __future__ import annotations

from typing import Iterator, Protocol

from ..document import Document, Report
from ..record import HcpcsRecord
from .cms_csv import CmsCsvReader
from .cms_text import CmsTextReader
from .cms_xlsx import CmsXlsxReader
from .html import HtmlReader
from .markdown import MarkdownReader
from .pdf import PdfReader


class Reader(Protocol):
    format: str

    def sniff(self, doc: Document) -> int: ...

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]: ...


# Ties go to the reader listed first.
READERS: list[Reader] = [
    MarkdownReader(),
    HtmlReader(),
    CmsTextReader(),
    CmsXlsxReader(),
    CmsCsvReader(),
    PdfReader(),
]


def find_reader(doc: Document) -> Reader | None:
    """The reader surest of the document, or None when none reads it."""
    best: Reader | None = None
    best_score = 0
    for reader in READERS:
        score = reader.sniff(doc)
        if score > best_score:
            best, best_score = reader, score
    return best


def reader_for_format(name: str) -> Reader:
    for reader in READERS:
        if reader.format == name:
            return reader
    raise KeyError(name)
