"""Meanings filled from CMS's tables, disagreements reported, and the record
checks: each rule fails on a bad record and passes on a good one."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from hcpcs_extract.batch import Options, read_document
from hcpcs_extract.cli import main
from hcpcs_extract.codetables import settle_descriptions
from hcpcs_extract.document import Document, Report
from hcpcs_extract.record import Coded, HcpcsRecord, Source
from hcpcs_extract.validate import findings

from .conftest import check_schema

GOOD = HcpcsRecord(
    hcpcs_code="A4206",
    record_type="procedure",
    long_description="Syringe with needle, sterile, 1 cc or less, each",
    short_description="1 cc sterile syringe&needle",
    pricing_indicators=(Coded("00"),),
    multiple_pricing_indicator=Coded("9"),
    lab_certifications=(Coded("010"),),
    coverage=Coded("I", "Not payable by Medicare"),
    processing_note_number="0088",
    betos=Coded("D1A"),
    types_of_service=(Coded("9"), Coded("P")),
    code_added_date=dt.date(1984, 1, 1),
    action_effective_date=dt.date(2002, 1, 1),
    action=Coded("N"),
    source=Source(path="sheet.md", format="markdown", line=3),
)


def _report() -> Report:
    return Report(Document("sheet.md", b""))


def _rules(record: HcpcsRecord) -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in findings(record)]


# Filling and disagreement

def test_missing_meanings_are_filled_and_named_in_source() -> None:
    report = _report()
    record = settle_descriptions(GOOD, report)

    assert record.pricing_indicators[0].description.startswith(
        "Service not separately priced by part B")
    assert record.betos == Coded("D1A", "Medical/surgical supplies")
    assert record.types_of_service[1] == Coded("P", "Lump sum purchase of DME,"
                                                    " prosthetics, orthotics")
    assert record.source is not None
    assert record.source.filled == (
        "pricing_indicators[1]", "multiple_pricing_indicator",
        "lab_certifications[1]", "betos", "types_of_service[1]",
        "types_of_service[2]", "action",
    )
    assert report.problems == []
    check_schema(record)


def test_printed_meaning_is_kept_and_not_named_as_filled() -> None:
    record = settle_descriptions(GOOD, _report())
    assert record.coverage == Coded("I", "Not payable by Medicare")
    assert record.source is not None and "coverage" not in record.source.filled


def test_no_fill_keeps_the_input_as_printed() -> None:
    record = settle_descriptions(GOOD, _report(), fill=False)
    assert record == GOOD


def test_unknown_code_is_left_without_meaning() -> None:
    odd = replace(GOOD, betos=Coded("Q9Q"))
    record = settle_descriptions(odd, _report())
    assert record.betos == Coded("Q9Q")
    assert record.source is not None and "betos" not in record.source.filled


def test_meaning_differing_in_case_and_spacing_agrees() -> None:
    printed = replace(GOOD, coverage=Coded("I", "NOT  payable by\nmedicare"))
    report = _report()
    settle_descriptions(printed, report)
    assert report.problems == []


def test_meaning_with_curly_quotes_agrees() -> None:
    printed = replace(GOOD, multiple_pricing_indicator=Coded(
        "9", "Not applicable as HCPCS not priced separately by part B (pricing"
        " indicator is 00) or value is not established (pricing indicator is"
        " \u201899\u2019)"))
    report = _report()
    settle_descriptions(printed, report)
    assert report.problems == []


def test_meaning_cut_short_with_an_ellipsis_agrees() -> None:
    printed = replace(GOOD, pricing_indicators=(Coded("34", "DME supplies\u2026"),))
    report = _report()
    settle_descriptions(printed, report)
    assert report.problems == []


def test_disagreeing_meaning_is_reported_with_record_and_field() -> None:
    printed = replace(GOOD, types_of_service=(Coded("9"), Coded("P", "Rental")))
    report = _report()
    record = settle_descriptions(printed, report)

    assert record.types_of_service[1] == Coded("P", "Rental")
    [problem] = report.problems
    assert problem.severity == "warning"
    assert (problem.code, problem.field, problem.line) == (
        "A4206", "types_of_service[2]", 3)
    assert "'Rental'" in problem.reason and "Lump sum purchase" in problem.reason


# Rules: each fails on a bad record and passes on a good one

def test_good_record_breaks_no_rule() -> None:
    assert findings(GOOD) == []


@pytest.mark.parametrize("code, kind", [
    ("A4206", "procedure"), ("S9357", "procedure"), ("QE", "modifier"),
    ("A1", "modifier"),
])
def test_level_two_codes_have_the_right_shape(code: str, kind: str) -> None:
    assert _rules(replace(GOOD, hcpcs_code=code, record_type=kind)) == []


@pytest.mark.parametrize("code, kind", [
    ("A420", "procedure"), ("AB206", "procedure"), ("a4206", "procedure"),
    ("Q", "modifier"), ("QEX", "modifier"), ("A4206", "modifier"),
])
def test_misshapen_code_is_a_finding(code: str, kind: str) -> None:
    assert _rules(replace(GOOD, hcpcs_code=code, record_type=kind)) == [
        ("code_shape", "hcpcs_code")]


@pytest.mark.parametrize("code, kind", [
    ("99213", "procedure"), ("0001F", "procedure"), ("0042T", "procedure"),
    ("25", "modifier"), ("1P", "modifier"),
])
def test_cpt_shaped_code_is_flagged_as_level_one(code: str, kind: str) -> None:
    [finding] = findings(replace(GOOD, hcpcs_code=code, record_type=kind))
    assert (finding.rule, finding.field) == ("level_one", "hcpcs_code")
    assert "Level I" in finding.reason


@pytest.mark.parametrize("change, field", [
    ({"pricing_indicators": (Coded("00"), Coded("98"))}, "pricing_indicators[2]"),
    ({"multiple_pricing_indicator": Coded("Z")}, "multiple_pricing_indicator"),
    ({"lab_certifications": (Coded("10"),)}, "lab_certifications[1]"),
    ({"coverage": Coded("X")}, "coverage"),
    ({"betos": Coded("Z3")}, "betos"),
    ({"types_of_service": (Coded("X"),)}, "types_of_service[1]"),
    ({"action": Coded("Z")}, "action"),
])
def test_code_missing_from_cms_table_is_a_finding(change: dict,
                                                 field: str) -> None:
    [finding] = findings(replace(GOOD, **change))
    assert (finding.rule, finding.field) == ("unknown_value", field)
    assert finding.reason.startswith("A4206 ")


def test_processing_note_must_be_four_digits() -> None:
    assert _rules(replace(GOOD, processing_note_number="88")) == [
        ("note_shape", "processing_note_number")]
    # Numbers CMS added after the notes files the table is built from pass.
    assert _rules(replace(GOOD, processing_note_number="0229")) == []


def test_action_effective_before_added_is_a_finding() -> None:
    bad = replace(GOOD, action_effective_date=dt.date(1983, 12, 31))
    assert _rules(bad) == [("date_order", "action_effective_date")]
    same_day = replace(GOOD, action_effective_date=GOOD.code_added_date)
    assert _rules(same_day) == []


def test_termination_not_after_added_is_a_finding() -> None:
    bad = replace(GOOD, termination_date=GOOD.code_added_date)
    assert _rules(bad) == [("date_order", "termination_date")]
    ended = replace(GOOD, termination_date=dt.date(2019, 12, 31))
    assert _rules(ended) == []


def test_short_description_longer_than_28_is_a_finding() -> None:
    bad = replace(GOOD, short_description="x" * 29)
    assert _rules(bad) == [("short_description", "short_description")]
    assert _rules(replace(GOOD, short_description="x" * 28)) == []


# Through the batch and the command line

SHEET = (
    "**A4206**\n\n"
    "<i>HCPCS Code</i>\tA4206\tcode\n"
    "<i>Code Description</i>\tSyringe with needle, sterile, 1 cc or less, each\t\n"
    "<i>Short Description</i>\t{short}\t\n"
    "<i>Pricing Indicator Code #1</i>\t00\t\n"
    "<i>Coverage Code</i>\tI\t\n"
    "<i>Coverage Code Description</i>\t{coverage}\t\n"
    "<i>Action Code</i>\tN\t\n"
)


def _sheet(tmp_path: Path, short: str = "1 cc sterile syringe&needle",
           coverage: str = "Not payable by Medicare") -> Path:
    path = tmp_path / "a4206.md"
    path.write_text(SHEET.format(short=short, coverage=coverage), encoding="utf-8")
    return path


def _read(path: Path, **options: object):
    doc = Document(str(path), path.read_bytes(), named=True)
    return read_document(doc, Options(**options))  # type: ignore[arg-type]


def test_batch_fills_meanings_by_default(tmp_path: Path) -> None:
    result = _read(_sheet(tmp_path))
    [record] = result.records
    assert record.action == Coded("N", "No maintenance for this code")
    assert record.source is not None
    assert record.source.filled == ("pricing_indicators[1]", "action")
    assert result.problems == []


def test_batch_without_fill_keeps_input_as_printed(tmp_path: Path) -> None:
    [record] = _read(_sheet(tmp_path), fill_descriptions=False).records
    assert record.action == Coded("N")
    assert record.source is not None and record.source.filled == ()


def test_batch_warns_where_sheet_and_cms_disagree(tmp_path: Path) -> None:
    result = _read(_sheet(tmp_path, coverage="Covered by Medicare"))
    [problem] = result.problems
    assert (problem.severity, problem.code, problem.field) == (
        "warning", "A4206", "coverage")
    assert result.status == "converted"


def test_batch_reports_findings_as_warnings(tmp_path: Path) -> None:
    result = _read(_sheet(tmp_path, short="A short description far too long"))
    [problem] = result.problems
    assert (problem.severity, problem.code, problem.field) == (
        "warning", "A4206", "short_description")
    assert len(result.records) == 1


def test_cli_strict_turns_a_finding_into_an_error(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, short="A short description far too long")

    assert main(["convert", str(sheet), "-o", str(tmp_path / "lax"), "-q"]) == 0
    assert main(["convert", str(sheet), "-o", str(tmp_path / "strict"), "-q",
                 "--strict"]) == 1
    errors = [json.loads(line) for line in
              (tmp_path / "strict" / "errors.jsonl").read_text().splitlines()]
    assert [(e["severity"], e["field"]) for e in errors] == [
        ("error", "short_description")]


def test_cli_strict_passes_a_clean_sheet(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path)
    assert main(["convert", str(sheet), "-o", str(tmp_path / "out"), "-q",
                 "--strict"]) == 0


def test_cli_no_fill_writes_meanings_as_printed(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path)
    assert main(["convert", str(sheet), "-o", str(tmp_path / "out"), "-q",
                 "--no-fill"]) == 0
    record = json.loads((tmp_path / "out" / "records.jsonl").read_text())
    assert record["action"] == {"code": "N", "description": None}
    assert record["source"]["filled"] == []
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["options"]["fill_descriptions"] is False
