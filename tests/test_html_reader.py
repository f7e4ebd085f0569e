"""The HTML reader: fixture pages against exact goldens, on both engines, and one
test per page shape it must read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcpcs_extract.batch import read_document
from hcpcs_extract.document import Document, Report
from hcpcs_extract.errors import NoSheetFound
from hcpcs_extract.readers import find_reader
from hcpcs_extract.readers.html import ENGINE_VARIABLE, ENGINES, HtmlReader
from hcpcs_extract.readers.markdown import MarkdownReader
from hcpcs_extract.record import Coded, HcpcsRecord
from tests.conftest import FIXTURES, check_schema

PAGES = FIXTURES / "html"
GOLDEN = FIXTURES / "golden" / "html"
GOLDEN_PAGES = sorted(
    p.relative_to(PAGES).as_posix() for p in PAGES.rglob("*.html")
    if (GOLDEN / p.relative_to(PAGES).with_suffix(".json")).is_file()
)


def read_page(path: str | Path, engine: str = "lxml") -> tuple[list[HcpcsRecord],
                                                                 Report]:
    path = Path(path)
    name = path.relative_to(FIXTURES.parent).as_posix() if path.is_absolute() \
        else path.as_posix()
    doc = Document(name, path.read_bytes())
    report = Report(doc)
    return list(HtmlReader(engine).read(doc, report)), report


def read_text(page: str | bytes, engine: str = "lxml",
              name: str = "page.html") -> tuple[list[HcpcsRecord], Report]:
    data = page.encode("utf-8") if isinstance(page, str) else page
    doc = Document(name, data)
    report = Report(doc)
    return list(HtmlReader(engine).read(doc, report)), report


def sheet(rows: str, heading: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
            f"{heading}{rows}</body></html>")


TWO_ROWS = ("<tr><td>HCPCS Code</td><td>E0100</td></tr>"
            "<tr><td>Long Description</td><td>Cane, with tip</td></tr>")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


# Goldens


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_fixture_page_gives_its_golden_records(page: str, engine: str) -> None:
    records, _ = read_page(f"fixtures/html/{page}", engine)

    golden = json.loads((GOLDEN / page).with_suffix(".json").read_text("utf-8"))
    assert [r.to_dict() for r in records] == golden
    for record in records:
        check_schema(record)


def test_there_are_goldens_for_at_least_four_sheet_layouts() -> None:
    layouts = {page.split("/")[0] for page in GOLDEN_PAGES}
    assert {"vendor", "portal", "definition_list", "div_pairs", "two_column"} <= layouts


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_engines_give_the_same_definitions_and_problems(page: str) -> None:
    _, fast = read_page(f"fixtures/html/{page}", "lxml")
    _, reference = read_page(f"fixtures/html/{page}", "bs4")

    assert fast.definitions == reference.definitions
    assert fast.problems == reference.problems


def test_vendor_page_gives_the_record_of_the_seed_sheet(seed: Path,
                                                       engine: str) -> None:
    doc = Document("seed.md", seed.read_bytes())
    expected = list(MarkdownReader().read(doc, Report(doc)))

    records, report = read_page(PAGES / "vendor" / "S9357.html", engine)

    assert [r.without_source() for r in records] == \
        [r.without_source() for r in expected]
    assert not report.problems


def test_vendor_meanings_become_definitions_without_markup(engine: str) -> None:
    _, report = read_page(PAGES / "vendor" / "S9357.html", engine)

    code = next(d for d in report.definitions if d.column == "hcpcs_code")
    assert code.text.startswith("The Healthcare Common Procedure Coding System")
    assert "\n\nLevel I Codes and descriptors" in code.text
    assert "<" not in code.text


# Header-row tables


def test_header_row_of_field_value_meaning_is_not_a_field(engine: str) -> None:
    page = sheet("<table><tr><th>Field</th><th>Value</th><th>Meaning</th></tr>"
                 + TWO_ROWS + "</table>")

    records, report = read_text(page, engine)

    assert [r.hcpcs_code for r in records] == ["E0100"]
    assert records[0].extra == {}
    assert not report.problems


def test_labels_prefixed_hcpcs_in_th_cells_name_their_fields(engine: str) -> None:
    records, _ = read_page(PAGES / "portal" / "E0100.html", engine)

    assert records[0].mcm_references == ("2100.1",)
    assert records[0].cim_references == ("60-3", "60-9")


def test_nbsp_padding_and_entities_do_not_reach_values(engine: str) -> None:
    page = sheet("<table><tr><th>HCPCS Code</th><td>&nbsp;E0100&#160;</td></tr>"
                 "<tr><th>HCPCS Long Description</th>"
                 "<td>Cane &amp; tip &#8211; &lt;1 lb</td></tr>"
                 "<tr><th>HCPCS Pricing Indicator Code #1</th><td>&nbsp;&nbsp;32</td>"
                 "</tr></table>")

    records, _ = read_text(page, engine)

    assert records[0].hcpcs_code == "E0100"
    assert records[0].long_description == "Cane & tip \u2013 <1 lb"
    assert records[0].pricing_indicators == (Coded("32"),)


def test_short_decoded_labels_describe_the_code_above(engine: str) -> None:
    records, _ = read_page(PAGES / "portal" / "E0100.html", engine)

    assert records[0].types_of_service[1] == Coded(
        "P", "Lump sum purchase of DME, prosthetics, orthotics")
    assert records[0].pricing_indicators[0].description.startswith("Inexpensive &")


def test_meaning_with_br_and_list_becomes_lines_of_text(engine: str) -> None:
    _, report = read_page(PAGES / "portal" / "E0100.html", engine)

    texts = {d.column: d.text for d in report.definitions}
    assert texts["hcpcs_code"] == (
        "The HCPCS code.\nLevel II codes are a letter and four digits.")
    assert "- 32 \u2013 inexpensive & routinely purchased DME" in \
        texts["pricing_indicator_1"]


# Two-column tables, definition lists, div/span pairs


def test_two_column_table_without_meanings(engine: str) -> None:
    records, report = read_page(PAGES / "two_column" / "A5501-windows-1252.html",
                                engine)

    assert records[0].types_of_service == (Coded("J", "Diabetic shoes (eff 04/95)"),)
    assert report.definitions == []


def test_definition_list_with_and_without_div_wrappers(engine: str) -> None:
    records, report = read_page(PAGES / "definition_list" / "A4216.html", engine)

    assert records[0].short_description == "Sterile water/saline, 10 ml"
    assert records[0].types_of_service[2] == Coded("P")
    price = next(d for d in report.definitions if d.column == "pricing_indicator_1")
    assert price.text.endswith("\n\nA procedure may have one to four pricing codes.")


def test_footer_definition_list_with_one_known_label_is_not_a_sheet(
        engine: str) -> None:
    records, _ = read_page(PAGES / "definition_list" / "A4216.html", engine)

    assert [r.hcpcs_code for r in records] == ["A4216"]
    assert records[0].extra == {}


def test_span_pairs_in_divs_with_colons_after_labels(engine: str) -> None:
    records, _ = read_page(PAGES / "div_pairs" / "J7518.html", engine)

    assert records[0].mcm_references == ("2050.5", "4471", "5249")
    assert records[0].anesthesia_base_units == 0
    assert records[0].status == "Active"
    assert records[0].extra == {}


# Page furniture


def test_layout_table_nav_scripts_styles_and_comments_are_not_fields(
        engine: str) -> None:
    records, report = read_page(PAGES / "portal" / "E0100.html", engine)

    assert [r.hcpcs_code for r in records] == ["E0100"]
    assert not report.problems


def test_table_inside_a_field_cell_is_never_taken_for_fields(engine: str) -> None:
    records, _ = read_page(PAGES / "portal" / "E0100.html", engine)

    # The coverage meaning holds a table of codes with a `HCPCS Code | C` row.
    assert records[0].coverage == Coded("D", "Special coverage instructions apply")
    assert records[0].hcpcs_code == "E0100"


def test_search_form_table_with_known_labels_but_no_values_is_not_a_sheet(
        engine: str) -> None:
    page = sheet("<form><table><tr><td>Code</td><td><input name=q></td></tr>"
                 "<tr><td>Description</td><td><input name=d></td></tr></table>"
                 "</form><table>" + TWO_ROWS + "</table>")

    records, report = read_text(page, engine)

    assert [r.hcpcs_code for r in records] == ["E0100"]
    assert not report.problems


def test_sheet_inside_a_layout_table_cell_is_read(engine: str) -> None:
    page = sheet("<table><tr><td>menu</td><td><table>" + TWO_ROWS
                 + "</table></td></tr></table>")

    records, _ = read_text(page, engine)

    assert [r.hcpcs_code for r in records] == ["E0100"]


# Encodings


def test_meta_charset_utf8_page(engine: str) -> None:
    records, report = read_page(PAGES / "vendor" / "S9357.html", engine)

    assert records[0].hcpcs_code == "S9357"
    assert not report.problems


def test_http_equiv_content_type_names_the_charset(engine: str) -> None:
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html;"
            " charset=iso-8859-1'></head><body><table>"
            "<tr><td>HCPCS Code</td><td>E0100</td></tr>"
            "<tr><td>Long Description</td><td>Cane \xb7 tip</td></tr>"
            "</table></body></html>").encode("latin-1")

    records, report = read_text(page, engine)

    assert records[0].long_description == "Cane \u00b7 tip"
    assert not report.problems


def test_byte_order_mark_wins_over_a_declared_charset(engine: str) -> None:
    records, report = read_page(PAGES / "div_pairs" / "J7518.html", engine)

    assert records[0].hcpcs_code == "J7518"
    assert not report.problems


def test_utf16_page_with_byte_order_mark(engine: str) -> None:
    page = sheet("<table>" + TWO_ROWS.replace("Cane", "Can\u00e9")
                 + "</table>").encode("utf-16")

    records, _ = read_text(page, engine)

    assert records[0].long_description == "Can\u00e9, with tip"


def test_undeclared_windows_1252_page_is_detected_and_reported(engine: str) -> None:
    records, report = read_page(PAGES / "two_column" / "A5501-windows-1252.html",
                                engine)

    assert "patient\u2019s foot" in records[0].long_description
    assert records[0].extra == {
        "Reviewer\u2019s note": "Fitting \u2013 molded from a cast \u00bd size up"}
    assert "page declares no charset and is not UTF-8; read as windows-1252" in \
        [p.reason for p in report.problems]


def test_wrongly_declared_utf8_page_is_read_as_what_it_is(engine: str) -> None:
    records, report = read_page(PAGES / "pages" / "wrong-charset-G0328.html",
                                engine)

    assert records[0].betos == Coded(
        "T1H", "Lab tests \u2013 other (non-Medicare fee schedule)")
    assert report.problems[0].reason == (
        "page declares utf-8 but its bytes do not fit it; read as windows-1252")


def test_page_declaring_latin1_but_written_in_utf8_is_read_as_utf8(
        engine: str) -> None:
    page = sheet("<table>" + TWO_ROWS.replace("Cane", "Can\u00e9")
                 + "</table>").replace("charset='utf-8'", "charset='iso-8859-1'")

    records, report = read_text(page.encode("utf-8"), engine)

    assert records[0].long_description == "Can\u00e9, with tip"
    assert report.problems[0].reason == (
        "page declares iso-8859-1 but its bytes are UTF-8; read as UTF-8")


def test_external_entities_are_never_loaded(engine: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    page = (f"<!DOCTYPE html [<!ENTITY x SYSTEM \"file://{secret}\">]><html><body>"
            "<table><tr><td>HCPCS Code</td><td>E0100</td></tr>"
            "<tr><td>Long Description</td><td>Cane &x;</td></tr></table>"
            "</body></html>")

    records, _ = read_text(page, engine)

    assert "SECRET" not in records[0].long_description


# Several sheets, repeated headings, broken markup


def test_several_sheets_on_one_page_split_at_code_rows_and_headings(
        engine: str) -> None:
    records, _ = read_page(PAGES / "pages" / "several-sheets.html", engine)

    assert [r.hcpcs_code for r in records] == ["QE", "A4216", "G0328"]
    assert records[0].record_type == "modifier"
    assert records[2].lab_certifications[1] == Coded("400", "Hematology")


def test_repeated_heading_continues_the_sheet_it_names(engine: str) -> None:
    records, report = read_page(PAGES / "pages" / "repeated-headings.html", engine)

    assert [r.hcpcs_code for r in records] == ["J7518"]
    assert records[0].types_of_service == (Coded("1"), Coded("G"))
    assert records[0].statute_number == "1861(s)(2)(J)"
    assert not report.problems


def test_unclosed_cells_rows_and_tags_are_read_as_a_browser_would(
        engine: str) -> None:
    records, report = read_page(PAGES / "pages" / "malformed-QE.html", engine)

    # After an unclosed <b> lxml nests the next rows in a cell; they still count.
    assert records[0].coverage == Coded("C", "Carrier judgment")
    assert records[0].action == Coded("N")
    assert not report.problems


def test_label_row_without_a_value_cell_fails_its_sheet(engine: str) -> None:
    page = sheet("<table>" + TWO_ROWS + "<tr><td>Coverage Code</td></tr></table>")

    records, report = read_text(page, engine)

    assert records == []
    assert report.errors[0].reason == (
        "row 'Coverage Code' has no value; sheet E0100 left out")
    assert report.errors[0].row == 3


def test_unknown_label_goes_to_extra_and_is_reported(engine: str) -> None:
    page = sheet("<table>" + TWO_ROWS + "<tr><td>Fee Schedule</td><td>Yes</td>"
                 "</tr></table>")

    records, report = read_text(page, engine)

    assert records[0].extra == {"Fee Schedule": "Yes"}
    assert report.warnings[0].reason == \
        "unrecognised label 'Fee Schedule' kept in extra"


# Pages without sheets


def test_page_without_a_sheet_raises_no_sheet_found(engine: str) -> None:
    with pytest.raises(NoSheetFound, match="no HCPCS sheet found in "
                       "fixtures/html/pages/no-sheet.html"):
        read_page("fixtures/html/pages/no-sheet.html", engine)


def test_page_without_a_sheet_fails_in_a_batch_with_the_file_named() -> None:
    path = "fixtures/html/pages/no-sheet.html"
    result = read_document(Document(path, Path(path).read_bytes(), named=True))

    assert result.status == "failed"
    assert result.records == []
    assert result.reason == f"no HCPCS sheet found in {path}"


def test_empty_page_raises_no_sheet_found(engine: str) -> None:
    with pytest.raises(NoSheetFound, match="empty file"):
        read_text(b"   \n", engine)


# Listing pages


def test_listing_page_joins_continuation_rows(engine: str) -> None:
    records, _ = read_page(PAGES / "listing" / "listing.html", engine)

    assert [r.hcpcs_code for r in records] == ["QE", "G0328", "G0503"]
    assert records[2].long_description.endswith(
        "in consultation with a psychiatric consultant, and directed by the"
        " treating physician or other")


def test_empty_listing_table_is_reported(engine: str) -> None:
    _, report = read_page(PAGES / "listing" / "listing.html", engine)

    assert [(p.reason, p.row) for p in report.problems] == [
        ("listing table holds no codes", 8)]


def test_listing_row_with_missing_cells_is_an_error_naming_the_row(
        engine: str) -> None:
    page = sheet("<table><tr><th>HCPC</th><th>RECID</th><th>LONG DESCRIPTION</th>"
                 "</tr><tr><td>A0021</td><td>3</td><td>Ambulance</td></tr>"
                 "<tr><td>A0080</td><td>3</td></tr></table>")

    records, report = read_text(page, engine)

    assert [r.hcpcs_code for r in records] == ["A0021"]
    assert (report.errors[0].reason, report.errors[0].row) == (
        "listing row has 2 cells, the header 3", 3)


# Choosing the reader and the engine


def test_html_page_is_sniffed_as_html_and_markdown_as_markdown(seed: Path) -> None:
    page = Path("fixtures/html/vendor/S9357.html")
    html_doc = Document(page.as_posix(), page.read_bytes())
    md_doc = Document("S9357.md", seed.read_bytes())

    assert find_reader(html_doc).format == "html"
    assert find_reader(md_doc).format == "markdown"


def test_engine_comes_from_the_environment_when_not_given(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "bs4")
    assert HtmlReader().chosen_engine() == "bs4"

    monkeypatch.setenv(ENGINE_VARIABLE, "regex")
    with pytest.raises(ValueError, match="HCPCS_HTML_ENGINE='regex'"):
        HtmlReader().chosen_engine()


def test_default_engine_is_the_fast_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert HtmlReader().chosen_engine() == "lxml"


def test_meaning_cells_with_and_without_attributes_define_alike_on_both_engines(
) -> None:
    page = sheet("<table>" + TWO_ROWS
                 + "<tr><td>Coverage Code</td><td>D</td>"
                 "<td class='m' title='a &gt; b'><p>Medicare <b>coverage</b>"
                 " status.</p><ul><li>C &amp; D</li></ul></td></tr>"
                 "<tr><td>Action Code</td><td>N</td>"
                 "<td><p>The change&nbsp;made.</p><br>To a code.</td></tr></table>")

    _, fast = read_text(page, "lxml")
    _, reference = read_text(page, "bs4")

    assert fast.definitions == reference.definitions
    assert [d.text for d in fast.definitions] == [
        "Medicare coverage status.\n\n- C & D", "The change made.\n\nTo a code."]


def test_control_characters_are_replaced_and_reported(engine: str) -> None:
    page = sheet("<table><tr><td>HCPCS Code</td><td>E0100</td></tr>"
                 "<tr><td>Long Description</td><td>Cane\x01 with\x0ctip</td></tr>"
                 "</table>")

    records, report = read_text(page, engine)

    assert records[0].long_description == "Cane\ufffd with tip"
    assert [p.reason for p in report.problems] == [
        "1 control characters replaced by U+FFFD"]


def test_a_page_cut_inside_a_table_fails_instead_of_losing_rows():
    import json

    from hcpcs_extract.record import HcpcsRecord
    from tests.support.render_html import render

    golden = FIXTURES / "golden/markdown/vendor/A4206.json"
    record = HcpcsRecord.from_dict(json.loads(golden.read_text())[0])
    page = render(record, "vendor")
    cut = page[:page.rindex("</table>") - 20]

    result = read_document(Document("cut.html", cut.encode()))

    assert result.status == "failed" and result.records == []
    assert result.reason == ("cut.html ends inside a table (1 <table>, 0 </table>):"
                             " cut short?")
