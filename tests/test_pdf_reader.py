"""The PDF reader, on both engines, against exact goldens; what it refuses."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from hcpcs_extract.batch import read_document
from hcpcs_extract.document import Document, Report
from hcpcs_extract.errors import InputError
from hcpcs_extract.inputs import Limits, reset_limits, set_limits
from hcpcs_extract.pdf_engines import ENGINES
from hcpcs_extract.readers.pdf import PdfReader, PdfSettings
from hcpcs_extract.record import HcpcsRecord

from .conftest import FIXTURES, check_schema
from .support.render_pdf import LAYOUTS, PRODUCERS, render, render_many

SHEETS = sorted((FIXTURES / "pdf").glob("*.pdf"))
BAD = FIXTURES / "pdf" / "bad"
MARKDOWN_GOLDEN = FIXTURES / "golden" / "markdown" / "vendor"
NOT_SHEETS = (
    "cms-2017/2017-Alpha-Numeric-Index.pdf", "cms-2017/2017-Table-of-Drugs.pdf",
    "cms-2018/2018-HCPCS-Index.pdf", "cms-2018/2018-Table-of-Drugs.pdf",
    "cms-2019/2019-HCPCS-Index.pdf", "cms-2019/2019-Table-of-Drugs.pdf",
)


def _read(path: str, engine: str, data: bytes | None = None,
          **limits: float) -> tuple[list[HcpcsRecord], Report]:
    """Reads with the given engine and the run's limits changed as named."""
    doc = Document(path, Path(path).read_bytes() if data is None else data)
    report = Report(doc)
    reader = PdfReader(PdfSettings(engine=engine))
    token = set_limits(replace(Limits(), **limits))  # type: ignore[arg-type]
    try:
        return list(reader.read(doc, report)), report
    finally:
        reset_limits(token)


def _refusal(path: Path, engine: str) -> str:
    with pytest.raises(InputError) as caught:
        _read(path.relative_to(Path.cwd()).as_posix(), engine)
    return caught.value.reason


def _markdown_records() -> list[HcpcsRecord]:
    records = []
    for path in sorted(MARKDOWN_GOLDEN.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            records.append(HcpcsRecord.from_dict(item))
    return records


def test_fixtures_cover_every_producer_and_layout():
    names = {p.stem for p in SHEETS}
    assert len(SHEETS) >= 15
    assert {"rotated-page", "fake-bold-drawn-twice", "ligatures", "letter-spaced",
            "many-back-to-back", "many-code-per-page", "zebra-no-rules",
            "plain-no-rules-no-shading"} <= names


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.stem)
def test_fixture_pdf_gives_its_golden_records(sheet: Path, engine: str):
    relative = sheet.relative_to(Path.cwd()).as_posix()
    golden = FIXTURES / "golden" / "pdf" / f"{sheet.stem}.json"

    records, report = _read(relative, engine)

    assert [r.to_dict() for r in records] == json.loads(golden.read_text("utf-8"))
    assert report.problems == []
    for record in records:
        check_schema(record)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("producer", PRODUCERS)
def test_every_markdown_fixture_code_reads_the_same_from_pdf(producer: str,
                                                             engine: str):
    expected = [r.without_source() for r in _markdown_records()]
    assert len({r.hcpcs_code for r in expected}) >= 20

    for record in expected:
        data = render(record, producer, "boxed")
        (got,), _ = _read(f"{record.hcpcs_code}.pdf", engine, data)
        assert got.without_source() == record


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("layout", ["plain", "zebra"])
def test_many_sheets_back_to_back_never_share_rows(layout: str, engine: str):
    expected = [r.without_source() for r in _markdown_records()]
    data = render_many(expected, "reportlab", layout)

    got, report = _read("bundle.pdf", engine, data)

    assert [r.without_source() for r in got] == expected
    assert report.problems == []


def test_layouts_and_producers_are_what_the_harness_walks():
    assert set(PRODUCERS) == {"reportlab", "fpdf2"}
    assert {"boxed", "zebra", "plain", "rotated"} <= set(LAYOUTS)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name, reason", [
    ("no-text-layer.pdf", "no text layer in fixtures/pdf/bad/no-text-layer.pdf:"
                          " a scanned image?"),
    ("encrypted.pdf", "cannot open fixtures/pdf/bad/encrypted.pdf: encrypted: it"
                      " needs a password"),
    ("unmapped-glyphs.pdf", "fixtures/pdf/bad/unmapped-glyphs.pdf: page 1 has glyphs"
                            " that do not map to text (cid:NN); its fonts lack a"
                            " ToUnicode map"),
    ("truncated.pdf", "truncated or corrupt PDF: fixtures/pdf/bad/truncated.pdf has"
                      " no end of file marker"),
    ("not-a-sheet.pdf", "no HCPCS sheet found in fixtures/pdf/bad/not-a-sheet.pdf"),
    ("sideways-text.pdf", "fixtures/pdf/bad/sideways-text.pdf: page 1: its text runs"
                          " sideways on the page as shown; such pages are not read"),
])
def test_unreadable_pdf_is_refused_with_its_reason(name: str, reason: str,
                                                   engine: str):
    assert _refusal(BAD / name, engine) == reason


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_pdf_is_refused_naming_the_file(engine: str):
    reason = _refusal(BAD / "corrupt.pdf", engine)

    assert reason.startswith("cannot open fixtures/pdf/bad/corrupt.pdf: corrupt or"
                             " not a PDF inside")


