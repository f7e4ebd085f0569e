"""Tables in CMS's 48 ANWEB columns (xlsx, csv): header, notes, rows.

The header row is not always the first: CMS puts notes above it in some
releases. A table is ANWEB-shaped when its header names HCPC, SEQNUM, RECID and
LONG DESCRIPTION; transaction reports and NOC lists name HCPC or HCPCS with
other columns and are not. Rows come out as (place, {column: text}) pairs for
`cms_rows.records_from_rows`.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from ..cms_rows import CONTINUATION_RECIDS, normalise_header
from ..columns import CMS_COLUMNS
from ..document import Report
from ..values import clean_text, normalise_code

ANWEB_MARKERS = frozenset({"HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION"})
HEADER_SEARCH_ROWS = 100


def header_names(cells: Sequence[str]) -> list[str]:
    return [normalise_header(cell) for cell in cells]


def is_anweb_header(cells: Sequence[str]) -> bool:
    return ANWEB_MARKERS <= set(header_names(cells))


def table_rows(rows: Iterable[tuple[int, Sequence[str]]], report: Report,
               unit: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows below the ANWEB header as CMS columns; nothing when there is no
    header in the first rows. What is above the header is reported, not read."""
    header: list[str] | None = None
    above: list[tuple[int, str]] = []
    for place, cells in rows:
        if header is None:
            if is_anweb_header(cells):
                header = _checked_header(cells, place, report, unit)
                _report_above(above, report, unit)
            elif len(above) < HEADER_SEARCH_ROWS:
                above.append((place, " ".join(c for c in cells if c.strip())))
                continue
            else:
                return
            continue

        if not any(cell.strip() for cell in cells):
            continue
        row = _named(header, cells, place, report, unit)
        _report_stray_continuation(row, place, report, unit)
        yield place, row


def _checked_header(cells: Sequence[str], place: int, report: Report,
                    unit: str) -> list[str]:
    names = header_names(cells)
    missing = [name for name in CMS_COLUMNS if name not in names]
    if missing:
        report.warn(f"header lacks CMS columns {', '.join(missing)}",
                    **{unit: place})
    unknown = [name for name in names if name and name not in CMS_COLUMNS]
    if unknown:
        report.warn(f"columns not in CMS's layout kept in extra:"
                    f" {', '.join(unknown)}", **{unit: place})
    return names


def _report_above(above: list[tuple[int, str]], report: Report, unit: str) -> None:
    noted = [(place, text) for place, text in above if text]
    if not noted:
        return
    first, last = above[0][0], above[-1][0]
    report.warn(f"{unit}s {first}-{last} above the header are notes, not codes;"
                f" passed over (first: {noted[0][1][:60]!r})", **{unit: first})


def _named(header: list[str], cells: Sequence[str], place: int, report: Report,
           unit: str) -> dict[str, str]:
    row: dict[str, str] = {}
    for index, cell in enumerate(cells):
        name = header[index] if index < len(header) else ""
        if not name:
            if cell.strip():
                report.warn(f"value {cell.strip()[:40]!r} in a column without"
                            f" a header; kept in extra", **{unit: place})
                row[f"column {index + 1}"] = cell
            continue
        row[name] = cell
    return row


def _report_stray_continuation(row: dict[str, str], place: int, report: Report,
                               unit: str) -> None:
    # A table holds one row per code; a RECID 4/8 row is the rest of a long
    # description the cell above could not hold. It is joined, and said so.
    if (row.get("RECID") or "").strip() in CONTINUATION_RECIDS:
        code = normalise_code(row.get("HCPC") or "")
        text = clean_text(row.get("LONG DESCRIPTION")) or ""
        report.warn(f"{code}: long description continues on a continuation"
                    f" row ({text[:40]!r}); joined to the code's row",
                    code=code, field="long_description", **{unit: place})
