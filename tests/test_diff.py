"""The diff engine: keys, field-by-field changes, action codes, both kinds of side."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hcpcs_extract import convert
from hcpcs_extract.diff import (
    COMPARABLE_FIELDS,
    UnknownField,
    compare,
    derive,
    derive_for_added,
    diff,
    is_converted,
    record_hash,
    select_fields,
)
from hcpcs_extract.diff_report import to_json
from hcpcs_extract.record import Coded, HcpcsRecord, Source
from tests.conftest import FIXTURES
from tests.support.render_markdown import render_many

OLD = "fixtures/diff/old"
NEW = "fixtures/diff/new"


def record(code: str = "A4651", **values: object) -> HcpcsRecord:
    base: dict[str, object] = {
        "hcpcs_code": code,
        "record_type": "modifier" if len(code) == 2 else "procedure",
        "long_description": "Calibrated microcapillary tube, each",
        "short_description": "Calibrated microcap tube",
        "action": Coded("N"),
    }
    base.update(values)
    return HcpcsRecord(**base)  # type: ignore[arg-type]


def write_sheets(folder: Path, records: list[HcpcsRecord]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sheets.md").write_text(render_many(records), encoding="utf-8")
    return str(folder)


def test_fixture_releases_added_removed_changed() -> None:
    result = diff(OLD, NEW)

    assert [r.key for r in result.added] == [("modifier", "CO"),
                                             ("procedure", "A4563")]
    assert [r.key for r in result.removed] == [("modifier", "DA"),
                                               ("procedure", "G9976")]
    assert [c.key[1] for c in result.changed] == ["QE", "ZA", "E0210", "G9890",
                                                  "Q2028"]
    assert result.unchanged == 1
    assert result.old_count == 8 and result.new_count == 8
    assert not result.problems


def test_long_description_change_has_before_and_after() -> None:
    qe = next(c for c in diff(OLD, NEW).changed if c.key == ("modifier", "QE"))

    change = qe.changes[0]
    assert (change.field, change.before, change.after) == (
        "long_description",
        "Prescribed amount of oxygen is less than 1 liter per minute (lpm)",
        ("Prescribed amount of stationary oxygen while at rest is less than 1 liter"
         " per minute (lpm)"),
    )
    assert qe.derived == ("C", "S")


def test_summary_counts_records_per_field() -> None:
    summary = diff(OLD, NEW).summary()

    assert summary["fields"]["long_description"] == 2
    assert summary["fields"]["action_effective_date"] == 4
    assert summary["fields"]["types_of_service"] == 1
    assert "hcpcs_code" not in summary["fields"]


def test_same_release_is_equal() -> None:
    result = diff(OLD, OLD)

    assert result.equal
    assert result.summary()["unchanged"] == 8


def test_repeated_fields_are_compared_by_position() -> None:
    before = record(pricing_indicators=(Coded("32"), Coded("34")))
    after = record(pricing_indicators=(Coded("34"),))

    changes = list(compare(before, after))

    assert [(c.column, c.position, c.before, c.after) for c in changes] == [
        ("pricing_indicator_1", 1, "32", "34"),
        ("pricing_indicator_2", 2, "34", None),
    ]


def test_coded_value_changes_by_code_and_by_description() -> None:
    before = record(betos=Coded("D1E", "Other DME"))
    after = record(betos=Coded("D1E", "Durable medical equipment, other"))

    changes = list(compare(before, after))

    assert [(c.column, c.before, c.after) for c in changes] == [
        ("betos_description", "Other DME", "Durable medical equipment, other"),
    ]


def test_a_new_code_brings_its_own_meaning() -> None:
    before = record(pricing_indicators=(Coded("32", "Lump sum purchase"),))
    after = record(pricing_indicators=(Coded("34", "DME supplies"),))

    changes = list(compare(before, after))

    assert [(c.column, c.before, c.after) for c in changes] == [
        ("pricing_indicator_1", "32", "34"),
    ]


def test_extra_values_change_one_name_at_a_time() -> None:
    before = record(extra={"Status": "Active", "Notes": "x"})
    after = record(extra={"Status": "Discontinued", "Notes": "x"})

    changes = list(compare(before, after))

    assert [(c.column, c.before, c.after) for c in changes] == [
        ("extra[Status]", "Active", "Discontinued"),
    ]


def test_source_is_never_compared() -> None:
    here = record(source=Source("a.md", "markdown", line=3))
    there = record(source=Source("b.txt", "cms-text", line=900))

    assert not list(compare(here, there))
    assert record_hash(here, COMPARABLE_FIELDS) == record_hash(there,
                                                                COMPARABLE_FIELDS)


def test_dates_and_numbers_are_compared_as_values_written_as_text() -> None:
    changes = list(compare(record(anesthesia_base_units=3,
                                  termination_date=dt.date(2018, 12, 31)),
                           record(anesthesia_base_units=5)))

    assert [(c.column, c.before, c.after) for c in changes] == [
        ("anesthesia_base_units", "3", "5"),
        ("termination_date", "2018-12-31", None),
    ]


def test_only_and_ignore_choose_the_fields() -> None:
    assert select_fields(only=["betos", "long_description"]) == (
        "long_description", "betos")
    assert "action" not in select_fields(ignore=["action"])
    assert select_fields(only=["action"], ignore=["action"]) == ()


@pytest.mark.parametrize("names", [{"only": ["betos", "colour"]},
                                   {"ignore": ["source"]},
                                   {"ignore": ["hcpcs_code"]}])
def test_unknown_field_names_are_refused(names: dict) -> None:
    with pytest.raises(UnknownField, match="unknown field"):
        select_fields(**names)


def test_ignored_fields_make_no_change(tmp_path: Path) -> None:
    old = write_sheets(tmp_path / "old", [record(action=Coded("A"))])
    new = write_sheets(tmp_path / "new", [record(action=Coded("N"))])

    assert not diff(old, new).equal
    assert diff(old, new, select_fields(ignore=["action"])).equal


def test_only_one_field_counts(tmp_path: Path) -> None:
    old = write_sheets(tmp_path / "old", [record(short_description="a")])
    new = write_sheets(tmp_path / "new", [record(short_description="b",
                                                 long_description="c")])

    result = diff(old, new, select_fields(only=["short_description"]))

    assert result.summary()["fields"] == {"short_description": 1}


@pytest.mark.parametrize(("before", "after", "codes"), [
    ({}, {"termination_date": dt.date(2019, 3, 31)}, ("D",)),
    ({"termination_date": dt.date(2017, 12, 31)}, {}, ("R",)),
    ({"termination_date": dt.date(2017, 12, 31)},
     {"termination_date": dt.date(2018, 12, 31)}, ("F",)),
    ({}, {"long_description": "New words"}, ("C",)),
    ({}, {"short_description": "New words"}, ("S",)),
    ({}, {"long_description": "New words", "coverage": Coded("S")},
     ("B", "C", "F")),
    ({}, {"pricing_indicators": (Coded("46"),)}, ("P",)),
    ({}, {"mog_payment_group_code": "C"}, ("P",)),
    ({}, {"anesthesia_base_units": 4}, ("P",)),
    ({}, {"betos": Coded("O1E")}, ("T",)),
    ({}, {"types_of_service": (Coded("1"), Coded("R"))}, ("T",)),
    ({}, {"cross_references": ("A4652",)}, ("F",)),
    ({"code_added_date": dt.date(2018, 1, 1)},
     {"code_added_date": dt.date(2018, 4, 1), "long_description": "Reused"},
     ("A", "C")),
    ({}, {"action": Coded("C"), "action_effective_date": dt.date(2019, 1, 1)},
     ()),
])
def test_changes_are_classified_as_cms_action_codes(before: dict, after: dict,
                                                    codes: tuple) -> None:
    old, new = record(**before), record(**after)

    changed = {c.field for c in compare(old, new)}

    assert derive(old, new, changed) == codes


def test_every_compared_field_has_a_place_in_the_classification() -> None:
    from hcpcs_extract import diff as engine

    groups = [engine.PAYMENT_FIELDS, engine.MISCELLANEOUS_FIELDS,
              engine.ADMINISTRATIVE_FIELDS, engine.UNCLASSIFIED_FIELDS,
              {"long_description", "short_description", "termination_date"}]

    assert sorted(name for group in groups for name in group) == sorted(
        COMPARABLE_FIELDS)


def test_a_record_added_and_already_terminated_was_also_discontinued() -> None:
    assert derive_for_added(record()) == ("A",)
    assert derive_for_added(record(termination_date=dt.date(2018, 6, 30))) == (
        "A", "D")


def test_disagreements_with_new_action_codes_name_both() -> None:
    result = diff(OLD, NEW)

    assert [d.to_dict() for d in result.disagreements] == [
        {"record_type": "procedure", "hcpcs_code": "E0210", "status": "changed",
         "derived": ["T"], "action": "N"},
    ]


def test_disagreements_with_a_change_report(tmp_path: Path) -> None:
    from hcpcs_extract.change_report import read_change_report

    report = read_change_report(FIXTURES / "diff" / "changes.prn")
    actions = dict(report.actions)
    actions[("procedure", "A4651")] = "S"
    actions[("procedure", "J0295")] = "S"

    result = diff(OLD, NEW, against=actions, against_label="the report")

    assert result.against == "the report"
    assert [(d.key[1], d.status, d.derived, d.action)
            for d in result.disagreements] == [
        ("A4651", "unchanged", (), "S"),
        ("J0295", "not in NEW", (), "S"),
    ]


def test_folder_written_by_convert_is_read_back(tmp_path: Path) -> None:
    convert([OLD], tmp_path / "old-out")

    assert is_converted(tmp_path / "old-out")
    direct, converted = to_json(diff(OLD, NEW)), to_json(
        diff(str(tmp_path / "old-out"), NEW))
    direct.pop("old"), converted.pop("old")
    assert converted == direct


def test_broken_line_in_records_jsonl_is_an_error_naming_the_line(
        tmp_path: Path) -> None:
    convert([OLD], tmp_path / "out")
    lines = (tmp_path / "out" / "records.jsonl").read_text().splitlines()
    lines[2] = lines[2][:40]
    (tmp_path / "out" / "records.jsonl").write_text("\n".join(lines) + "\n")

    result = diff(str(tmp_path / "out"), NEW)

    assert result.failed
    [problem] = result.problems
    assert problem.line == 3 and problem.path.endswith("records.jsonl")
    assert result.old_count == 7


def test_code_twice_in_one_side_is_reported_and_the_first_compared(
        tmp_path: Path) -> None:
    old = write_sheets(tmp_path / "old", [record(short_description="first"),
                                          record(short_description="second")])
    new = write_sheets(tmp_path / "new", [record(short_description="first")])

    result = diff(old, new)

    assert result.equal
    assert [p.severity for p in result.problems] == ["warning"]
    assert "appears twice in OLD" in result.problems[0].reason


def test_old_is_read_twice_and_new_once(tmp_path: Path) -> None:
    kept = [record(f"A46{n:02d}") for n in range(20)]
    old = write_sheets(tmp_path / "old", kept)
    new = write_sheets(tmp_path / "new", kept[:19] + [record("A4619",
                                                            short_description="x")])
    passes: list[str] = []

    def counting_reader(path, options, problems):
        from hcpcs_extract.diff import read_side

        passes.append("old" if path == old else "new")
        yield from read_side(path, options, problems)

    result = diff(old, new, reader=counting_reader)

    assert passes == ["old", "new", "old"]
    assert [c.key[1] for c in result.changed] == ["A4619"]
    assert not result.added and not result.removed


def test_json_summary_holds_the_counts() -> None:
    data = to_json(diff(OLD, NEW))

    assert {k: data["summary"][k] for k in ("added", "removed", "changed")} == {
        "added": 2, "removed": 2, "changed": 5}
    assert data["summary"]["fields"]["termination_date"] == 1
    json.dumps(data)


def test_markdown_report_escapes_pipes_in_values(tmp_path: Path) -> None:
    from hcpcs_extract.diff_report import markdown_report

    old = write_sheets(tmp_path / "old", [record(long_description="Tube, each")])
    new = write_sheets(tmp_path / "new", [record(long_description="Tube | each")])

    report = markdown_report(diff(old, new))

    assert "| `long_description` | Tube, each | Tube \\| each |" in report
