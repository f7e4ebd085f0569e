"""Every way the project can render a record as a sheet, by format and layout.

The fidelity harness and the benchmarks walk this table; each entry turns records
into the bytes of one document, with the file extension it would carry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Sequence

from hcpcs_extract.record import HcpcsRecord


@dataclass(frozen=True)
class Renderer:
    format: str
    layout: str
    extension: str
    render_many: Callable[[Sequence[HcpcsRecord]], bytes]

    @property
    def name(self) -> str:
        return f"{self.format}/{self.layout}"


def _markdown() -> list[Renderer]:
    from . import render_markdown

    def make(layout: str) -> Callable[[Sequence[HcpcsRecord]], bytes]:
        return lambda records: render_markdown.render_many(records, layout).encode()

    return [Renderer("markdown", layout, ".md", make(layout))
            for layout in render_markdown.LAYOUTS]


def _html() -> list[Renderer]:
    module = importlib.import_module("tests.support.render_html")

    def make(layout: str) -> Callable[[Sequence[HcpcsRecord]], bytes]:
        return lambda records: module.render_many(records, layout).encode()

    return [Renderer("html", layout, ".html", make(layout))
            for layout in module.LAYOUTS]


def _pdf() -> list[Renderer]:
    module = importlib.import_module("tests.support.render_pdf")

    def make(producer: str, layout: str) -> Callable[[Sequence[HcpcsRecord]], bytes]:
        return lambda records: module.render_many(records, producer, layout)

    return [Renderer("pdf", f"{producer}-{layout}", ".pdf", make(producer, layout))
            for producer in module.PRODUCERS for layout in module.LAYOUTS]


def all_renderers() -> list[Renderer]:
    return _markdown() + _html() + _pdf()


def renderers_for(formats: Sequence[str]) -> list[Renderer]:
    return [r for r in all_renderers() if r.format in formats]
