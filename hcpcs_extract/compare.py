"""Two sets of records compared field by field, keyed by (record type, code).

Used to hold one file of a release against another (CMS's text against its xlsx)
and one release against the next. Values are compared in their JSON form, so a
coded value differs when its code or its description does; `extra` is compared
key by key. Where a record is read from says nothing about it: `source` is left
out unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .record import FIELD_NAMES, HcpcsRecord

RECORD = "record"


@dataclass(frozen=True)
class FieldDifference:
    """One field of one code whose value differs between the two sides.

    `field` is a record field name, `extra[NAME]` for a key of `extra`, or
    `record` when the code is on one side only (its value there is the code,
    None on the other side). Values are JSON values: text, lists, dicts, None.
    """

    record_type: str
    code: str
    field: str
    left: Any
    right: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.record_type, self.code)

    def __str__(self) -> str:
        return f"{self.code} {self.field}: {self.left!r} != {self.right!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"record_type": self.record_type, "code": self.code,
                "field": self.field, "left": self.left, "right": self.right}


def compare_records(left: Iterable[HcpcsRecord], right: Iterable[HcpcsRecord],
                    ignore: Iterable[str] = ("source",)) -> list[FieldDifference]:
    """Every field difference between two sets of records, in key order and
    then in the record's field order. A key found twice on one side keeps its
    last record."""
    ours = {record.key: record for record in left}
    theirs = {record.key: record for record in right}
    skip = frozenset(ignore)
    differences: list[FieldDifference] = []
    for key in sorted(ours.keys() | theirs.keys()):
        a, b = ours.get(key), theirs.get(key)
        if a is None or b is None:
            differences.append(FieldDifference(
                key[0], key[1], RECORD, a and a.hcpcs_code, b and b.hcpcs_code))
            continue
        differences.extend(record_differences(a, b, skip))
    return differences


def record_differences(a: HcpcsRecord, b: HcpcsRecord,
                       ignore: Iterable[str] = ("source",)) -> list[FieldDifference]:
    """The fields in which two records of one code differ."""
    skip = frozenset(ignore)
    first, second = a.to_dict(), b.to_dict()
    found: list[FieldDifference] = []
    for name in FIELD_NAMES:
        if name in skip or first[name] == second[name]:
            continue
        if name == "extra":
            found.extend(_extra_differences(a, first[name], second[name]))
        else:
            found.append(FieldDifference(a.record_type, a.hcpcs_code, name,
                                         first[name], second[name]))
    return found


def _extra_differences(record: HcpcsRecord, first: dict[str, str],
                       second: dict[str, str]) -> list[FieldDifference]:
    return [
        FieldDifference(record.record_type, record.hcpcs_code, f"extra[{name}]",
                        first.get(name), second.get(name))
        for name in sorted(first.keys() | second.keys())
        if first.get(name) != second.get(name)
    ]
