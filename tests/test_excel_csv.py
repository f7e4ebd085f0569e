"""records.excel.csv: codes stay text in Excel and no cell runs as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_extract.batch import ConvertResult, Options, write_outputs
from hcpcs_extract.cli import main
from hcpcs_extract.columns import FLAT_COLUMNS, record_to_flat
from hcpcs_extract.dictionary import FieldDictionary
from hcpcs_extract.excel_csv import FORMULA_STARTS, cell_text, excel_cell
from hcpcs_extract.record import Coded, HcpcsRecord
from tests.conftest import FIXTURES, REPO

INPUT = (FIXTURES / "load" / "hcpcs-2019.md").relative_to(REPO)


@pytest.mark.parametrize("text, cell", [
    ("00", '="00"'),
    ("0088", '="0088"'),
    ("010", '="010"'),
    ("2002-01-01", '="2002-01-01"'),
    ("QE", '="QE"'),
    ("Stationary o2 @ rest <1 lpm", '="Stationary o2 @ rest <1 lpm"'),
    ('say "hi"', '="say ""hi"""'),
    ("", ""),
])
def test_short_cells_become_string_constants(text: str, cell: str) -> None:
    assert excel_cell(text) == cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)",
                                  '=HYPERLINK("http://x.invalid","x")'])
def test_short_formula_like_cells_stay_inside_the_string(text: str) -> None:
    cell = excel_cell(text)

    assert cell.startswith('="') and cell.endswith('"')
    assert cell_text(cell) == text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "'="])
def test_long_formula_like_cells_get_an_apostrophe(start: str) -> None:
    text = start + "x" * 300

    assert excel_cell(text) == "'" + text


def test_long_plain_cells_are_written_as_they_are() -> None:
    text = "Subsequent psychiatric collaborative care management " * 6

    assert len(text) > 255
    assert excel_cell(text) == text


@given(st.text())
def test_every_cell_reads_back_to_its_text(text: str) -> None:
    cell = excel_cell(text)

    assert cell_text(cell) == text
    assert cell == "" or cell.startswith('="') or not cell.startswith(FORMULA_STARTS)


def test_convert_excel_writes_a_bom_csv_excel_reads_as_text(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["convert", str(INPUT), "--out", str(out), "-q", "--excel"]) == 0

    data = (out / "records.excel.csv").read_bytes()
    text = data.decode("utf-8")

    assert data.startswith(b"\xef\xbb\xbf")
    assert text.splitlines()[0].lstrip("\ufeff") == ",".join(FLAT_COLUMNS)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert '"=""0088"""' in text
    assert excel_rows(out / "records.excel.csv") == exact_rows(out / "records.csv")


def excel_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{k: cell_text(v) for k, v in row.items()}
                for row in csv.DictReader(handle)]


def exact_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_hostile_cells_are_neutralised(tmp_path: Path) -> None:
    long_attack = "=cmd|' /C calc'!A0 " + "padding " * 40
    record = HcpcsRecord(
        "A0021", "procedure", long_attack, short_description="@SUM(1+1)",
        coverage=Coded("I", "+not a number"), extra={"Note": "-2+3"},
    )
    result = ConvertResult([record], [], [], FieldDictionary())

    write_outputs(tmp_path, result, Options(excel=True))

    text = (tmp_path / "records.excel.csv").read_text(encoding="utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["long_description"] == "'" + long_attack
    assert row["short_description"] == '="@SUM(1+1)"'
    assert row["coverage_description"] == '="+not a number"'
    for cell in row.values():
        assert cell.startswith(('="', "'")) or not cell.startswith(FORMULA_STARTS)
    assert {k: cell_text(v) for k, v in row.items()} == record_to_flat(record)
