"""The fidelity harness: render a real release as sheets, read them back, compare.

Every record of a release is rendered in every layout of every format the project
reads, one sheet a document as a vendor bundle has them, read back with the
project's readers and compared field by field with the release. Used by
`tools/fidelity.py` (whole releases, printed tables) and by a sampled test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from hcpcs_extract.batch import read_document
from hcpcs_extract.document import Document
from hcpcs_extract.record import FIELD_NAMES, HcpcsRecord

from .renderers import Renderer

COMPARED = tuple(name for name in FIELD_NAMES if name != "source")


@dataclass(frozen=True)
class Mismatch:
    layout: str
    code: str
    field: str
    expected: object
    got: object


@dataclass
class LayoutScore:
    """How well one layout's sheets came back."""

    name: str
    records: int = 0
    identical: int = 0
    fields: int = 0
    fields_right: int = 0
    field_misses: Counter = field(default_factory=Counter)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def field_accuracy(self) -> float:
        return 100.0 * self.fields_right / self.fields if self.fields else 0.0

    @property
    def record_accuracy(self) -> float:
        return 100.0 * self.identical / self.records if self.records else 0.0


def score_layout(renderer: Renderer, records: Sequence[HcpcsRecord]) -> LayoutScore:
    """Renders each record as its own document and reads it back."""
    score = LayoutScore(renderer.name)
    for record in records:
        name = f"{record.hcpcs_code}{renderer.extension}"
        doc = Document(name, renderer.render_many([record]))
        result = read_document(doc)
        got = result.records[0] if len(result.records) == 1 else None
        _compare(score, renderer.name, record, got, result.problems)
    return score


def _compare(score: LayoutScore, layout: str, expected: HcpcsRecord,
             got: HcpcsRecord | None, problems: Iterable[object]) -> None:
    score.records += 1
    score.fields += len(COMPARED)
    if got is None:
        reason = "; ".join(str(p) for p in problems) or "no record read"
        score.mismatches.append(Mismatch(layout, expected.hcpcs_code, "*", "record",
                                         reason))
        score.field_misses.update(COMPARED)
        return

    want, have = expected.to_dict(), got.to_dict()
    wrong = [name for name in COMPARED if want[name] != have[name]]
    score.fields_right += len(COMPARED) - len(wrong)
    score.identical += not wrong
    score.field_misses.update(wrong)
    for name in wrong:
        score.mismatches.append(Mismatch(layout, expected.hcpcs_code, name,
                                         want[name], have[name]))


def format_table(scores: Sequence[LayoutScore]) -> str:
    """A markdown table: per layout, records and fields read back exactly."""
    lines = ["| format/layout | records | identical records | fields right |",
             "|---|---:|---:|---:|"]
    for s in scores:
        lines.append(f"| {s.name} | {s.records} | {s.record_accuracy:.2f}% |"
                     f" {s.field_accuracy:.2f}% |")
    return "\n".join(lines)


def format_fields(scores: Sequence[LayoutScore]) -> str:
    """Per field, how many records had it wrong in each layout."""
    lines = ["| field | " + " | ".join(s.name for s in scores) + " |",
             "|---|" + "---:|" * len(scores)]
    for name in COMPARED:
        cells = []
        for s in scores:
            right = s.records - s.field_misses[name]
            cells.append(f"{100.0 * right / s.records:.2f}%" if s.records else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
