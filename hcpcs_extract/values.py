"""Turning printed cell text into the record's values: text, dates, integers."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from markdownify import markdownify

_SPACES = re.compile(r"\s+")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_NAMES = ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y",
                "%d %B %Y")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")
_CODE_SHAPES = (
    re.compile(r"^[A-Z]\d{4}$"),          # Level II: a letter and four digits
    re.compile(r"^\d{4}[0-9FTUM]$"),      # Level I (CPT)
    re.compile(r"^[A-Z0-9]{2}$"),         # modifier
)


def clean_text(text: str | None) -> str | None:
    """One space between words; None for a cell with nothing in it."""
    if text is None:
        return None
    folded = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    return folded or None


def parse_date(text: str) -> dt.date:
    """A date as vendors print it: `20020101`, `2002-01-01`, `01/01/2002`,
    `Jan 1, 2002`. A year alone is not a date. Raises ValueError."""
    text = text.strip()
    for pattern, order in ((_COMPACT, "ymd"), (_ISO, "ymd"), (_US, "mdy")):
        found = pattern.match(text)
        if found:
            parts = dict(zip(order, (int(g) for g in found.groups())))
            return dt.date(parts["y"], parts["m"], parts["d"])
    for fmt in _MONTH_NAMES:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date")


def parse_units(text: str) -> int:
    """Anesthesia base units: a whole number, leading zeros allowed (`000`)."""
    if not text.strip().isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def normalise_code(text: str) -> str:
    """A HCPCS code as printed, less spaces; upper case, as CMS prints them."""
    return text.replace(" ", "").replace("\u00a0", "").upper()


def is_code_shaped(text: str) -> bool:
    return any(shape.match(text) for shape in _CODE_SHAPES)


def record_type_of(code: str) -> str:
    return "modifier" if len(code) == 2 else "procedure"


@lru_cache(maxsize=4096)
def meaning_to_text(meaning: str) -> str | None:
    """A meaning cell as clean text: HTML goes through markdownify, keeping
    paragraphs apart and dropping emphasis.

    Cached: a bundle repeats the same few dozen definitions on every sheet, and
    markdownify costs far more than the rest of reading a sheet."""
    if _HTML_TAG.search(meaning):
        meaning = markdownify(
            meaning,
            strip=["b", "strong", "i", "em", "a", "span", "u"],
            escape_asterisks=False,
            escape_underscores=False,
            escape_misc=False,
            bullets="-",
        )
    lines = [_SPACES.sub(" ", line).strip() for line in meaning.splitlines()]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None
