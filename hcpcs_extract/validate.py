"""Checks of every record read: code shape, known codes, dates in order, lengths.

Findings are warnings naming the record's code and the field; `--strict` turns
them into errors like every other warning. The rules hold on CMS's own releases
(see README); each names what it found, so a user can judge the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from .codetables import coded_values, place_of, settle_descriptions, table_for
from .document import Report
from .record import HcpcsRecord

SHORT_DESCRIPTION_LIMIT = 28

_LEVEL_TWO = {
    "procedure": re.compile(r"^[A-Z]\d{4}$"),
    "modifier": re.compile(r"^[A-Z][A-Z0-9]$"),
}
# CPT: five digits, or four digits and F, T, U or M; CPT modifiers begin with a
# digit (`25`, `1P`).
_LEVEL_ONE = {
    "procedure": re.compile(r"^\d{4}[0-9FTUM]$"),
    "modifier": re.compile(r"^\d[A-Z0-9]$"),
}
_NOTE = re.compile(r"^\d{4}$")
_SHAPES = {
    "procedure": "a letter and four digits",
    "modifier": "two characters, the first a letter",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule a record breaks: which rule, in which field, and why."""

    rule: str
    field: str
    reason: str


def review(record: HcpcsRecord, report: Report, fill: bool = True) -> HcpcsRecord:
    """The record as the batch keeps it: meanings settled against CMS's tables,
    every finding reported as a warning about the record."""
    record = settle_descriptions(record, report, fill)

    for finding in findings(record):
        report.warn(finding.reason, code=record.hcpcs_code, field=finding.field,
                    **place_of(record))
    return record


def findings(record: HcpcsRecord) -> list[Finding]:
    """Every rule the record breaks, in rule order."""
    return [found for rule in RULES for found in rule(record)]


def code_shape(record: HcpcsRecord) -> Iterator[Finding]:
    code, kind = record.hcpcs_code, record.record_type
    if kind not in _LEVEL_TWO or _LEVEL_TWO[kind].match(code):
        return
    if _LEVEL_ONE[kind].match(code):
        yield Finding("level_one", "hcpcs_code",
                      f"{code} is a Level I (CPT) {kind} code, not Level II")
    else:
        yield Finding("code_shape", "hcpcs_code",
                      f"{code} is not shaped like a HCPCS {kind} code"
                      f" ({_SHAPES[kind]})")


def known_values(record: HcpcsRecord) -> Iterator[Finding]:
    for name, value in coded_values(record):
        found = table_for(name)
        if found is not None and value.code not in found:
            yield Finding("unknown_value", name,
                          f"{record.hcpcs_code} {name}: {value.code!r} is not in"
                          f" CMS's {found.title} table ({_span(found.releases)})")


def processing_note_shape(record: HcpcsRecord) -> Iterator[Finding]:
    # Only the shape: CMS adds notes every year and the notes files we build the
    # table from stop at 2019, so a later number missing from it is our gap.
    note = record.processing_note_number
    if note is not None and not _NOTE.match(note):
        yield Finding("note_shape", "processing_note_number",
                      f"{record.hcpcs_code}: processing note {note!r} is not"
                      " four digits")


def dates_in_order(record: HcpcsRecord) -> Iterator[Finding]:
    added = record.code_added_date
    effective = record.action_effective_date
    ended = record.termination_date
    if added is not None and effective is not None and effective < added:
        yield Finding("date_order", "action_effective_date",
                      f"{record.hcpcs_code}: action effective {effective} is"
                      f" before the code was added ({added})")
    if added is not None and ended is not None and ended <= added:
        yield Finding("date_order", "termination_date",
                      f"{record.hcpcs_code}: terminated {ended}, not after the code"
                      f" was added ({added})")


def short_description_length(record: HcpcsRecord) -> Iterator[Finding]:
    text = record.short_description
    if text is not None and len(text) > SHORT_DESCRIPTION_LIMIT:
        yield Finding("short_description", "short_description",
                      f"{record.hcpcs_code}: short description has {len(text)}"
                      f" characters, more than CMS's {SHORT_DESCRIPTION_LIMIT}")


def _span(releases: tuple[str, ...]) -> str:
    return releases[0] if len(releases) == 1 else f"{releases[0]}-{releases[-1]}"


RULES: tuple[Callable[[HcpcsRecord], Iterator[Finding]], ...] = (
    code_shape,
    known_values,
    processing_note_shape,
    dates_in_order,
    short_description_length,
)
