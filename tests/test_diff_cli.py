"""`hcpcs-extract diff`: outputs against exact goldens and diff(1)'s exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcpcs_extract.cli import main
from hcpcs_extract.diff import diff
from hcpcs_extract.diff_report import to_json
from tests.conftest import FIXTURES

OLD = "fixtures/diff/old"
NEW = "fixtures/diff/new"
GOLDENS = FIXTURES / "diff"


@pytest.mark.parametrize(("flags", "golden"), [
    ([], "expected.txt"),
    (["--json"], "expected.json"),
    (["--csv"], "expected.csv"),
    (["--markdown"], "expected.md"),
    (["--against", "fixtures/diff/changes.prn"], "expected-against.txt"),
])
def test_diff_output_matches_golden(flags: list[str], golden: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["diff", OLD, NEW, *flags])

    out = capsys.readouterr().out
    assert out == (GOLDENS / golden).read_text(encoding="utf-8")
    assert status == 1


def test_cli_json_is_the_library_result(capsys: pytest.CaptureFixture[str]) -> None:
    main(["diff", OLD, NEW, "--json"])

    assert json.loads(capsys.readouterr().out) == to_json(diff(OLD, NEW))


def test_no_fill_keeps_meanings_as_printed(
        capsys: pytest.CaptureFixture[str]) -> None:
    main(["diff", OLD, NEW, "--json", "--no-fill"])

    added = json.loads(capsys.readouterr().out)["added"]
    assert added[0]["hcpcs_code"] == "CO" and added[0]["action"] == {
        "code": "A", "description": None}


def test_equal_releases_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", OLD, OLD]) == 0
    assert "0 added, 0 removed, 0 changed, 8 unchanged" in capsys.readouterr().out


def test_ignoring_every_changed_field_of_common_records_leaves_adds(
        capsys: pytest.CaptureFixture[str]) -> None:
    fields = ["long_description", "short_description", "asc_payment_group_code",
              "asc_payment_group_effective_date", "betos", "types_of_service",
              "code_added_date", "action_effective_date", "termination_date",
              "action"]
    flags = [part for name in fields for part in ("--ignore", name)]

    assert main(["diff", OLD, NEW, "--json", *flags]) == 1

    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["added"], summary["removed"], summary["changed"]) == (2, 2, 0)


@pytest.mark.parametrize("flag", ["--only", "--ignore"])
def test_unknown_field_exits_2(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", OLD, NEW, flag, "colour"]) == 2

    err = capsys.readouterr().err
    assert "unknown field 'colour'" in err and "long_description" in err


def test_missing_side_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", OLD, "no/such/release"]) == 2

    assert "no/such/release: error: no such file or folder" in capsys.readouterr().err


def test_missing_change_report_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", OLD, NEW, "--against", "no/such.prn"]) == 2

    assert "no/such.prn" in capsys.readouterr().err


def test_two_output_forms_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["diff", OLD, NEW, "--json", "--csv"])

    assert stop.value.code == 2


def test_csv_has_one_row_per_changed_value(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io

    main(["diff", OLD, NEW, "--csv"])

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    changed = [r for r in rows if r["change"] == "changed"]
    assert len(changed) == sum(len(c.changes) for c in diff(OLD, NEW).changed)
    e0210 = next(r for r in changed if r["hcpcs_code"] == "E0210")
    assert (e0210["column"], e0210["position"], e0210["before"], e0210["after"]) == (
        "type_of_service_4", "4", "", "R")
