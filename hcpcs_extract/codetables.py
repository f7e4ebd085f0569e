"""CMS's code tables: what a pricing indicator, coverage code, BETOS code... means.

The tables ship as package data (`data/*.json`), built from the record layouts
and processing notes of CMS's releases by `tools/build_code_tables.py`. Each
meaning carries the releases that print it, so a change of wording between
releases is kept rather than overwritten.

Filling: a coded value a sheet prints without its meaning gets CMS's meaning,
and the record's `source.filled` names the field (`coverage`,
`pricing_indicators[1]`: list items are numbered from 1, as the sheets' `#1`).
A printed meaning that differs from every release's wording (after folding case,
spacing and curly quotes) is reported, not replaced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Iterator, Mapping

from .document import Report
from .record import Coded, HcpcsRecord

# Canonical field -> the table that decodes it, in the record's field order.
FIELD_TABLES: dict[str, str] = {
    "pricing_indicators": "pricing_indicator",
    "multiple_pricing_indicator": "multiple_pricing_indicator",
    "lab_certifications": "lab_certification",
    "coverage": "coverage",
    "processing_note_number": "processing_note",
    "betos": "betos",
    "types_of_service": "type_of_service",
    "action": "action",
}
TABLE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(FIELD_TABLES.values()))

_INDEX = re.compile(r"\[\d+\]$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
           "nov", "dec")
_ELLIPSIS = ("\u2026", "...")
_QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


@dataclass(frozen=True, slots=True)
class Meaning:
    """One wording of a code's meaning and the releases that print it."""

    text: str
    releases: tuple[str, ...]


@dataclass(frozen=True)
class CodeTable:
    """One table: code -> its wordings, with where the table comes from."""

    name: str
    title: str
    source: str
    releases: tuple[str, ...]
    codes: Mapping[str, tuple[Meaning, ...]]

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def meanings(self, code: str) -> tuple[Meaning, ...]:
        return self.codes.get(code, ())

    def describe(self, code: str, release: str | None = None) -> str | None:
        """The meaning in `release` (or in the latest release before it that has
        the code); with no release, the latest wording."""
        dated = sorted(
            ((release_key(r), m.text) for m in self.meanings(code)
             for r in m.releases),
        )
        if release is not None:
            wanted = release_key(release)
            dated = [item for item in dated if item[0] <= wanted]
        return dated[-1][1] if dated else None


def release_key(release: str) -> tuple[int, int]:
    """`2019` -> (2019, 1); `2020-apr` -> (2020, 4): releases in time order."""
    year, _, month = release.lower().partition("-")
    if not year.isdigit():
        raise ValueError(f"{release!r} is not a release like 2019 or 2020-apr")
    number = _MONTHS.index(month[:3]) + 1 if month[:3] in _MONTHS else 1
    return int(year), number


@cache
def table(name: str) -> CodeTable:
    """One code table from the package data, loaded once."""
    if name not in TABLE_NAMES:
        raise KeyError(f"no code table {name!r}; known: {', '.join(TABLE_NAMES)}")
    data = json.loads(
        resources.files(__package__).joinpath("data", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    codes = {
        code: tuple(Meaning(m["meaning"], tuple(m["releases"])) for m in meanings)
        for code, meanings in data["codes"].items()
    }
    return CodeTable(data["table"], data["title"], data["source"],
                     tuple(data["releases"]), codes)


def table_for(field: str) -> CodeTable | None:
    """The table of a canonical field (`pricing_indicators[2]` as well)."""
    name = FIELD_TABLES.get(_INDEX.sub("", field))
    return table(name) if name is not None else None


@cache
def describe(field: str, code: str, release: str | None = None) -> str | None:
    """What `code` means in `field` as CMS prints it; None for an unknown code
    or a field without a table."""
    found = table_for(field)
    return found.describe(code, release) if found is not None else None


def fold(text: str) -> str:
    """Text for comparing meanings: case, spacing and curly quotes do not count
    (sites that republish CMS's data turn straight quotes into curly ones)."""
    return " ".join(text.translate(_QUOTES).split()).casefold()


def agrees(printed: str, field: str, code: str) -> bool:
    """True when a printed meaning is one of CMS's wordings for the code; a
    meaning cut short with an ellipsis agrees when CMS's wording begins so."""
    found = table_for(field)
    if found is None or code not in found:
        return True
    wanted = fold(printed)
    cut = wanted.endswith(_ELLIPSIS)
    if cut:
        wanted = fold(wanted.rstrip("".join(_ELLIPSIS)).rstrip(" ,;"))
    for meaning in found.meanings(code):
        cms = fold(meaning.text)
        if cms == wanted or (cut and cms.startswith(wanted)):
            return True
    return False


def coded_values(record: HcpcsRecord) -> Iterator[tuple[str, Coded]]:
    """(field name, value) of every coded value with a table, list items named
    `field[n]` from 1."""
    for field in FIELD_TABLES:
        value = getattr(record, field)
        if isinstance(value, Coded):
            yield field, value
        elif isinstance(value, tuple):
            for n, item in enumerate(value, start=1):
                if isinstance(item, Coded):
                    yield f"{field}[{n}]", item


def settle_descriptions(record: HcpcsRecord, report: Report,
                        fill: bool = True) -> HcpcsRecord:
    """The record with missing meanings filled from CMS's tables (when `fill`),
    warning in `report` where a printed meaning disagrees with CMS's."""
    filled: dict[str, str] = {}
    for name, value in coded_values(record):
        if value.description is None:
            meaning = describe(name, value.code)
            if fill and meaning is not None:
                filled[name] = meaning
        elif not agrees(value.description, name, value.code):
            report.warn(
                f"{record.hcpcs_code} {name} {value.code}: the input says"
                f" {value.description!r}, CMS's table says"
                f" {describe(name, value.code)!r}",
                code=record.hcpcs_code, field=name, **place_of(record),
            )

    if not filled:
        return record
    return _with_filled(record, filled)


def _with_filled(record: HcpcsRecord, filled: dict[str, str]) -> HcpcsRecord:
    changes: dict[str, object] = {}
    for field in FIELD_TABLES:
        value = getattr(record, field)
        if isinstance(value, Coded) and field in filled:
            changes[field] = Coded(value.code, filled[field])
        elif isinstance(value, tuple) and value and isinstance(value[0], Coded):
            changes[field] = tuple(
                Coded(item.code, filled.get(f"{field}[{n}]", item.description))
                for n, item in enumerate(value, start=1)
            )

    if record.source is not None:
        names = tuple(dict.fromkeys((*record.source.filled, *filled)))
        changes["source"] = replace(record.source, filled=names)
    return replace(record, **changes)  # type: ignore[arg-type]


def place_of(record: HcpcsRecord) -> dict[str, int]:
    """The line, page or row a record was read from, for a problem about it."""
    source = record.source
    if source is None:
        return {}
    place = {"line": source.line, "page": source.page, "row": source.row}
    return {unit: n for unit, n in place.items() if n is not None}
