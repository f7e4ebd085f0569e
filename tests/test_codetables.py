"""CMS's code tables: contents pinned for a few codes, lookup by release, and the
shipped JSON equal to what the builder makes from the real releases."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from hcpcs_extract import codetables
from hcpcs_extract.codetables import describe, release_key, table

from .conftest import REPO

LAYOUT_YEARS = ["2016", "2017", "2018", "2019"]


@pytest.mark.parametrize("field, code, meaning", [
    ("pricing_indicators", "00", "Service not separately priced by part B (e.G.,"
     " services not covered, bundled, used by part a only, etc.)"),
    ("pricing_indicators", "13", "Price established by carriers (e.G., not"
     " otherwise classified, individual determination, carrier discretion)"),
    ("pricing_indicators", "45", "Customized DME items"),
    ("coverage", "C", "Carrier judgment"),
    ("coverage", "I", "Not payable by Medicare"),
    ("coverage", "M", "Non-covered by Medicare"),
    ("action", "N", "No maintenance for this code"),
    ("action", "D", "Discontinue procedure or modifier code"),
    ("lab_certifications", "010", "Histocompatibility testing"),
    ("betos", "Z2", "Undefined codes"),
    ("types_of_service", "9", "Other medical items or services"),
    ("processing_note_number", "0088", '"S" CODES ARE UNIQUE TEMPORARY CODES'
     " ESTABLISHED BY BCBSA AND HIAA FOR PRIVATE PAYOR USE. THEY ARE NOT VALID"
     " NOR PAYABLE BY MEDICARE."),
])
def test_table_gives_cms_meaning(field: str, code: str, meaning: str) -> None:
    assert describe(field, code) == meaning


def test_meanings_keep_the_releases_that_print_them() -> None:
    assert table("coverage").meanings("I")[0].releases == tuple(LAYOUT_YEARS)
    assert table("processing_note").meanings("0218")[0].releases == ("2019",)


def test_wrapped_meaning_is_joined_with_single_spaces() -> None:
    # Printed over two lines with two spaces inside: "gap-filled  amounts".
    assert describe("pricing_indicators", "46") == (
        "Carrier priced (e.g., not otherwise classified, individual"
        " determination, carrier discretion, gap-filled amounts)")


def test_group_headings_are_not_part_of_a_meaning() -> None:
    # "Physician Fee Schedule And Non-Physician Practitioners" follows code 00.
    assert "Physician" not in describe("pricing_indicators", "00")
    assert describe("pricing_indicators", "39") == "Parenteral and Enteral Nutrition"


def test_codes_stay_text_with_leading_zeros() -> None:
    assert "010" in table("lab_certification")
    assert "10" not in table("lab_certification")
    assert "00" in table("pricing_indicator")
    assert "0088" in table("processing_note")


def test_describe_for_a_release_before_the_code_existed_is_none() -> None:
    assert describe("processing_note_number", "0218", "2018") is None
    assert describe("processing_note_number", "0218", "2019") is not None


def test_describe_for_a_later_release_uses_the_latest_wording() -> None:
    assert describe("coverage", "I", "2023-jan") == "Not payable by Medicare"


def test_describe_takes_list_item_field_names() -> None:
    assert describe("types_of_service[3]", "9") == "Other medical items or services"


def test_describe_unknown_code_or_field_is_none() -> None:
    assert describe("coverage", "Q") is None
    assert describe("statute_number", "1861") is None


@pytest.mark.parametrize("release, key", [
    ("2019", (2019, 1)), ("2020-apr", (2020, 4)), ("2023-jan", (2023, 1)),
    ("2020-OCT", (2020, 10)),
])
def test_release_key_orders_quarterly_releases(release: str,
                                              key: tuple[int, int]) -> None:
    assert release_key(release) == key


def test_release_key_rejects_a_name_without_a_year() -> None:
    with pytest.raises(ValueError, match="not a release"):
        release_key("latest")


def test_unknown_table_name_says_which_exist() -> None:
    with pytest.raises(KeyError, match="pricing_indicator"):
        table("mog")


def test_every_table_says_where_it_comes_from() -> None:
    for name in codetables.TABLE_NAMES:
        found = table(name)
        assert found.source and found.releases == tuple(LAYOUT_YEARS), name


def _builder():
    path = REPO / "tools" / "build_code_tables.py"
    spec = importlib.util.spec_from_file_location("build_code_tables", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up by name while the module loads.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_shipped_tables_are_what_the_builder_makes(realdata: Path,
                                                  tmp_path: Path) -> None:
    builder = _builder()
    assert builder.main(["--realdata", str(realdata), "--out", str(tmp_path)]) == 0

    shipped = REPO / "hcpcs_extract" / "data"
    built = sorted(p.name for p in tmp_path.glob("*.json"))
    assert built == sorted(p.name for p in shipped.glob("*.json"))
    for name in built:
        assert (tmp_path / name).read_text(encoding="utf-8") == \
            (shipped / name).read_text(encoding="utf-8"), name


def test_builder_reads_a_meaning_wrapped_under_a_tab_indented_code() -> None:
    builder = _builder()
    lines = [
        "  16.  HCPCS Coverage Code",
        "           CODES         :",
        "               C = Carrier judgment",
        "\t\t\t       D = Special coverage",
        "                   instructions apply",
        "               I = Not payable by Medicare",
        "           OCCURS MIN: 0",
    ]
    block = builder.layout_blocks([line.expandtabs(8) for line in lines])
    entries = {e.code: e.meaning
               for e in builder.code_entries(block["HCPCS Coverage Code"])}
    assert entries == {"C": "Carrier judgment",
                       "D": "Special coverage instructions apply",
                       "I": "Not payable by Medicare"}


def test_builder_strips_the_notes_margin(tmp_path: Path) -> None:
    builder = _builder()
    notes = tmp_path / "proc_notes_2030.txt"
    notes.write_bytes(
        b"      PROCESSING NOTES\r\n ______\r\n\r\n"
        b"          0300--FIRST LINE OF THE NOTE          *\r\n"
        b"                AND ITS SECOND LINE.            *\r\n"
        b"                                                *\r\n"
        b"\t  0301--SHORT ONE.\t\t   *\r\n"
    )
    assert builder.notes(notes) == {
        "0300": "FIRST LINE OF THE NOTE AND ITS SECOND LINE.",
        "0301": "SHORT ONE.",
    }


def test_shipped_json_is_valid_and_sorted() -> None:
    for path in (REPO / "hcpcs_extract" / "data").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert list(data["codes"]) == sorted(data["codes"]), path.name
