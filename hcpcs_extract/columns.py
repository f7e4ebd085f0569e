"""Flat tables of records: the canonical CSV columns and CMS's own 48 columns.

The column order of every table the project writes is fixed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Iterator, Mapping

from .record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    DATE_FIELDS,
    FIELD_NAMES,
    INTEGER_FIELDS,
    LIST_LIMITS,
    TEXT_LIST_FIELDS,
    Coded,
    HcpcsRecord,
    Source,
)

# Singular column stems of the repeated fields: `pricing_indicator_1`.
_STEMS = {
    "pricing_indicators": "pricing_indicator",
    "cim_references": "cim_reference",
    "mcm_references": "mcm_reference",
    "lab_certifications": "lab_certification",
    "cross_references": "cross_reference",
    "types_of_service": "type_of_service",
}
_SOURCE_COLUMNS = (
    "source_path", "source_member", "source_format", "source_sha256",
    "source_line", "source_page", "source_row", "source_filled",
)


def flat_column(key: str, position: int | None = None, part: str = "code") -> str:
    """The flat column name of one value: `pricing_indicator_2_description`."""
    name = f"{_STEMS[key]}_{position or 1}" if key in _STEMS else key
    return f"{name}_description" if part == "description" else name


def _flat_columns() -> tuple[str, ...]:
    columns: list[str] = []
    for key in FIELD_NAMES:
        if key == "source":
            columns.extend(_SOURCE_COLUMNS)
        elif key in LIST_LIMITS:
            for n in range(1, LIST_LIMITS[key] + 1):
                columns.append(flat_column(key, n))
                if key in CODED_LIST_FIELDS:
                    columns.append(flat_column(key, n, "description"))
        else:
            columns.append(key)
            if key in CODED_FIELDS:
                columns.append(flat_column(key, None, "description"))
    return tuple(columns)


FLAT_COLUMNS = _flat_columns()


def record_to_flat(record: HcpcsRecord) -> dict[str, str]:
    """The record as one row of text cells; an empty cell is a missing value."""
    row = dict.fromkeys(FLAT_COLUMNS, "")
    for key in FIELD_NAMES:
        value = getattr(record, key)
        if key == "source":
            row.update(_source_to_flat(value))
        elif key == "extra":
            row[key] = json.dumps(dict(value), ensure_ascii=False, sort_keys=True)
        elif key in LIST_LIMITS:
            for n, item in enumerate(value, start=1):
                _put(row, key, n, item)
        else:
            _put(row, key, None, value)
    return row


def record_from_flat(row: Mapping[str, str]) -> HcpcsRecord:
    """The record a flat row was written from (the inverse of `record_to_flat`)."""
    values: dict[str, object] = {}
    for key in FIELD_NAMES:
        if key == "source":
            values[key] = _source_from_flat(row)
        elif key == "extra":
            values[key] = json.loads(row.get(key) or "{}")
        elif key in LIST_LIMITS:
            values[key] = tuple(_listed_from_flat(row, key))
        else:
            values[key] = _scalar_from_flat(row, key)
    return HcpcsRecord(**values)  # type: ignore[arg-type]


def _put(row: dict[str, str], key: str, n: int | None, value: object) -> None:
    if value is None:
        return
    if isinstance(value, Coded):
        row[flat_column(key, n)] = value.code
        row[flat_column(key, n, "description")] = value.description or ""
    elif isinstance(value, dt.date):
        row[flat_column(key, n)] = value.isoformat()
    else:
        row[flat_column(key, n)] = str(value)


def _scalar_from_flat(row: Mapping[str, str], key: str) -> object:
    text = row.get(key) or None
    if key in ("hcpcs_code", "record_type", "long_description"):
        return text or ""
    if text is None:
        return None
    if key in CODED_FIELDS:
        description = row.get(flat_column(key, None, "description")) or None
        return Coded(text, description)
    if key in DATE_FIELDS:
        return dt.date.fromisoformat(text)
    if key in INTEGER_FIELDS:
        return int(text)
    return text


def _listed_from_flat(row: Mapping[str, str], key: str) -> Iterator[object]:
    for n in range(1, LIST_LIMITS[key] + 1):
        code = row.get(flat_column(key, n)) or None
        if code is None:
            continue
        if key in TEXT_LIST_FIELDS:
            yield code
        else:
            yield Coded(code, row.get(flat_column(key, n, "description")) or None)


def _source_to_flat(source: Source | None) -> dict[str, str]:
    if source is None:
        return {}
    values = source.to_dict()
    flat = {f"source_{k}": "" if v is None else str(v) for k, v in values.items()}
    flat["source_filled"] = ";".join(source.filled)
    return flat


def _source_from_flat(row: Mapping[str, str]) -> Source | None:
    if not row.get("source_path"):
        return None

    def number(name: str) -> int | None:
        text = row.get(name)
        return int(text) if text else None

    filled = row.get("source_filled") or ""
    return Source(
        path=row["source_path"],
        format=row.get("source_format") or "",
        sha256=row.get("source_sha256") or None,
        member=row.get("source_member") or None,
        line=number("source_line"),
        page=number("source_page"),
        row=number("source_row"),
        filled=tuple(filled.split(";")) if filled else (),
    )


# CMS's ANWEB xlsx header, in its order.
CMS_COLUMNS: tuple[str, ...] = (
    "HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION",
    "PRICE1", "PRICE2", "PRICE3", "PRICE4", "MULT_PI",
    "CIM1", "CIM2", "CIM3", "MCM1", "MCM2", "MCM3", "STATUTE",
    "LABCERT1", "LABCERT2", "LABCERT3", "LABCERT4",
    "LABCERT5", "LABCERT6", "LABCERT7", "LABCERT8",
    "XREF1", "XREF2", "XREF3", "XREF4", "XREF5",
    "COV", "ASC_GRP", "ASC_DT", "OPPS", "OPPS_PI", "OPPS_DT", "PROCNOTE", "BETOS",
    "TOS1", "TOS2", "TOS3", "TOS4", "TOS5", "ANEST_BU",
    "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD",
)

# Canonical key -> CMS column stem (repeated fields take 1..N after the stem).
CMS_NAMES: dict[str, str] = {
    "long_description": "LONG DESCRIPTION",
    "short_description": "SHORT DESCRIPTION",
    "pricing_indicators": "PRICE",
    "multiple_pricing_indicator": "MULT_PI",
    "cim_references": "CIM",
    "mcm_references": "MCM",
    "statute_number": "STATUTE",
    "lab_certifications": "LABCERT",
    "cross_references": "XREF",
    "coverage": "COV",
    "asc_payment_group_code": "ASC_GRP",
    "asc_payment_group_effective_date": "ASC_DT",
    "mog_payment_group_code": "OPPS",
    "mog_payment_policy_indicator": "OPPS_PI",
    "mog_effective_date": "OPPS_DT",
    "processing_note_number": "PROCNOTE",
    "betos": "BETOS",
    "types_of_service": "TOS",
    "anesthesia_base_units": "ANEST_BU",
    "code_added_date": "ADD DT",
    "action_effective_date": "ACT EFF DT",
    "termination_date": "TERM DT",
    "action": "ACTION CD",
}


def record_to_cms(record: HcpcsRecord) -> dict[str, str]:
    """The record as a row of CMS's ANWEB table: codes only, dates as YYYYMMDD."""
    row = dict.fromkeys(CMS_COLUMNS, "")
    row["HCPC"] = record.hcpcs_code
    row["RECID"] = "7" if record.record_type == "modifier" else "3"
    for key, stem in CMS_NAMES.items():
        value = getattr(record, key)
        if key in LIST_LIMITS:
            for n, item in enumerate(value, start=1):
                row[f"{stem}{n}"] = _cms_text(item)
        else:
            row[stem] = _cms_text(value)
    return row


def _cms_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Coded):
        return value.code
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)
