"""Loading releases into SQLite: layout, identity of a release, history, read-back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from hcpcs_extract.cli import main
from hcpcs_extract.converted import read_converted_folder
from hcpcs_extract.record import Coded, HcpcsRecord
from hcpcs_extract.sqlite_load import (
    DatabaseError,
    ReleaseConflict,
    code_columns,
    load_release,
    read_release,
    release_labels,
)
from tests.conftest import FIXTURES, REPO, check_schema

# Relative to the repo root, where tests run, as sources then name them.
RELEASE_2018 = (FIXTURES / "load" / "hcpcs-2018.md").relative_to(REPO)
RELEASE_2019 = (FIXTURES / "load" / "hcpcs-2019.md").relative_to(REPO)


def load(db: Path, label: str, *inputs: Path | str, extra: tuple = ()) -> int:
    return main(["load", *map(str, inputs), "--db", str(db), "--release", label,
                 "-q", *extra])


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def converted(tmp_path: Path, source: Path, name: str) -> Path:
    out = tmp_path / name
    assert main(["convert", str(source), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture
def two_releases(tmp_path: Path) -> Path:
    db = tmp_path / "hcpcs.db"
    assert load(db, "2018", RELEASE_2018) == 0
    assert load(db, "2019", RELEASE_2019) == 0
    return db


def test_two_releases_are_kept_side_by_side(two_releases: Path) -> None:
    counts = query(two_releases,
                   "SELECT release, count(*) FROM codes GROUP BY release ORDER BY 1")
    assert counts == [("2018", 2), ("2019", 3)]
    assert release_labels(two_releases) == ["2018", "2019"]


def test_codes_keep_text_codes_and_integer_units(two_releases: Path) -> None:
    rows = query(two_releases,
                 "SELECT processing_note_number, typeof(processing_note_number),"
                 " anesthesia_base_units, typeof(anesthesia_base_units),"
                 " code_added_date FROM codes"
                 " WHERE release = '2019' AND hcpcs_code = 'S9357'")
    assert rows == [("0088", "text", 0, "integer", "2002-01-01")]

    prices = query(two_releases,
                   "SELECT position, code, typeof(code) FROM pricing_indicators"
                   " WHERE release = '2019' AND hcpcs_code = 'S9357'")
    assert prices == [(1, "00", "text")]


def test_repeated_fields_extra_and_definitions_have_tables(two_releases: Path) -> None:
    labs = query(two_releases, "SELECT hcpcs_code, position, code"
                 " FROM lab_certifications WHERE release = '2019'")
    assert labs == [("G0027", 1, "400")]

    extra = query(two_releases, "SELECT hcpcs_code, label, value FROM extra")
    assert extra == [("G0027", "Reviewed By", "coding desk")]

    defined = dict(query(two_releases, "SELECT field, definition"
                         " FROM field_definitions WHERE release = '2019'"))
    assert defined["processing_note_number"] == (
        "Number identifying the processing note contained in Appendix A of the"
        " HCPCS manual."
    )


def test_codes_columns_are_named_as_the_record_keys(two_releases: Path) -> None:
    names = [row[1] for row in query(two_releases, "PRAGMA table_info(codes)")]
    assert names == [name for name, _ in code_columns()]
    assert names[:3] == ["release", "record_type", "hcpcs_code"]
    assert {"coverage", "coverage_description", "processing_note_number",
            "anesthesia_base_units", "termination_date"} <= set(names)

    key = [row[1] for row in sorted(query(two_releases, "PRAGMA table_info(codes)"),
                                    key=lambda r: r[5]) if row[5]]
    assert key == ["release", "record_type", "hcpcs_code"]


def test_history_shows_both_long_descriptions_of_qe(two_releases: Path) -> None:
    rows = query(two_releases,
                 "SELECT release, long_description, action, action_effective_date,"
                 " previous_release, long_description_changed FROM code_history"
                 " WHERE hcpcs_code = 'QE'")
    assert rows == [
        ("2018", "Prescribed amount of oxygen is less than 1 liter per minute (lpm)",
         None, "1997-01-01", None, None),
        ("2019", "Prescribed amount of stationary oxygen while at rest is less than"
         " 1 liter per minute (lpm)", "C", "2018-04-01", "2018", 1),
    ]


def test_loading_the_same_release_again_changes_nothing(two_releases: Path) -> None:
    before = file_sha256(two_releases)

    assert load(two_releases, "2019", RELEASE_2019) == 0

    assert file_sha256(two_releases) == before


def test_same_records_from_a_converted_folder_are_the_same_release(
        two_releases: Path, tmp_path: Path) -> None:
    before = file_sha256(two_releases)
    folder = converted(tmp_path, RELEASE_2019, "out-2019")

    assert load(two_releases, "2019", folder) == 0

    assert file_sha256(two_releases) == before


def test_other_records_under_a_loaded_label_are_refused(
        two_releases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = file_sha256(two_releases)

    assert load(two_releases, "2018", RELEASE_2019) == 2

    assert "release '2018' is already loaded with other records" in (
        capsys.readouterr().err)
    assert file_sha256(two_releases) == before


def test_replace_swaps_a_release_for_other_records(two_releases: Path) -> None:
    assert load(two_releases, "2018", RELEASE_2019, extra=("--replace",)) == 0

    assert read_release(two_releases, "2018") == read_release(two_releases, "2019")
    assert query(two_releases, "SELECT count(*) FROM lab_certifications") == [(2,)]


def test_a_new_release_date_for_a_loaded_label_is_refused(two_releases: Path) -> None:
    assert load(two_releases, "2019", RELEASE_2019,
                extra=("--release-date", "2019-01-01")) == 2


def test_release_date_orders_the_history(tmp_path: Path) -> None:
    db = tmp_path / "hcpcs.db"
    assert load(db, "b", RELEASE_2018, extra=("--release-date", "2018-01-01")) == 0
    assert load(db, "a", RELEASE_2019, extra=("--release-date", "2019-01-01")) == 0

    rows = query(db, "SELECT release_order, release, release_date"
                 " FROM code_history WHERE hcpcs_code = 'QE'")

    assert rows == [(1, "b", "2018-01-01"), (2, "a", "2019-01-01")]


def test_sqlite_reads_back_exactly_the_records(two_releases: Path,
                                                tmp_path: Path) -> None:
    folder = converted(tmp_path, RELEASE_2019, "out-2019")
    expected = read_converted_folder(folder).records

    loaded = read_release(two_releases, "2019")

    # Sources name the same file, whichever of the two was loaded.
    assert loaded == expected
    for record in loaded:
        check_schema(record)


def test_inputs_and_their_sha256_are_kept(two_releases: Path) -> None:
    rows = query(two_releases, "SELECT release, position, path, format, sha256,"
                 " records FROM release_inputs ORDER BY release")
    assert rows == [
        ("2018", 1, "fixtures/load/hcpcs-2018.md", "markdown",
         file_sha256(RELEASE_2018), 2),
        ("2019", 1, "fixtures/load/hcpcs-2019.md", "markdown",
         file_sha256(RELEASE_2019), 3),
    ]


def test_a_failed_input_loads_nothing(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hcpcs.db"

    assert load(db, "2019", RELEASE_2019, tmp_path / "missing.md") == 1

    assert "no such file or folder" in capsys.readouterr().err
    assert not db.exists()


def test_a_file_that_is_not_a_database_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "notes.db"
    db.write_text("not sqlite at all, just some words in a file\n" * 20)

    assert load(db, "2019", RELEASE_2019) == 2

    assert f"{db}: cannot use as a SQLite database" in capsys.readouterr().err


@pytest.mark.parametrize("date", ["2019-02-30", "20190101", "2019-1-1"])
def test_impossible_dates_are_refused_by_the_table(two_releases: Path,
                                                   date: str) -> None:
    conn = sqlite3.connect(two_releases)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE codes SET termination_date = ? WHERE hcpcs_code = 'QE'",
                     (date,))
    conn.close()


def test_units_that_are_not_whole_numbers_are_refused(two_releases: Path) -> None:
    conn = sqlite3.connect(two_releases)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE codes SET anesthesia_base_units = 'x'")
    conn.close()


def test_library_load_refuses_other_records_under_a_label(tmp_path: Path) -> None:
    db = tmp_path / "hcpcs.db"
    record = HcpcsRecord("QE", "modifier", "Prescribed amount of oxygen",
                         coverage=Coded("C"), code_added_date=dt.date(1989, 1, 1))
    changed = dataclasses.replace(record, long_description="Other text")

    first = load_release(db, "x", [record])
    again = load_release(db, "x", [record])
    with pytest.raises(ReleaseConflict):
        load_release(db, "x", [changed])
    replaced = load_release(db, "x", [changed], replace=True)

    assert (first.status, again.status, replaced.status) == (
        "loaded", "unchanged", "replaced")
    assert read_release(db, "x") == [changed]


def test_reading_a_missing_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no such database"):
        read_release(tmp_path / "none.db", "2019")
    assert not (tmp_path / "none.db").exists()


def test_a_broken_converted_folder_names_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = converted(tmp_path, RELEASE_2019, "out-2019")
    records = folder / "records.jsonl"
    lines = records.read_text(encoding="utf-8").splitlines()
    records.write_text("\n".join([lines[0], '{"hcpcs_code": "QE"', *lines[2:]]),
                       encoding="utf-8")

    assert load(tmp_path / "hcpcs.db", "2019", folder) == 2

    assert f"{records.as_posix()}, line 2: not a record" in capsys.readouterr().err
