"""Decoding text documents: UTF-8 first, then a detector's best guess, reported."""

from __future__ import annotations

import codecs
from functools import lru_cache

from charset_normalizer import from_bytes

from .document import Report
from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_LEGACY = ["cp1252", "latin_1", "iso8859_15"]


@lru_cache(maxsize=64)
def _head_is_binary(head: bytes) -> bool:
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return bool(head) and controls / len(head) > 0.05


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB: not text.

    Every reader's sniff asks this of the same document: the answer is cached by
    the head's bytes."""
    return _head_is_binary(data[:4096])


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
        # Sheets that are not UTF-8 come from Western-European tools; letting the
        # detector choose among those alone keeps short texts from odd guesses.
        guess = from_bytes(data, cp_isolation=_LEGACY).best()
        encoding = guess.encoding if guess is not None else "cp1252"
        report.warn(
            f"not UTF-8 (byte 0x{bad:02X}); decoded as {encoding}", line=line
        )
        return data.decode(encoding, errors="replace")
