"""Sheets and zip bundles built in tests: real-looking records rendered in the
vendor's markdown layout, and zips put together member by member."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from hcpcs_extract.codetables import describe
from hcpcs_extract.record import Coded, HcpcsRecord
from tests.support.sheet_rows import sheet_rows

_LETTERS = "ABEGJKLQST"
_ITEMS = (
    "Syringe with needle, sterile", "Surgical dressing, gauze pad",
    "Oxygen concentrator, portable", "Ostomy pouch, drainable",
    "Wheelchair cushion, skin protection", "Infusion supplies, external pump",
    "Knee orthosis, elastic", "Walker, folding, wheeled",
)
_SIZES = ("each", "per unit", "per pair", "per month", "per diem", "per 10")
_COVERAGE = ("C", "D", "I")
_PRICING = ("00", "32", "46")


def _coded(field: str, code: str) -> Coded:
    """A code with the meaning CMS's code tables give it, as sheets print it."""
    return Coded(code, describe(field, code))


def sample_code(number: int) -> str:
    """A distinct level II code for every number below 100,000."""
    letter = _LETTERS[number % len(_LETTERS)]
    return f"{letter}{(number // len(_LETTERS)) * 37 % 10_000:04d}"


def sample_record(number: int) -> HcpcsRecord:
    """A record as a vendor sheet would carry it, different for every number."""
    item = _ITEMS[number % len(_ITEMS)]
    size = _SIZES[number % len(_SIZES)]
    return HcpcsRecord(
        hcpcs_code=sample_code(number),
        record_type="procedure",
        long_description=f"{item}, model {number}, {size}",
        short_description=f"{item[:16]} {number}",
        pricing_indicators=(
            _coded("pricing_indicators", _PRICING[number % len(_PRICING)]),),
        coverage=_coded("coverage", _COVERAGE[number % len(_COVERAGE)]),
        processing_note_number=f"{number % 100:04d}" if number % 3 == 0 else None,
        betos=_coded("betos", "D1F"),
        types_of_service=(_coded("types_of_service", "9"),),
        code_added_date=dt.date(1984 + number % 18, 1 + number % 12, 1),
        action_effective_date=dt.date(2002, 1, 1),
        action=_coded("action", "N"),
    )


def markdown_sheet(record: HcpcsRecord) -> str:
    """The record's sheet in the vendor's markdown layout (as the seed sheet)."""
    lines = [f"**{record.hcpcs_code}**", ""]
    lines.extend(f"<i>{row.label}</i>\t{row.value}\t{row.meaning}"
                 for row in sheet_rows(record))
    return "\n".join(lines) + "\n"


def zip_bytes(members: list[tuple[str | zipfile.ZipInfo, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def write_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.write_bytes(zip_bytes(members, compression))
    return path
