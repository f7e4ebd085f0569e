"""The wamuir 2020 listing tables (a real site's rendering of January 2020) held
against CMS's April 2020 release.

The site's HTML turns straight quotes into typographic ones; its markdown does not,
but quotes are folded before comparing all the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hcpcs_extract import extract

from .conftest import check_schema

TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"',
                             "\u201d": '"'})
# Codes whose long description CMS corrected in the April file without an action
# code saying so (added in January 2020, action N in April).
SILENT_CORRECTIONS = {"L2006": "swing and/or stance -> swing and stance"}


@pytest.fixture(scope="module")
def april(realdata: Path) -> dict[str, object]:
    return {r.hcpcs_code: r for r in extract(realdata / "cms-2020-apr/anweb.xlsx")}


@pytest.fixture(scope="module")
def listing(realdata: Path) -> list:
    return list(extract(realdata / "wamuir-hcpcs-2020-rendered/groups"))


def test_listing_tables_give_6710_procedures(listing: list):
    assert len(listing) == 6710
    assert {r.record_type for r in listing} == {"procedure"}
    assert len({r.hcpcs_code for r in listing}) == 6710
    check_schema(listing[0])


def test_continuation_rows_join_the_long_description(listing: list):
    (g0503,) = [r for r in listing if r.hcpcs_code == "G0503"]

    assert g0503.long_description.endswith(
        "remission of symptoms and/or other treatment goals and are prepared for"
        " discharge from active treatment")


def test_every_code_is_in_april_2020_and_each_difference_is_explained(
    listing: list, april: dict,
):
    explained: dict[str, str] = {}
    for record in listing:
        cms = april[record.hcpcs_code]
        printed = record.long_description.translate(TYPOGRAPHIC)
        if printed == cms.long_description:
            continue
        explained[record.hcpcs_code] = _why(record.hcpcs_code, printed, cms)

    assert sorted(explained.values()).count("changed by CMS in April") == 3
    assert sorted(explained.values()).count("dash lost as ? in January") == 9
    assert explained["L2006"] == "silent correction"
    assert len(explained) == 13


def _why(code: str, printed: str, cms) -> str:
    if cms.action.code in ("B", "C") and cms.action_effective_date.isoformat() \
            >= "2020-04-01":
        return "changed by CMS in April"
    if "?" in printed and _dash_lost(printed, cms.long_description):
        return "dash lost as ? in January"
    if code in SILENT_CORRECTIONS:
        return "silent correction"
    raise AssertionError(f"{code}: unexplained difference: {printed!r}"
                         f" != {cms.long_description!r}")


def _dash_lost(printed: str, cms_text: str) -> bool:
    """Equal once each `?` is a dash and spaces around dashes are gone."""
    def fold(text: str) -> str:
        return re.sub(r"\s*[-\u2013\u2014]\s*", "-", text)

    return fold(printed.replace("?", "-")) == fold(cms_text)
