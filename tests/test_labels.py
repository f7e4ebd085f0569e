"""Labels as sheets print them, matched to canonical fields."""

from __future__ import annotations

import datetime as dt

import pytest

from hcpcs_extract.labels import LabelMatch, match_label
from hcpcs_extract.values import parse_date


@pytest.mark.parametrize(("label", "expected"), [
    ("<i>HCPCS Code</i>", LabelMatch("hcpcs_code", None)),
    ("Code Description", LabelMatch("long_description", None)),
    ("long  DESCRIPTION", LabelMatch("long_description", None)),
    ("HCPCS Pricing Indicator Code #1", LabelMatch("pricing_indicators", 1)),
    ("Pricing Indicator Code #3", LabelMatch("pricing_indicators", 3)),
    ("Pricing Indicator Code #1 Description",
     LabelMatch("pricing_indicators", 1, "description")),
    ("Pricing Indicator #2", LabelMatch("pricing_indicators", 2, "description")),
    ("Multiple Pricing Indicator Code Description",
     LabelMatch("multiple_pricing_indicator", None, "description")),
    ("Coverage Code", LabelMatch("coverage", None)),
    ("HCPCS Coverage", LabelMatch("coverage", None, "description")),
    ("Berenson-Eggers Type Of Service Code", LabelMatch("betos", None)),
    ("Type Of Service Code #1 Description",
     LabelMatch("types_of_service", 1, "description")),
    ("Lab Certification Code", LabelMatch("lab_certifications", 1)),
    ("**Action Code:**", LabelMatch("action", None)),
    ("Last Update Date", LabelMatch("last_update", None)),
])
def test_label_names_its_field(label: str, expected: LabelMatch):
    assert match_label(label) == expected


@pytest.mark.parametrize("label", ["Medicare Pricing Note", "Coverage Code #2", ""])
def test_unknown_label_matches_nothing(label: str):
    assert match_label(label) is None


@pytest.mark.parametrize("text", ["20020101", "2002-01-01", "01/01/2002",
                                  "Jan 1, 2002", "January 1, 2002"])
def test_dates_in_every_printed_form(text: str):
    assert parse_date(text) == dt.date(2002, 1, 1)


@pytest.mark.parametrize("text", ["2026", "20021301", "Jan 2002", ""])
def test_a_year_or_an_impossible_date_is_not_a_date(text: str):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("cells", "expected"), [
    (["Field", "Value", "Meaning"], True),
    (["**Label**", "_value_", ""], True),
    (["HCPCS Code", "A4206", "code"], False),
    (["Code", "S9357"], False),
])
def test_a_header_row_holds_header_words_only(cells: list[str], expected: bool):
    from hcpcs_extract.labels import is_header_row

    assert is_header_row(cells) is expected
