"""The `convert` command: its outputs, exit codes and determinism."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hcpcs_extract import convert
from hcpcs_extract.cli import main
from hcpcs_extract.columns import CMS_COLUMNS, FLAT_COLUMNS, record_from_flat
from hcpcs_extract.record import HcpcsRecord

from .conftest import FIXTURES, check_schema

OUTPUTS = ("records.jsonl", "records.json", "records.csv", "records.cms.csv",
           "fields.json", "manifest.json", "errors.jsonl", "record.schema.json",
           "datapackage.json")


def _run(*args: str) -> int:
    return main(["convert", *args, "--quiet"])


def test_seed_converts_to_one_record_in_every_output(seed: Path, tmp_path: Path):
    assert _run(str(seed), "--out", str(tmp_path)) == 0

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS)
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    check_schema(record)
    assert json.loads((tmp_path / "records.json").read_text())["records"] == [record]


def test_csv_is_canonical_and_flat(seed: Path, tmp_path: Path):
    _run(str(seed), "--out", str(tmp_path))

    with open(tmp_path / "records.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == FLAT_COLUMNS
    assert rows[0]["pricing_indicator_1"] == "00"
    assert rows[0]["processing_note_number"] == "0088"
    assert rows[0]["code_added_date"] == "2002-01-01"
    expected = HcpcsRecord.from_dict(
        json.loads((tmp_path / "records.jsonl").read_text())
    )
    assert record_from_flat(rows[0]) == expected


def test_cms_csv_has_cms_header_and_codes_as_text(seed: Path, tmp_path: Path):
    _run(str(seed), "--out", str(tmp_path))

    with open(tmp_path / "records.cms.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CMS_COLUMNS and len(CMS_COLUMNS) == 48
    row = dict(zip(rows[0], rows[1]))
    assert (row["HCPC"], row["RECID"], row["PRICE1"], row["PROCNOTE"]) == (
        "S9357", "3", "00", "0088",
    )
    assert (row["ADD DT"], row["TERM DT"], row["ACTION CD"]) == ("20020101", "", "N")


def test_modifiers_get_recid_7_in_the_cms_csv(tmp_path: Path):
    _run("fixtures/markdown/vendor/QE.md", "--out", str(tmp_path))

    with open(tmp_path / "records.cms.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["HCPC"], row["RECID"]) == ("QE", "7")


def test_two_runs_give_byte_identical_files(tmp_path: Path):
    first, second = tmp_path / "a", tmp_path / "b"
    _run("fixtures/markdown", "--out", str(first))
    _run("fixtures/markdown", "--out", str(second))

    for name in OUTPUTS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_records_are_sorted_by_type_then_code(tmp_path: Path):
    _run("fixtures/markdown/vendor", "--out", str(tmp_path))

    keys = [(r["record_type"], r["hcpcs_code"]) for r in map(
        json.loads, (tmp_path / "records.jsonl").read_text().splitlines())]
    assert keys == sorted(keys)
    assert keys[0][0] == "modifier"


def test_some_inputs_failing_exits_1_and_still_writes_the_rest(tmp_path: Path):
    status = _run("fixtures/markdown/vendor/QE.md", "fixtures/bad/empty.md",
                  "--out", str(tmp_path))

    assert status == 1
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    # Inputs are taken in sorted order of their names, whatever order they are given.
    assert [(i["path"], i["status"]) for i in manifest["inputs"]] == [
        ("fixtures/bad/empty.md", "failed"),
        ("fixtures/markdown/vendor/QE.md", "converted"),
    ]
    assert len((tmp_path / "records.jsonl").read_text().splitlines()) == 1
    errors = [json.loads(x) for x in (tmp_path / "errors.jsonl").read_text().split(
        "\n") if x]
    assert [e["path"] for e in errors] == ["fixtures/bad/empty.md"]


def test_missing_input_fails_with_its_name(tmp_path: Path):
    assert _run("no/such/sheet.md", "--out", str(tmp_path)) == 1

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["inputs"][0]["reason"] == "no such file or folder"


def test_usage_error_exits_2(tmp_path: Path):
    with pytest.raises(SystemExit) as stopped:
        main(["convert", "--out", str(tmp_path)])
    assert stopped.value.code == 2

    afile = tmp_path / "file"
    afile.write_text("x")
    assert _run("fixtures/markdown/vendor/QE.md", "--out", str(afile)) == 2


def test_manifest_lists_each_input_with_its_hash_and_counts(tmp_path: Path):
    _run("fixtures/markdown/vendor/multi-sheet.md", "--out", str(tmp_path))

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (entry,) = manifest["inputs"]
    assert entry["format"] == "markdown" and entry["records"] == 5
    assert len(entry["sha256"]) == 64
    assert manifest["tool"] == "hcpcs-extract" and manifest["records"] == 5


def test_fields_json_gathers_labels_and_definitions(seed: Path, tmp_path: Path):
    _run(str(seed), "fixtures/markdown/pipe/S9357.md", "--out", str(tmp_path))

    fields = json.loads((tmp_path / "fields.json").read_text())
    assert fields["processing_note_number"]["labels"] == [
        "HCPCS Processing Note Number", "Processing Note Number",
    ]
    assert fields["processing_note_number"]["definition"].startswith(
        "Number identifying the processing note")
    # The two sheets define the code differently: both texts are kept.
    assert len(fields["hcpcs_code"]["other_definitions"]) == 1


def test_library_convert_does_what_the_command_does(tmp_path: Path):
    result = convert(["fixtures/markdown/vendor"], tmp_path / "out")

    assert result.ok
    assert len(result.records) == len(
        (tmp_path / "out/records.jsonl").read_text().splitlines())


def test_summary_line_goes_to_stderr(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "hcpcs_extract", "convert",
         str(FIXTURES / "markdown/vendor/QE.md"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )

    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr.startswith(
        "hcpcs-extract: 1 records from 1 documents: 1 converted, 0 skipped, 0 failed;")
