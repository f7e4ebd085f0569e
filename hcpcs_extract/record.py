"""The canonical HCPCS record: one immutable value per code, whatever the input."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

RECORD_TYPES = ("procedure", "modifier")


@dataclass(frozen=True, slots=True)
class Coded:
    """A coded value and, where known, what the code means."""

    code: str
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Coded:
        return cls(code=data["code"], description=data.get("description"))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was read: file, zip member, format and place in the file.

    `filled` names the coded fields whose description was not on the input and was
    filled in from CMS's code tables.
    """

    path: str
    format: str
    sha256: str | None = None
    member: str | None = None
    line: int | None = None
    page: int | None = None
    row: int | None = None
    filled: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "member": self.member,
            "format": self.format,
            "sha256": self.sha256,
            "line": self.line,
            "page": self.page,
            "row": self.row,
            "filled": list(self.filled),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        return cls(
            path=data["path"],
            format=data["format"],
            sha256=data.get("sha256"),
            member=data.get("member"),
            line=data.get("line"),
            page=data.get("page"),
            row=data.get("row"),
            filled=tuple(data.get("filled") or ()),
        )


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One HCPCS code with every field CMS publishes for it.

    Codes stay text (`00`, `0088`); dates are real dates; lists keep the order of
    the numbered fields they come from (`#1` first).
    """

    hcpcs_code: str
    record_type: str
    long_description: str
    short_description: str | None = None
    pricing_indicators: tuple[Coded, ...] = ()
    multiple_pricing_indicator: Coded | None = None
    cim_references: tuple[str, ...] = ()
    mcm_references: tuple[str, ...] = ()
    statute_number: str | None = None
    lab_certifications: tuple[Coded, ...] = ()
    cross_references: tuple[str, ...] = ()
    coverage: Coded | None = None
    asc_payment_group_code: str | None = None
    asc_payment_group_effective_date: dt.date | None = None
    mog_payment_group_code: str | None = None
    mog_payment_policy_indicator: str | None = None
    mog_effective_date: dt.date | None = None
    processing_note_number: str | None = None
    betos: Coded | None = None
    types_of_service: tuple[Coded, ...] = ()
    anesthesia_base_units: int | None = None
    code_added_date: dt.date | None = None
    action_effective_date: dt.date | None = None
    termination_date: dt.date | None = None
    action: Coded | None = None
    status: str | None = None
    last_update: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The stable identity of a record across inputs and releases."""
        return (self.record_type, self.hcpcs_code)

    def without_source(self) -> HcpcsRecord:
        return replace(self, source=None)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _value_to_json(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HcpcsRecord:
        values = {
            f.name: _value_from_json(f.name, data.get(f.name)) for f in fields(cls)
        }
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(HcpcsRecord))

CODED_FIELDS = frozenset(
    {"multiple_pricing_indicator", "coverage", "betos", "action"}
)
CODED_LIST_FIELDS = frozenset(
    {"pricing_indicators", "lab_certifications", "types_of_service"}
)
TEXT_LIST_FIELDS = frozenset({"cim_references", "mcm_references", "cross_references"})
DATE_FIELDS = frozenset(
    {
        "asc_payment_group_effective_date",
        "mog_effective_date",
        "code_added_date",
        "action_effective_date",
        "termination_date",
    }
)
INTEGER_FIELDS = frozenset({"anesthesia_base_units"})

# How many values each repeated field holds at most, as in CMS's record layout.
LIST_LIMITS: dict[str, int] = {
    "pricing_indicators": 4,
    "cim_references": 3,
    "mcm_references": 3,
    "lab_certifications": 8,
    "cross_references": 5,
    "types_of_service": 5,
}


def _value_to_json(value: Any) -> Any:
    if isinstance(value, (Coded, Source)):
        return value.to_dict()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_value_to_json(item) for item in value]
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _value_from_json(name: str, value: Any) -> Any:
    if value is None:
        return {} if name == "extra" else () if _is_list(name) else None
    if name in CODED_FIELDS:
        return Coded.from_dict(value)
    if name in CODED_LIST_FIELDS:
        return tuple(Coded.from_dict(item) for item in value)
    if name in TEXT_LIST_FIELDS:
        return tuple(value)
    if name in DATE_FIELDS:
        return dt.date.fromisoformat(value)
    if name == "source":
        return Source.from_dict(value)
    if name == "extra":
        return dict(value)
    return value


def _is_list(name: str) -> bool:
    return name in CODED_LIST_FIELDS or name in TEXT_LIST_FIELDS
