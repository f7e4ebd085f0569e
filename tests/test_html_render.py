"""Records rendered as HTML in every layout read back to the same records, and
the real listing page of a site that republishes the 2020 release."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from hcpcs_extract.document import Document, Report
from hcpcs_extract.readers.html import ENGINES, HtmlReader
from hcpcs_extract.readers.markdown import MarkdownReader
from hcpcs_extract.record import HcpcsRecord
from tests.conftest import FIXTURES
from tests.support.render_html import LAYOUTS, render, render_many

SHEET_GOLDENS = sorted(
    p for p in (FIXTURES / "golden").rglob("*.json")
    if "listing" not in p.parts
)


def golden_records() -> list[HcpcsRecord]:
    records = []
    for path in SHEET_GOLDENS:
        records.extend(HcpcsRecord.from_dict(d)
                       for d in json.loads(path.read_text("utf-8")))
    return records


def read_html(page: str, engine: str) -> list[HcpcsRecord]:
    doc = Document("rendered.html", page.encode("utf-8"))
    return list(HtmlReader(engine).read(doc, Report(doc)))


def test_the_markdown_fixture_codes_are_among_the_records_rendered() -> None:
    markdown = {p.stem for p in (FIXTURES / "golden" / "markdown").rglob("*.json")
                if "listing" not in p.parts and p.stem != "multi-sheet"}
    rendered = {r.hcpcs_code for r in golden_records()}

    assert len(markdown) >= 20
    assert markdown <= rendered


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_golden_record_rendered_as_html_reads_back_identical(
        layout: str, engine: str) -> None:
    for record in golden_records():
        got = read_html(render(record, layout), engine)

        assert [r.without_source() for r in got] == [record.without_source()], \
            f"{record.hcpcs_code} in layout {layout}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_both_engines_give_the_same_definitions_and_problems(layout: str) -> None:
    page = render_many(golden_records(), layout).encode("utf-8")
    reports = []
    for engine in ENGINES:
        doc = Document("rendered.html", page)
        report = Report(doc)
        list(HtmlReader(engine).read(doc, report))
        reports.append(report)

    assert reports[0].definitions == reports[1].definitions
    assert reports[0].problems == reports[1].problems


@pytest.mark.parametrize("layout", LAYOUTS)
def test_many_sheets_on_one_rendered_page_read_back_in_order(layout: str) -> None:
    records = golden_records()

    got = read_html(render_many(records, layout), "lxml")

    assert [r.without_source() for r in got] == [r.without_source() for r in records]


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown HTML layout 'fancy'"):
        render(golden_records()[0], "fancy")


def test_real_listing_page_agrees_with_the_markdown_listing_of_the_site(
        realdata: Path) -> None:
    site = realdata / "wamuir-hcpcs-2020-rendered"
    page = site / "book.html"
    doc = Document(str(page), page.read_bytes())
    report = Report(doc)

    records = list(HtmlReader("lxml").read(doc, report))

    assert len(records) == 7079
    assert Counter(r.record_type for r in records) == {"procedure": 6710,
                                                       "modifier": 369}
    assert all(r.source.row is not None for r in records)
    markdown = []
    for group in sorted((site / "groups").glob("*.md")):
        md_doc = Document(str(group), group.read_bytes())
        markdown.extend(MarkdownReader().read(md_doc, Report(md_doc)))
    by_key = {r.key: r for r in records}
    assert len(markdown) == 6710
    # The site's HTML has typographic quotes where its markdown has straight
    # ones; text is kept as printed, so they agree once the quotes are folded.
    differing = [r.key for r in markdown
                 if by_key[r.key].without_source() != r.without_source()]
    assert all(_folded(by_key[r.key]) == _folded(r) for r in markdown)
    assert len(differing) == 148
    assert [p.reason for p in report.problems] == ["listing table holds no codes"]


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"',
                         "\u201d": '"'})


def _folded(record: HcpcsRecord) -> dict:
    return {key: value.translate(_QUOTES) if isinstance(value, str) else value
            for key, value in record.without_source().to_dict().items()}
