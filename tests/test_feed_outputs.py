"""What convert writes for other tools: datapackage.json, the JSON Schema named in
records.json, and CSVs that pandas and duckdb read back to exactly the records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import pytest

from hcpcs_extract.cli import main
from hcpcs_extract.columns import (
    CMS_COLUMNS,
    FLAT_COLUMNS,
    record_from_flat,
    record_to_cms,
)
from hcpcs_extract.converted import read_converted_folder
from hcpcs_extract.record import FIELD_NAMES
from hcpcs_extract.writers import load_schema, schema_text
from tests.conftest import FIXTURES, REPO, check_schema

INPUTS = [(FIXTURES / "load" / name).relative_to(REPO)
          for name in ("hcpcs-2018.md", "hcpcs-2019.md")]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    # The later release wins QE, so both inputs give records.
    assert main(["convert", *map(str, INPUTS), "--out", str(folder), "-q",
                 "--on-conflict", "last"]) == 0
    return folder


def records_of(folder: Path):
    return read_converted_folder(folder).records


def test_datapackage_validates(out: Path) -> None:
    report = frictionless.validate(out / "datapackage.json")

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_datapackage_fields_follow_the_column_orders(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    flat, cms = package["resources"]

    assert [f["name"] for f in flat["schema"]["fields"]] == list(FLAT_COLUMNS)
    assert [f["name"] for f in cms["schema"]["fields"]] == list(CMS_COLUMNS)
    assert flat["schema"]["primaryKey"] == ["record_type", "hcpcs_code"]
    assert cms["schema"]["primaryKey"] == ["RECID", "HCPC"]


def test_datapackage_types_codes_dates_and_units(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    flat, cms = ({f["name"]: f for f in r["schema"]["fields"]}
                 for r in package["resources"])

    assert flat["hcpcs_code"]["constraints"]["pattern"] == "[A-Z0-9]{2}([A-Z0-9]{3})?"
    assert flat["processing_note_number"]["type"] == "string"
    assert flat["pricing_indicator_1"]["type"] == "string"
    assert flat["code_added_date"] == {"name": "code_added_date", "type": "date",
                                       "format": "default"}
    assert flat["anesthesia_base_units"]["type"] == "integer"
    assert cms["ADD DT"] == {"name": "ADD DT", "type": "date", "format": "%Y%m%d"}
    assert cms["ANEST_BU"]["type"] == "integer"
    assert cms["PROCNOTE"]["type"] == "string"


def test_datapackage_catches_a_cell_of_the_wrong_type(out: Path) -> None:
    cms = out / "records.cms.csv"
    cms.write_text(cms.read_text(encoding="utf-8").replace("20020101", "2002-01-01"),
                   encoding="utf-8")

    report = frictionless.validate(out / "datapackage.json")

    assert not report.valid
    assert {e.type for e in report.tasks[1].errors} == {"type-error"}


def test_records_json_names_the_shipped_schema(out: Path) -> None:
    document = json.loads((out / "records.json").read_text(encoding="utf-8"))
    schema_path = out / document["record_schema"]

    assert schema_path.read_text(encoding="utf-8") == schema_text()
    assert document["count"] == len(document["records"]) == 3
    for record in document["records"]:
        check_schema(record)


def test_schema_names_every_key_of_the_record() -> None:
    schema = load_schema()

    assert list(schema["properties"]) == list(FIELD_NAMES)
    assert schema["required"] == list(FIELD_NAMES)


def test_schema_refuses_a_code_written_as_a_number(out: Path) -> None:
    record = records_of(out)[0].to_dict()
    record["processing_note_number"] = 88

    with pytest.raises(AssertionError, match="processing_note_number"):
        check_schema(record)


def test_pandas_reads_the_csv_back_to_the_records(out: Path) -> None:
    frame = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)

    records = [record_from_flat(row) for row in frame.to_dict("records")]

    assert list(frame.columns) == list(FLAT_COLUMNS)
    assert records == records_of(out)


def test_pandas_reads_the_cms_csv_back_to_the_cms_rows(out: Path) -> None:
    frame = pd.read_csv(out / "records.cms.csv", dtype=str, keep_default_na=False)

    assert frame.to_dict("records") == [record_to_cms(r) for r in records_of(out)]


def duckdb_rows(path: Path) -> list[dict[str, str]]:
    # all_varchar keeps 0088 as text; duckdb reads an empty cell as NULL.
    relation = duckdb.read_csv(str(path), header=True, all_varchar=True)
    names = relation.columns
    return [{name: "" if cell is None else cell for name, cell in zip(names, row)}
            for row in relation.fetchall()]


def test_duckdb_reads_the_csvs_back_to_the_records(out: Path) -> None:
    expected = records_of(out)

    flat = duckdb_rows(out / "records.csv")
    cms = duckdb_rows(out / "records.cms.csv")

    assert [record_from_flat(row) for row in flat] == expected
    assert cms == [record_to_cms(r) for r in expected]


def test_duckdb_reads_the_json_lines_back_to_the_records(out: Path) -> None:
    expected = [r.to_dict() for r in records_of(out)]
    path = str(out / "records.jsonl")

    rows = duckdb.sql(f"SELECT json FROM read_json_objects('{path}')").fetchall()

    assert [json.loads(text) for (text,) in rows] == expected


def test_default_csv_stays_exact_text(out: Path) -> None:
    with open(out / "records.csv", encoding="utf-8", newline="") as handle:
        rows = {row["hcpcs_code"]: row for row in csv.DictReader(handle)}

    assert rows["S9357"]["processing_note_number"] == "0088"
    assert rows["S9357"]["pricing_indicator_1"] == "00"
    assert not (out / "records.excel.csv").exists()


def test_every_fixture_record_matches_the_schema(tmp_path: Path) -> None:
    folders = [(FIXTURES / name).relative_to(REPO) for name in ("markdown", "load")]
    main(["convert", *map(str, folders), "--out", str(tmp_path), "-q"])

    document = json.loads((tmp_path / "records.json").read_text(encoding="utf-8"))

    assert document["count"] >= 25
    for record in document["records"]:
        check_schema(record)
