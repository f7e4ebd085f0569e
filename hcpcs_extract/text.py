"""Decoding text documents: UTF-8 first, then cp1252 or latin-1, reported."""

from __future__ import annotations

import codecs

from .document import Report
from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB: not text."""
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


def decode(data: bytes, report: Report) -> str:
    """The document's text. Raises InputError for binary data; warns, naming the
    line of the first bad byte, when the text is not UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if looks_binary(data):
        raise InputError("binary data, not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start]
        encoding = _legacy_encoding(data)
        report.warn(
            f"not UTF-8 (byte 0x{bad:02X}); decoded as {encoding}", line=line
        )
        return data.decode(encoding, errors="replace")


def _legacy_encoding(data: bytes) -> str:
    # Sheets come from US sites: text that is not UTF-8 is Windows' cp1252 or its
    # near-subset latin-1. A detector asked about a few accented letters in English
    # text guesses Baltic or Central European code pages instead, so none is asked.
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"
