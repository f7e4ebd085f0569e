"""Loading CMS's 2018 and 2019 releases: counts, identity, history, read-back.

The releases are read once per module; schema and data package checks take a
sample so that the module runs in seconds.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from hcpcs_extract.cli import main
from hcpcs_extract.columns import record_from_flat
from hcpcs_extract.converted import read_converted_folder
from hcpcs_extract.record import HcpcsRecord
from hcpcs_extract.sqlite_load import read_release
from tests.conftest import REALDATA, check_schema

TEXT_2018 = REALDATA / "cms-2018" / "HCPC2018_CONTR_ANWEB_disc.txt"
TEXT_2019 = REALDATA / "cms-2019" / "HCPC2019_CONTR_ANWEB.txt"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The database holding 2018 from its text file and 2019 from the folder
    `convert` wrote from its text file; and that folder."""
    if not REALDATA.is_dir():
        pytest.skip(f"real CMS data not found at {REALDATA}")
    base = tmp_path_factory.mktemp("realdata")
    out, db = base / "out-2019", base / "hcpcs.db"

    assert main(["convert", str(TEXT_2019), "--out", str(out), "-q"]) == 0
    assert main(["load", str(TEXT_2018), "--db", str(db), "--release", "2018",
                 "-q"]) == 0
    assert main(["load", str(out), "--db", str(db), "--release", "2019", "-q"]) == 0
    return db, out


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_each_release_has_all_its_codes(loaded: tuple[Path, Path]) -> None:
    db, _ = loaded

    counts = query(db, "SELECT release, count(*) FROM codes GROUP BY 1 ORDER BY 1")

    assert counts == [("2018", 6559), ("2019", 6800)]


def test_loading_2019_from_its_text_file_changes_nothing(
        loaded: tuple[Path, Path]) -> None:
    db, _ = loaded
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    assert main(["load", str(TEXT_2019), "--db", str(db), "--release", "2019",
                 "-q"]) == 0

    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_processing_note_of_s9357_is_text(loaded: tuple[Path, Path]) -> None:
    db, _ = loaded

    rows = query(db, "SELECT release, processing_note_number,"
                 " typeof(processing_note_number) FROM codes"
                 " WHERE hcpcs_code = 'S9357' ORDER BY release")

    assert rows == [("2018", "0088", "text"), ("2019", "0088", "text")]


def test_history_shows_both_long_descriptions_of_qe(
        loaded: tuple[Path, Path]) -> None:
    db, _ = loaded

    rows = query(db, "SELECT release, long_description, action,"
                 " long_description_changed FROM code_history"
                 " WHERE record_type = 'modifier' AND hcpcs_code = 'QE'")

    assert rows == [
        ("2018", "Prescribed amount of oxygen is less than 1 liter per minute (lpm)",
         "N", None),
        ("2019", "Prescribed amount of stationary oxygen while at rest is less than"
         " 1 liter per minute (lpm)", "C", 1),
    ]


@pytest.fixture(scope="module")
def records_2019(loaded: tuple[Path, Path]) -> list[HcpcsRecord]:
    return read_converted_folder(loaded[1]).records


def test_sqlite_and_pandas_read_2019_back_exactly(
        loaded: tuple[Path, Path], records_2019: list[HcpcsRecord]) -> None:
    db, out = loaded
    expected = records_2019

    frame = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)

    assert read_release(db, "2019") == expected
    assert [record_from_flat(row) for row in frame.to_dict("records")] == expected


def test_a_sample_of_2019_matches_schema_and_data_package(
        loaded: tuple[Path, Path], records_2019: list[HcpcsRecord]) -> None:
    _, out = loaded

    for record in records_2019[::20]:
        check_schema(record)
    report = frictionless.validate(out / "datapackage.json", limit_rows=500)

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
