"""Comparing two sets of records field by field."""

from __future__ import annotations

import datetime as dt

from hcpcs_extract.compare import FieldDifference, compare_records
from hcpcs_extract.record import Coded, HcpcsRecord, Source


def _record(code: str = "G0001", **values) -> HcpcsRecord:
    values.setdefault("long_description", "Drawing blood")
    return HcpcsRecord(hcpcs_code=code, record_type="procedure", **values)


def test_same_records_from_different_places_do_not_differ():
    a = _record(source=Source("a.txt", "cms-text", line=3))
    b = _record(source=Source("b.xlsx", "cms-xlsx", row=2))

    assert compare_records([a], [b]) == []


def test_each_differing_field_is_named_with_both_values():
    a = _record(action_effective_date=dt.date(1995, 1, 1),
                types_of_service=(Coded("A"),))
    b = _record(types_of_service=(Coded("A"), Coded("R")))

    assert compare_records([a], [b]) == [
        FieldDifference("procedure", "G0001", "types_of_service",
                        [{"code": "A", "description": None}],
                        [{"code": "A", "description": None},
                         {"code": "R", "description": None}]),
        FieldDifference("procedure", "G0001", "action_effective_date",
                        "1995-01-01", None),
    ]


def test_codes_on_one_side_only_are_record_differences():
    differences = compare_records([_record("A0021")], [_record("B4034")])

    assert [(d.code, d.field, d.left, d.right) for d in differences] == [
        ("A0021", "record", "A0021", None),
        ("B4034", "record", None, "B4034"),
    ]


def test_extra_is_compared_key_by_key():
    a = _record(extra={"ASC_DT": "170401", "NOTE": "x"})
    b = _record(extra={"NOTE": "x"})

    assert [str(d) for d in compare_records([a], [b])] == [
        "G0001 extra[ASC_DT]: '170401' != None"
    ]


def test_source_is_compared_when_not_ignored():
    a = _record(source=Source("a.txt", "cms-text"))
    b = _record(source=Source("b.txt", "cms-text"))

    differences = compare_records([a], [b], ignore=())

    assert [d.field for d in differences] == ["source"]