def test_bad_pdf_fails_its_document_and_the_batch_goes_on():
    paths = [BAD / "encrypted.pdf", FIXTURES / "pdf" / "ligatures.pdf"]
    results = [read_document(Document(p.as_posix(), p.read_bytes(), named=True))
               for p in paths]

    assert [r.status for r in results] == ["failed", "converted"]
    assert len(results[1].records) == 1


def _page_count(path: str) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(path))


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_over_the_page_limit_is_refused(engine: str):
    path = "fixtures/pdf/many-code-per-page.pdf"
    pages = _page_count(path)
    assert pages > 2

    with pytest.raises(InputError, match=f"has {pages} pages, more than the limit"
                                         r" of 2 \(--max-pdf-pages\)$"):
        _read(path, engine, max_pdf_pages=2)


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_over_the_time_limit_is_refused(engine: str):
    path = "fixtures/pdf/many-code-per-page.pdf"
    pages = _page_count(path)

    with pytest.raises(InputError, match=rf"gave up after 1e-09 s .* at page 1 of"
                                         rf" {pages}$"):
        _read(path, engine, max_document_seconds=1e-9)


@pytest.mark.parametrize("name", NOT_SHEETS)
def test_cms_index_pdfs_hold_no_sheet(realdata: Path, name: str):
    path = realdata / name
    with pytest.raises(InputError, match="^no HCPCS sheet found in "):
        _read(path.as_posix(), "pdfium")


def test_cms_table_of_drugs_holds_no_sheet_for_the_reference_engine(realdata: Path):
    path = realdata / "cms-2017/2017-Table-of-Drugs.pdf"
    with pytest.raises(InputError, match="^no HCPCS sheet found in "):
        _read(path.as_posix(), "pdfplumber")


@pytest.fixture
def pdf_settings():
    """The CLI's PDF options change module settings; put them back after."""
    from hcpcs_extract.readers import pdf

    saved = pdf.SETTINGS.engine
    yield pdf.SETTINGS
    pdf.configure(saved)


def test_convert_gives_the_same_records_with_either_engine(tmp_path: Path,
                                                           pdf_settings):
    from hcpcs_extract.cli import main

    outputs = []
    for engine in ENGINES:
        out = tmp_path / engine
        code = main(["convert", "fixtures/pdf", "--out", str(out), "--quiet",
                     "--pdf-engine", engine])
        assert code == 1  # the files under fixtures/pdf/bad fail
        assert pdf_settings.engine == engine
        outputs.append((out / "records.jsonl").read_bytes())

    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 24


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("producer", PRODUCERS)
def test_hyphen_before_a_space_stays_a_hyphen(producer: str, engine: str):
    # pdfium hands such hyphens out as U+FFFE, its mark for a hyphenated break.
    (record,) = [r.without_source() for r in _markdown_records()
                 if r.hcpcs_code == "A0021"]
    text = ("Addition to lower extremity, thigh/weight bearing, quadri- lateral"
            " brim, molded to patient model")
    record = replace(record, long_description=text)

    (got,), _ = _read("hyphen.pdf", engine, render(record, producer, "zebra"))

    assert got.long_description == text


def test_file_named_pdf_that_is_not_one_is_refused():
    doc = Document("notes.pdf", b"<html><body>S9357</body></html>")
    with pytest.raises(InputError, match="^not a PDF inside: notes.pdf does not"
                                         " start with %PDF-$"):
        list(PdfReader().read(doc, Report(doc)))


def test_a_page_pdfium_cannot_load_fails_the_file_with_its_page():
    data = (FIXTURES / "pdf" / "ligatures.pdf").read_bytes()
    broken = data.replace(b"/Type /Page\n", b"/Type /Pagx\n", 1)

    result = read_document(Document("broken-page.pdf", broken))

    assert result.status == "failed"
    assert result.reason == ("broken-page.pdf: page 1 cannot be read: Failed to"
                             " load page.")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("layout", ["zebra", "portal"])
def test_a_word_too_long_for_its_cell_is_joined_back_without_a_space(
        engine: str, layout: str):
    # T4535's description holds one word longer than the value column, which
    # fpdf2 breaks inside itself.
    record = replace(
        _markdown_records()[0], hcpcs_code="T4535", record_type="procedure",
        long_description="Disposable liner/shield/guard/pad/undergarment, for"
                         " incontinence, each",
        source=None,
    )
    data = render(record, "fpdf2", layout)

    (got,), _ = _read("T4535.pdf", engine, data)

    assert got.long_description == record.long_description
