"""The data dictionary: what the sheets say each field means.

Each sheet's meaning column defines its fields. Gathered over a batch they give
`fields.json`: flat column -> labels seen -> definition. Two sheets that define one
field differently are reported, and both texts kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .columns import FLAT_COLUMNS
from .document import Definition
from .errors import Problem, where


@dataclass
class _Entry:
    labels: set[str] = field(default_factory=set)
    definition: str | None = None
    defined_in: str | None = None
    variants: dict[str, str] = field(default_factory=dict)


class FieldDictionary:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, definitions: Iterable[Definition]) -> list[Problem]:
        """Takes one document's definitions; returns a warning for each field the
        document defines differently from the first sheet that defined it."""
        problems: list[Problem] = []
        for item in definitions:
            entry = self._entries.setdefault(item.column, _Entry())
            entry.labels.add(item.label)
            place = where(item.path, item.member)
            if entry.definition is None:
                entry.definition, entry.defined_in = item.text, place
            elif _same(entry.definition, item.text) or item.text in entry.variants:
                continue
            else:
                entry.variants[item.text] = place
                problems.append(Problem(
                    "warning", item.path,
                    f"{item.column} is defined differently here than in"
                    f" {entry.defined_in}",
                    member=item.member, field=item.column,
                ))
        return problems

    def to_dict(self) -> dict[str, Any]:
        order = {name: n for n, name in enumerate(FLAT_COLUMNS)}
        result: dict[str, Any] = {}
        for column in sorted(self._entries, key=lambda c: (order.get(c, 10**6), c)):
            entry = self._entries[column]
            result[column] = {
                "labels": sorted(entry.labels),
                "definition": entry.definition,
                "defined_in": entry.defined_in,
                "other_definitions": [
                    {"definition": text, "defined_in": where}
                    for text, where in sorted(entry.variants.items())
                ],
            }
        return result


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
