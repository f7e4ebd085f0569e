"""Vendor-style markdown sheets for records, in the seed sheet's layout: a bold
code heading, then one `<i>label</i>` TAB value TAB meaning row per value."""

from __future__ import annotations

from typing import Iterable

from hcpcs_extract.record import HcpcsRecord

from .sheet_rows import sheet_rows


def render_sheet(record: HcpcsRecord, style: str = "vendor") -> str:
    lines = [f"**{record.hcpcs_code}**", ""]
    for row in sheet_rows(record, style):
        lines.append(f"<i>{row.label}</i>\t{row.value}\t{row.meaning}")
    return "\n".join(lines) + "\n"


def render_sheets(records: Iterable[HcpcsRecord], style: str = "vendor") -> str:
    """Several sheets in one file, each opening at its heading."""
    return "\n".join(render_sheet(record, style) for record in records)
