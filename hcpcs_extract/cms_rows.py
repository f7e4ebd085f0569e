"""Records from rows in CMS's own columns (HCPC, SEQNUM, RECID, ... ACTION CD).

CMS's xlsx and csv, the fixed-width text once cut into columns, and the listing
tables that web sites print from them all come down to such rows. A code's first
row has RECID 3 (procedure) or 7 (modifier); rows with RECID 4 or 8 carry only
more of the long description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

from .columns import CMS_COLUMNS, CMS_NAMES
from .document import Report
from .record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    DATE_FIELDS,
    INTEGER_FIELDS,
    LIST_LIMITS,
    Coded,
    HcpcsRecord,
    Source,
)
from .values import (
    clean_text,
    is_code_shaped,
    normalise_code,
    parse_date,
    parse_units,
)

FIRST_RECIDS = {"3": "procedure", "7": "modifier"}
CONTINUATION_RECIDS = {"4": "procedure", "8": "modifier"}
_KNOWN = frozenset(CMS_COLUMNS)


@dataclass
class _Pending:
    code: str
    record_type: str
    place: int
    cells: Mapping[str, str]
    long_parts: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def normalise_header(name: object) -> str:
    """`Long Description`, `long_description` and `LONG DESCRIPTION` alike."""
    text = " ".join(str(name or "").replace("_", " ").split()).upper()
    for column in CMS_COLUMNS:
        if text == column.replace("_", " "):
            return column
    return text


def records_from_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    report: Report,
    fmt: str,
    unit: str = "row",
) -> Iterator[HcpcsRecord]:
    """Records from (place, row) pairs in file order; `unit` says whether a place
    is a `row` or a `line` number, for sources and problems."""
    pending: _Pending | None = None
    for place, cells in rows:
        code = normalise_code(cells.get("HCPC") or "")
        recid = (cells.get("RECID") or "").strip() or _guess_recid(code)
        if not code:
            report.warn("row without a HCPC code skipped", **{unit: place})
            continue
        if not is_code_shaped(code):
            report.error(f"HCPC {code!r} is not an HCPCS code; row left out",
                         **{unit: place})
            continue

        if recid in CONTINUATION_RECIDS:
            text = cells.get("LONG DESCRIPTION") or ""
            if pending is not None and pending.code == code:
                pending.long_parts.append(text)
            else:
                report.warn(f"continuation row for {code} with no first row;"
                            " skipped", code=code, **{unit: place})
            continue

        if recid not in FIRST_RECIDS:
            report.warn(f"unknown RECID {recid!r} for {code}; row skipped",
                        code=code, **{unit: place})
            continue

        if pending is not None:
            yield from _build(pending, report, fmt, unit)
        pending = _Pending(code, FIRST_RECIDS[recid], place, cells,
                           [cells.get("LONG DESCRIPTION") or ""])

    if pending is not None:
        yield from _build(pending, report, fmt, unit)


def _guess_recid(code: str) -> str:
    return "7" if len(code) == 2 else "3"


def _build(pending: _Pending, report: Report, fmt: str,
           unit: str) -> Iterator[HcpcsRecord]:
    place = {unit: pending.place}
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    for key, stem in CMS_NAMES.items():
        if key == "long_description":
            continue
        if key in LIST_LIMITS:
            values[key] = _listed(key, stem, pending.cells)
            continue
        raw = clean_text(pending.cells.get(stem))
        if raw is None:
            continue
        try:
            values[key] = _typed(key, raw)
        except ValueError as exc:
            report.warn(f"{stem}: {exc}; kept in extra", code=pending.code,
                        field=key, **place)
            extra[stem] = raw

    for name, text in pending.cells.items():
        if name not in _KNOWN and clean_text(text) is not None:
            extra[name] = clean_text(text) or ""

    doc = report.document
    source = Source(path=doc.path, member=doc.member, format=fmt,
                    sha256=doc.sha256, **place)  # type: ignore[arg-type]
    yield HcpcsRecord(
        hcpcs_code=pending.code,
        record_type=pending.record_type,
        long_description=clean_text(" ".join(pending.long_parts)) or "",
        extra=extra,
        source=source,
        **values,  # type: ignore[arg-type]
    )


def _typed(key: str, raw: str) -> object:
    if key in DATE_FIELDS:
        return parse_date(raw)
    if key in INTEGER_FIELDS:
        return parse_units(raw)
    if key in CODED_FIELDS:
        return Coded(raw)
    return raw


def _listed(key: str, stem: str, cells: Mapping[str, str]) -> tuple:
    values = []
    for n in range(1, LIST_LIMITS[key] + 1):
        raw = clean_text(cells.get(f"{stem}{n}"))
        if raw is not None:
            values.append(Coded(raw) if key in CODED_LIST_FIELDS else raw)
    return tuple(values)
