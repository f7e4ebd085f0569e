"""The markdown reader against exact golden records, and its handling of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcpcs_extract import extract
from hcpcs_extract.batch import read_document
from hcpcs_extract.document import Document

from .conftest import FIXTURES, check_schema

GOLDEN = FIXTURES / "golden" / "markdown"
SHEETS = sorted((FIXTURES / "markdown").rglob("*.md"))


def _golden_for(sheet: Path) -> list[dict]:
    relative = sheet.relative_to(FIXTURES / "markdown").with_suffix(".json")
    return json.loads((GOLDEN / relative).read_text(encoding="utf-8"))


def _problems(path: str) -> list[tuple[str, int | None, str]]:
    doc = Document(path, Path(path).read_bytes(), named=True)
    result = read_document(doc)
    return [(p.severity, p.line, p.reason) for p in result.problems]


def test_fixture_corpus_covers_at_least_twenty_codes():
    codes = {r["hcpcs_code"] for sheet in SHEETS for r in _golden_for(sheet)}
    assert len(codes) >= 20


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.stem + "-" + p.parent.name)
def test_fixture_sheet_gives_its_golden_records(sheet: Path):
    relative = sheet.relative_to(Path.cwd()).as_posix()
    records = [r.to_dict() for r in extract(relative)]

    assert records == _golden_for(sheet)
    for record in records:
        check_schema(record)


def test_seed_sheet_gives_its_golden_record(seed: Path):
    golden = json.loads((FIXTURES / "golden/seed/S9357-sheet.json").read_text())
    records = [r.to_dict() for r in extract("../shared/seeds/S9357-sheet.md")]

    assert records == golden
    check_schema(records[0])


def test_seed_sheet_fields_as_printed(seed: Path):
    (record,) = extract(seed)

    assert record.hcpcs_code == "S9357" and record.record_type == "procedure"
    assert record.short_description == "Hit enzyme replace diem"
    assert record.pricing_indicators[0].code == "00"
    assert record.processing_note_number == "0088"
    assert record.coverage is not None
    assert record.coverage.description == "Not payable by Medicare"
    assert record.anesthesia_base_units == 0
    assert record.code_added_date.isoformat() == "2002-01-01"
    assert record.termination_date is None
    assert (record.status, record.last_update, dict(record.extra)) == (
        "Actual", "2026", {},
    )


def test_empty_file_is_an_error_naming_the_file():
    assert _problems("fixtures/bad/empty.md") == [
        ("error", None, "empty file: no HCPCS sheet found in fixtures/bad/empty.md"),
    ]


def test_markdown_without_a_sheet_is_an_error():
    assert _problems("fixtures/bad/no-sheet.md") == [
        ("error", None, "no HCPCS sheet found in fixtures/bad/no-sheet.md"),
    ]


def test_sheet_without_a_code_is_an_error_at_its_first_row():
    assert _problems("fixtures/bad/no-code.md") == [
        ("error", 1, "sheet without a code"),
    ]


def test_cut_off_row_leaves_its_sheet_out_with_the_line():
    assert _problems("fixtures/bad/cut-off-row.md") == [
        ("error", 5, "cut-off row: '<i>Coverage Co'; sheet S9357 left out"),
    ]


def test_text_that_is_not_utf8_is_read_and_reported_at_its_line():
    doc = Document("fixtures/bad/not-utf8.md",
                   Path("fixtures/bad/not-utf8.md").read_bytes())
    result = read_document(doc)

    assert [(p.severity, p.line, p.reason) for p in result.problems] == [
        ("warning", 4, "not UTF-8 (byte 0x96); decoded as cp1252"),
    ]
    assert result.records[0].long_description.endswith("each \u2013 caf\u00e9")


def test_binary_data_named_md_is_refused():
    assert _problems("fixtures/bad/binary.md") == [
        ("error", None, "binary data that no reader knows: fixtures/bad/binary.md"),
    ]


def test_unknown_labels_and_bad_values_are_kept_in_extra_and_reported():
    (record,) = extract("fixtures/bad/unknown-label.md")

    assert dict(record.extra) == {
        "Medicare Pricing Note": "See fee schedule",
        "Pricing Indicator Code #5": "45",
        "Code Added Date": "1985",
    }
    assert [(s, line) for s, line, _ in _problems("fixtures/bad/unknown-label.md")] \
        == [("warning", 5), ("warning", 6), ("warning", 1)]


def test_escaped_pipes_stay_inside_their_cell(tmp_path: Path):
    sheet = tmp_path / "pipes.md"
    sheet.write_text(
        "| *HCPCS Code* | A4206 | code |\n| --- | --- | --- |\n"
        "| *Long Description* | Syringe \\| needle | text |\n", encoding="utf-8"
    )

    (record,) = extract(sheet)

    assert record.long_description == "Syringe | needle"


def test_two_codes_in_one_sheet_without_a_heading_start_a_second_sheet(
    tmp_path: Path,
):
    sheet = tmp_path / "two.md"
    sheet.write_text(
        "<i>HCPCS Code</i>\tA4206\t\n<i>Code Description</i>\tSyringe\t\n"
        "<i>HCPCS Code</i>\tQE\t\n<i>Code Description</i>\tOxygen\t\n",
        encoding="utf-8",
    )

    records = list(extract(sheet))

    assert [(r.hcpcs_code, r.record_type, r.long_description) for r in records] == [
        ("A4206", "procedure", "Syringe"), ("QE", "modifier", "Oxygen"),
    ]


def test_heading_and_code_row_that_disagree_keep_the_row_and_warn(tmp_path: Path):
    sheet = tmp_path / "mismatch.md"
    sheet.write_text("**A4206**\n\n<i>HCPCS Code</i>\tA4208\t\n"
                     "<i>Code Description</i>\tSyringe\t\n", encoding="utf-8")

    problems = _problems(str(sheet))
    (record,) = extract(sheet)

    assert record.hcpcs_code == "A4208"
    assert problems == [("warning", 1, "heading names A4206 but the code row says"
                         " A4208; the code row is kept")]


@pytest.mark.parametrize("keep", [0.3, 0.5, 0.7, 0.9])
def test_a_sheet_cut_inside_a_row_is_left_out_not_read_short(tmp_path: Path,
                                                             keep: float):
    whole = (FIXTURES / "markdown/vendor/S9357.md").read_bytes()
    body = whole[:whole.index(b"\n\nContact")]
    cut = tmp_path / "cut.md"
    cut.write_bytes(body[:int(len(body) * keep)].rstrip(b"\n"))

    result = read_document(Document(str(cut), cut.read_bytes()))

    assert result.records == []
    assert result.status == "failed"
    assert result.reason.startswith("cut-off row: ")
    assert result.reason.endswith("; sheet S9357 left out")


def test_a_sheet_whose_file_ends_after_a_closed_pipe_row_is_whole(tmp_path: Path):
    sheet = tmp_path / "pipe.md"
    sheet.write_text("| *HCPCS Code* | A4206 | code |\n| --- | --- | --- |\n"
                     "| *Long Description* | Syringe | text |", encoding="utf-8")

    (record,) = extract(sheet)

    assert record.long_description == "Syringe"


def test_a_description_with_no_code_beside_it_is_kept_in_extra(tmp_path: Path):
    sheet = tmp_path / "orphan.md"
    sheet.write_text(
        "**A4206**\n\n<i>HCPCS Code</i>\tA4206\t\n<i>Code Description</i>\tSyringe\t\n"
        "<i>Pricing Indicator Code #1</i>\t00\t\n"
        "<i>Pricing Indicator Code #1 Description</i>\tNot priced\t\n"
        "<i>Coverage Code Description</i>\tNot payable by Medicare\t\n",
        encoding="utf-8",
    )

    (record,) = extract(sheet, strict=False)
    problems = _problems(str(sheet))

    assert record.pricing_indicators[0].description == "Not priced"
    assert record.coverage is None
    assert dict(record.extra) == {"coverage_description": "Not payable by Medicare"}
    assert ("warning", 1, "coverage_description: a description with no code"
            " beside it; kept in extra") in problems
