"""`datapackage.json`: a Frictionless Data Package describing the two CSV tables,
so that tools that read table schemas type every column the way the record does.

Fields come from the column orders in `columns`, never from a copy of them.
"""

from __future__ import annotations

from typing import Any

from .cms_rows import FIRST_RECIDS
from .columns import CMS_COLUMNS, CMS_NAMES, FLAT_COLUMNS, flat_column
from .record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    DATE_FIELDS,
    FIELD_NAMES,
    INTEGER_FIELDS,
    LIST_LIMITS,
    RECORD_TYPES,
)

# Table Schema patterns match the whole cell, as XML Schema patterns do.
HCPCS_CODE_PATTERN = "[A-Z0-9]{2}([A-Z0-9]{3})?"
CODE_PATTERN = "[A-Za-z0-9]+"
SHA256_PATTERN = "[0-9a-f]{64}"
CMS_RECIDS = {kind: recid for recid, kind in FIRST_RECIDS.items()}

_PLACE_COLUMNS = ("source_line", "source_page", "source_row")


def data_package() -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": "hcpcs-records",
        "title": "HCPCS records written by hcpcs-extract",
        "resources": [_flat_resource(), _cms_resource()],
    }


def _resource(name: str, path: str, description: str, fields: list[dict[str, Any]],
              primary_key: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "schema": {
            "fields": fields,
            "missingValues": [""],
            "primaryKey": primary_key,
        },
    }


def _flat_resource() -> dict[str, Any]:
    parts = _flat_parts()
    fields = [_flat_field(column, *parts[column]) for column in FLAT_COLUMNS]
    return _resource(
        "records", "records.csv",
        "One row per record; repeated fields numbered, coded fields beside their"
        " descriptions, extra as a JSON object, then where the record was read.",
        fields, ["record_type", "hcpcs_code"],
    )


def _flat_parts() -> dict[str, tuple[str, str]]:
    """Flat column -> (canonical key, `code`, `description` or `value`)."""
    parts: dict[str, tuple[str, str]] = {}
    for key in FIELD_NAMES:
        if key in LIST_LIMITS:
            for n in range(1, LIST_LIMITS[key] + 1):
                parts[flat_column(key, n)] = (key, "code")
                if key in CODED_LIST_FIELDS:
                    parts[flat_column(key, n, "description")] = (key, "description")
        elif key in CODED_FIELDS:
            parts[key] = (key, "code")
            parts[flat_column(key, None, "description")] = (key, "description")
        elif key != "source":
            parts[key] = (key, "value")
    for column in FLAT_COLUMNS:
        parts.setdefault(column, ("source", column))
    return parts


def _flat_field(column: str, key: str, part: str) -> dict[str, Any]:
    if key == "source":
        return _source_field(column)
    if part == "description":
        return {"name": column, "type": "string"}
    return _typed_field(column, key, date_format="default")


def _typed_field(name: str, key: str, date_format: str) -> dict[str, Any]:
    if key == "hcpcs_code":
        return {"name": name, "type": "string",
                "constraints": {"required": True, "pattern": HCPCS_CODE_PATTERN}}
    if key == "record_type":
        return {"name": name, "type": "string",
                "constraints": {"required": True, "enum": list(RECORD_TYPES)}}
    if key in DATE_FIELDS:
        return {"name": name, "type": "date", "format": date_format}
    if key in INTEGER_FIELDS:
        return {"name": name, "type": "integer", "constraints": {"minimum": 0}}
    if key in CODED_FIELDS or key in CODED_LIST_FIELDS:
        return {"name": name, "type": "string",
                "constraints": {"pattern": CODE_PATTERN}}
    if key == "extra":
        return {"name": name, "type": "object"}
    return {"name": name, "type": "string"}


def _source_field(column: str) -> dict[str, Any]:
    if column in _PLACE_COLUMNS:
        return {"name": column, "type": "integer", "constraints": {"minimum": 1}}
    if column == "source_sha256":
        return {"name": column, "type": "string",
                "constraints": {"pattern": SHA256_PATTERN}}
    return {"name": column, "type": "string"}


def _cms_resource() -> dict[str, Any]:
    keys = _cms_keys()
    fields = [_cms_field(column, keys.get(column)) for column in CMS_COLUMNS]
    return _resource(
        "records-cms", "records.cms.csv",
        "One row per record in the columns of CMS's ANWEB table: codes only,"
        " dates as YYYYMMDD, RECID 3 for a procedure and 7 for a modifier.",
        fields, ["RECID", "HCPC"],
    )


def _cms_keys() -> dict[str, str]:
    """CMS column -> canonical key."""
    keys = {"HCPC": "hcpcs_code"}
    for key, stem in CMS_NAMES.items():
        if key in LIST_LIMITS:
            keys.update({f"{stem}{n}": key for n in range(1, LIST_LIMITS[key] + 1)})
        else:
            keys[stem] = key
    return keys


def _cms_field(column: str, key: str | None) -> dict[str, Any]:
    if column == "RECID":
        return {"name": column, "type": "string",
                "constraints": {"required": True,
                                "enum": [CMS_RECIDS[t] for t in RECORD_TYPES]}}
    if key is None:
        return {"name": column, "type": "string"}
    return _typed_field(column, key, date_format="%Y%m%d")
