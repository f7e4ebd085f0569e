"""Markdown sheets rendered from records: test-support code for fixtures, the
fidelity harness and benchmarks.

Layouts:
- `vendor`: the seed sheet's layout (bold code heading, an intro, a row a line with
  the label in `<i>`, TAB-separated value and meaning, a contact block);
- `pipe`: a pipe table as markdownify writes one from an HTML sheet, header row,
  labels in emphasis, `HCPCS ` labels and short decoded rows, escaped pipes.
"""

from __future__ import annotations

from typing import Iterable

from hcpcs_extract.record import HcpcsRecord

from .sheet_rows import SheetRow, sheet_rows

LAYOUTS = ("vendor", "pipe")

_INTRO = (
    "## **Healthcare Common Procedure Coding System**\n\n"
    "The Healthcare Common Procedure Coding System (HCPCS) is a collection of codes"
    " that represent procedures, supplies, products and services.\n"
)
_CONTACT = (
    "Contact Information for HCPCS\n\n"
    "HCPCS Email Address: [hcpcs@example.org](mailto:hcpcs@example.org)\n"
)


def render(record: HcpcsRecord, layout: str = "vendor") -> str:
    if layout == "vendor":
        return _vendor(record)
    if layout == "pipe":
        return _pipe(record)
    raise ValueError(f"unknown markdown layout {layout!r}; use one of {LAYOUTS}")


def render_many(records: Iterable[HcpcsRecord], layout: str = "vendor") -> str:
    return "\n".join(render(record, layout) for record in records)


def _vendor(record: HcpcsRecord) -> str:
    lines = [
        f"**{record.hcpcs_code}**",
        "",
        f"**{record.long_description.upper()}**",
        "",
        _INTRO,
        f"**{record.hcpcs_code} {record.long_description}**",
        "",
    ]
    for row in sheet_rows(record, "vendor"):
        meaning = f"<p>{row.meaning}</p>" if row.meaning else ""
        lines.append(f"<i>{row.label}</i>\t{row.value}\t{meaning}")
    lines += ["", _CONTACT]
    return "\n".join(lines)


def _pipe(record: HcpcsRecord) -> str:
    lines = [
        f"# {record.hcpcs_code}",
        "",
        "| Field | Value | Meaning |",
        "| --- | --- | --- |",
    ]
    lines += [_pipe_row(row) for row in sheet_rows(record, "portal")]
    return "\n".join(lines) + "\n"


def _pipe_row(row: SheetRow) -> str:
    cells = (f"*{_escape(row.label)}*", _escape(row.value), _escape(row.meaning))
    return "| " + " | ".join(cells) + " |"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
