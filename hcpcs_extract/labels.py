"""Field labels as sheets print them, matched to the canonical record's keys.

Labels follow the titles of CMS's record layout, less the leading `HCPCS`; vendors
add synonyms and short forms for the decoded rows. Matching ignores case, spacing,
markup and a leading `HCPCS `; `#N` marks the Nth of a repeated field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from .record import LIST_LIMITS

CODE = "code"
DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """What a label names: a canonical key, the position of a repeated field
    (1-based, None for single fields) and whether it is the code or its meaning."""

    key: str
    position: int | None
    part: str = CODE


# Canonical key -> normalised labels of the row that carries the value.
_VALUE_LABELS: dict[str, tuple[str, ...]] = {
    "hcpcs_code": (
        "code", "hcpc", "hcpcs", "hcpcs code", "procedure code", "modifier code",
        "modifier", "healthcare common procedure coding system code",
        "procedure or modifier code",
    ),
    "long_description": (
        "long description", "code description", "description", "long desc",
        "long descriptor", "descriptor", "full description",
    ),
    "short_description": ("short description", "short desc", "short descriptor"),
    "pricing_indicators": ("pricing indicator code", "price", "pricing code"),
    "multiple_pricing_indicator": (
        "multiple pricing indicator code", "mult pi", "multiple pricing code",
    ),
    "cim_references": (
        "coverage issues manual reference section number", "cim reference",
        "cim", "cim reference section number",
    ),
    "mcm_references": (
        "medicare carriers manual reference section number", "mcm reference",
        "mcm", "mcm reference section number",
    ),
    "statute_number": ("statute number", "statute"),
    "lab_certifications": (
        "lab certification code", "labcert", "laboratory certification code",
    ),
    "cross_references": ("cross reference code", "xref", "cross reference"),
    "coverage": ("coverage code", "cov"),
    "asc_payment_group_code": ("asc payment group code", "asc grp", "asc group"),
    "asc_payment_group_effective_date": (
        "asc payment group effective date", "asc dt", "asc effective date",
    ),
    "mog_payment_group_code": ("mog payment group code", "opps"),
    "mog_payment_policy_indicator": ("mog payment policy indicator", "opps pi"),
    "mog_effective_date": ("mog effective date", "opps dt"),
    "processing_note_number": ("processing note number", "procnote",
                               "processing note"),
    "betos": (
        "berenson-eggers type of service code", "betos code", "betos",
        "berenson eggers type of service code",
    ),
    "types_of_service": ("type of service code", "tos"),
    "anesthesia_base_units": (
        "anesthesia base unit quantity", "anesthesia base units",
        "anesthesia base unit", "anest bu",
    ),
    "code_added_date": ("code added date", "added date", "add dt", "date added"),
    "action_effective_date": ("action effective date", "act eff dt",
                              "effective date"),
    "termination_date": ("termination date", "term dt", "date terminated"),
    "action": ("action code", "action cd"),
    "status": ("status",),
    "last_update": ("last update date", "last update", "last updated"),
}

# Canonical key -> labels of the decoded row that says what the coded value means.
# A label with `{n}` is the description of the Nth value of a repeated field.
_DESCRIPTION_LABELS: dict[str, tuple[str, ...]] = {
    "pricing_indicators": (
        "pricing indicator code description", "pricing indicator description",
        "pricing indicator",
    ),
    "multiple_pricing_indicator": (
        "multiple pricing indicator code description",
        "multiple pricing indicator description", "multiple pricing indicator",
    ),
    "lab_certifications": (
        "lab certification code description", "lab certification description",
        "lab certification",
    ),
    "coverage": ("coverage code description", "coverage description", "coverage"),
    "betos": (
        "berenson-eggers type of service code description",
        "berenson eggers type of service code description",
        "berenson-eggers type of service", "berenson eggers type of service",
        "betos description", "betos code description",
    ),
    "types_of_service": (
        "type of service code description", "type of service description",
        "type of service",
    ),
    "action": ("action code description", "action description", "action"),
}

_NUMBERED = re.compile(r"^(?P<stem>.*?)\s*#\s*(?P<n>\d+)(?P<rest>.*)$")
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[\s_]+")


def normalise_label(label: str) -> str:
    """Lower case, markup and emphasis gone, one space between words."""
    text = _TAGS.sub(" ", label).replace("\\", "")
    text = text.strip().strip("*").strip()
    text = _SPACES.sub(" ", text.lower()).strip(" :*")
    if text.startswith("hcpcs ") and text != "hcpcs code":
        text = text[len("hcpcs "):]
    return text


@lru_cache(maxsize=4096)
def display_label(label: str) -> str:
    """A label as printed, less markup, emphasis and extra spaces: keys of `extra`."""
    text = _TAGS.sub(" ", label).replace("\\", "")
    return " ".join(text.strip().strip("*_").split())


def _build_index() -> dict[str, tuple[str, str]]:
    index: dict[str, tuple[str, str]] = {}
    for key, labels in _VALUE_LABELS.items():
        for label in labels:
            index[label] = (key, CODE)
    for key, labels in _DESCRIPTION_LABELS.items():
        for label in labels:
            index.setdefault(label, (key, DESCRIPTION))
    return index


_INDEX = _build_index()


@lru_cache(maxsize=4096)
def match_label(label: str) -> LabelMatch | None:
    """The canonical field a sheet's label names, or None for a label we do not know.

    `Pricing Indicator Code #2` is the code of the second pricing indicator;
    `Pricing Indicator Code #2 Description` and `Pricing Indicator #2` are what it
    means. Unnumbered labels of repeated fields mean the first.
    """
    text = normalise_label(label)
    position = None
    numbered = _NUMBERED.match(text)
    if numbered:
        position = int(numbered["n"])
        text = f"{numbered['stem']} {numbered['rest'].strip()}".strip()

    found = _INDEX.get(text)
    if found is None:
        return None
    key, part = found

    repeated = key in LIST_LIMITS
    if repeated and position is None:
        position = 1
    if not repeated and position is not None:
        return None
    return LabelMatch(key, position, part)


# Words a header row of a sheet's table prints over its columns (`Field | Value |
# Meaning`); a row of nothing else is a header, not a field.
HEADER_WORDS = frozenset({
    "field", "value", "meaning", "label", "name", "definition", "field name",
    "data element", "element", "attribute", "item", "details", "notes",
    "explanation", "description", "code",
})


def is_header_row(cells: list[str]) -> bool:
    """True for a table row of header words only (emphasis and case aside)."""
    words = {" ".join(cell.strip("*_ ").lower().split()) for cell in cells}
    return words <= HEADER_WORDS | {""}
