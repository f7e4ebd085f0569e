"""Two releases compared record by record, keyed by (record_type, hcpcs_code).

Each side is anything `convert` reads (a file, folder or zip) or a folder that
`convert` wrote (its records.jsonl is read back). Rather than holding both
releases, OLD is read for each record's hash (of its canonical JSON, source left
out); NEW is read once, keeping its action codes, its hashes and the whole records
that are new or whose hash differs; OLD is read again for the keys that differ.
The releases themselves are never held at once, though a reader may hold one
document's records while reading it.

Each difference is classified the way CMS's action codes classify changes, and
the classification is held against the action code NEW itself carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .batch import Options, read_all
from .columns import flat_column
from .compare import record_differences
from .converted import RECORDS_NAME, is_converted_folder, iter_converted
from .errors import HcpcsExtractError, InputError, Problem
from .record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    FIELD_NAMES,
    LIST_LIMITS,
    HcpcsRecord,
)

Key = tuple[str, str]

# Every field a diff can compare: the key and the source are never compared.
COMPARABLE_FIELDS: tuple[str, ...] = tuple(
    name for name in FIELD_NAMES if name not in ("hcpcs_code", "record_type", "source")
)

# Which changed fields make which CMS action code (see the record layout).
PAYMENT_FIELDS = frozenset({
    "pricing_indicators", "multiple_pricing_indicator", "mog_payment_group_code",
    "mog_payment_policy_indicator", "mog_effective_date", "anesthesia_base_units",
    "asc_payment_group_code", "asc_payment_group_effective_date",
})
MISCELLANEOUS_FIELDS = frozenset({"betos", "types_of_service"})
ADMINISTRATIVE_FIELDS = frozenset({
    "cim_references", "mcm_references", "statute_number", "lab_certifications",
    "cross_references", "coverage", "processing_note_number", "code_added_date",
})
# The action code and its date record a change rather than make one; status,
# last update and extra are vendors' fields, which CMS's codes do not cover.
UNCLASSIFIED_FIELDS = frozenset(
    {"action", "action_effective_date", "status", "last_update", "extra"}
)

# Order in which derived codes are listed: the first is the main one.
ACTION_ORDER = "ADRBCFPTS"
NO_CHANGE = "N"
ACTION_MEANINGS = {
    "A": "added",
    "B": "long description and administrative data",
    "C": "long description",
    "D": "discontinued",
    "F": "administrative data",
    "N": "no maintenance",
    "P": "payment",
    "R": "reactivated",
    "S": "short description",
    "T": "miscellaneous (BETOS, type of service)",
}
OWN_ACTIONS = "NEW's action codes"



class UnknownField(HcpcsExtractError, ValueError):
    """A field name given to --only or --ignore that records do not have."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value that differs, as flat text: `column` is the flat CSV column
    (`pricing_indicator_2`, `betos_description`), or `extra[NAME]`."""

    field: str
    position: int | None
    column: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "position": self.position,
                "column": self.column, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A record in both releases whose compared fields differ."""

    old: HcpcsRecord
    new: HcpcsRecord
    changes: tuple[FieldChange, ...]
    derived: tuple[str, ...]

    @property
    def key(self) -> Key:
        return self.new.key

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(change.field for change in self.changes))


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A record whose derived action codes do not include NEW's own code."""

    key: Key
    status: str
    derived: tuple[str, ...]
    action: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"record_type": self.key[0], "hcpcs_code": self.key[1],
                "status": self.status, "derived": list(self.derived),
                "action": self.action}


@dataclass
class DiffResult:
    """What differs between OLD and NEW; records listed in key order."""

    old_label: str
    new_label: str
    fields: tuple[str, ...]
    old_count: int
    new_count: int
    added: list[HcpcsRecord]
    removed: list[HcpcsRecord]
    changed: list[RecordChange]
    disagreements: list[Disagreement]
    problems: list[Problem] = field(default_factory=list)
    against: str = OWN_ACTIONS

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def unchanged(self) -> int:
        return self.new_count - len(self.added) - len(self.changed)

    def summary(self) -> dict[str, Any]:
        return {
            "old_records": self.old_count,
            "new_records": self.new_count,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "added_by_type": _by_type(r.key for r in self.added),
            "removed_by_type": _by_type(r.key for r in self.removed),
            "fields": self.field_counts(),
            "derived": self.derived_counts(),
            "disagreements": len(self.disagreements),
        }

    def field_counts(self) -> dict[str, int]:
        """Canonical key -> number of changed records in which it changed."""
        counts = dict.fromkeys(self.fields, 0)
        for change in self.changed:
            for name in change.fields:
                counts[name] += 1
        return {name: n for name, n in counts.items() if n}

    def derived_counts(self) -> dict[str, int]:
        """Derived action code -> number of records it was derived for."""
        counts = dict.fromkeys(ACTION_ORDER, 0)
        for record in self.added:
            for code in derive_for_added(record):
                counts[code] += 1
        for change in self.changed:
            for code in change.derived:
                counts[code] += 1
        return {code: n for code, n in counts.items() if n}


def select_fields(only: Iterable[str] = (),
                  ignore: Iterable[str] = ()) -> tuple[str, ...]:
    """The fields to compare: `only` (or all) less `ignore`, in record order.
    Raises UnknownField naming the bad names and the known ones."""
    only, ignore = list(only), list(ignore)
    unknown = [name for name in only + ignore if name not in COMPARABLE_FIELDS]
    if unknown:
        raise UnknownField(
            f"unknown field {', '.join(map(repr, unknown))}; fields are:"
            f" {', '.join(COMPARABLE_FIELDS)}"
        )
    chosen = set(only) if only else set(COMPARABLE_FIELDS)
    return tuple(n for n in COMPARABLE_FIELDS if n in chosen and n not in ignore)


def is_converted(path: str | Path) -> bool:
    """A folder that `convert` wrote: records.jsonl beside manifest.json."""
    return Path(path).is_dir() and is_converted_folder(path)


def read_side(path: str, options: Options = Options(),
              problems: list[Problem] | None = None) -> Iterator[HcpcsRecord]:
    """Records of one side in input order; problems go to `problems` when given."""
    if is_converted(path):
        yield from read_converted(Path(path), problems)
        return
    for result in read_all([path], options):
        if problems is not None:
            problems.extend(result.problems)
        yield from result.records


def read_converted(folder: Path,
                   problems: list[Problem] | None = None) -> Iterator[HcpcsRecord]:
    """The records of a folder `convert` wrote, one line at a time; a line that is
    not a record becomes an error in `problems` and is passed over."""
    path = (folder / RECORDS_NAME).as_posix()

    def note(error: InputError) -> None:
        if problems is not None:
            problems.append(Problem("error", path, error.reason, line=error.line))

    yield from iter_converted(folder, on_error=note)


def record_hash(record: HcpcsRecord, fields: tuple[str, ...]) -> bytes:
    """A digest of the compared fields' canonical JSON."""
    data = record.to_dict()
    chosen = {name: data[name] for name in fields}
    text = json.dumps(chosen, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def diff(old: str, new: str, fields: tuple[str, ...] = COMPARABLE_FIELDS,
         options: Options = Options(),
         against: Mapping[Key, str] | None = None, against_label: str = "",
         reader: Callable[..., Iterator[HcpcsRecord]] = read_side) -> DiffResult:
    """Compares the releases at `old` and `new` on `fields`; the derived action
    codes are held against `against` (a change report's codes) when given, else
    against NEW's own action codes."""
    problems: list[Problem] = []
    old_hashes = _hashes(reader(old, options, problems), fields, "OLD", problems)
    # OLD's hashes are known while NEW is read, so NEW is read once, keeping only
    # the records that are new or differ; OLD is read again for those keys alone.
    new_records: dict[Key, HcpcsRecord] = {}
    new_hashes = _hashes(reader(new, options, problems), fields, "NEW", problems,
                         against=old_hashes, keep=new_records)
    new_actions = {key: action for key, (_, action) in new_hashes.items()}

    wanted = old_hashes.keys() ^ new_hashes.keys()
    wanted |= {key for key in old_hashes.keys() & new_hashes.keys()
               if old_hashes[key][0] != new_hashes[key][0]}
    old_records = _collect(reader(old, options, None), wanted)
    _check_second_pass(old, old_records, old_hashes, wanted, fields, problems)

    result = _result(old, new, fields, old_records, new_records, len(old_hashes),
                     len(new_hashes), problems)
    result.disagreements = disagree(
        new_hashes.keys(), new_actions if against is None else against, result
    )
    if against is not None:
        result.against = against_label or "the given action codes"
    return result


def _hashes(records: Iterable[HcpcsRecord], fields: tuple[str, ...], side: str,
            problems: list[Problem],
            against: Mapping[Key, tuple[bytes, str | None]] | None = None,
            keep: dict[Key, HcpcsRecord] | None = None,
            ) -> dict[Key, tuple[bytes, str | None]]:
    """Key -> (hash, action code); for a key met twice the first is kept. With
    `keep`, the records whose hash differs from `against` (or that it lacks) are
    kept there too."""
    hashes: dict[Key, tuple[bytes, str | None]] = {}
    for record in records:
        digest = record_hash(record, fields)
        earlier = hashes.get(record.key)
        if earlier is None:
            action = record.action.code if record.action is not None else None
            hashes[record.key] = (digest, action)
            if keep is not None and against is not None and \
                    against.get(record.key, (None,))[0] != digest:
                keep[record.key] = record
        elif earlier[0] != digest:
            problems.append(_duplicate(record, side))
    return hashes


def _duplicate(record: HcpcsRecord, side: str) -> Problem:
    source = record.source
    return Problem(
        "warning", source.path if source else side,
        f"{record.record_type} {record.hcpcs_code} appears twice in {side} with"
        " different values; the first is compared",
        member=source.member if source else None,
        line=source.line if source else None, row=source.row if source else None,
        page=source.page if source else None, code=record.hcpcs_code,
    )


def _collect(records: Iterable[HcpcsRecord],
             wanted: set[Key]) -> dict[Key, HcpcsRecord]:
    kept: dict[Key, HcpcsRecord] = {}
    for record in records:
        if record.key in wanted and record.key not in kept:
            kept[record.key] = record
    return kept


def _check_second_pass(path: str, records: Mapping[Key, HcpcsRecord],
                       hashes: Mapping[Key, tuple[bytes, str | None]],
                       wanted: set[Key], fields: tuple[str, ...],
                       problems: list[Problem]) -> None:
    # The inputs are read twice; one that changed in between cannot be trusted.
    expected = wanted & hashes.keys()
    same = records.keys() == expected and all(
        record_hash(record, fields) == hashes[key][0]
        for key, record in records.items()
    )
    if not same:
        problems.append(Problem("error", path, "input changed while it was"
                                " compared; run the diff again"))


def _result(old: str, new: str, fields: tuple[str, ...],
            old_records: Mapping[Key, HcpcsRecord],
            new_records: Mapping[Key, HcpcsRecord], old_count: int,
            new_count: int, problems: list[Problem]) -> DiffResult:
    added = [new_records[k] for k in sorted(new_records.keys() - old_records.keys())]
    removed = [old_records[k] for k in sorted(old_records.keys() - new_records.keys())]
    changed = []
    for key in sorted(old_records.keys() & new_records.keys()):
        before, after = old_records[key], new_records[key]
        changes = tuple(compare(before, after, fields))
        derived = derive(before, after, {c.field for c in changes})
        changed.append(RecordChange(before, after, changes, derived))
    return DiffResult(old, new, fields, old_count, new_count, added, removed,
                      changed, [], problems)


def compare(old: HcpcsRecord, new: HcpcsRecord,
            fields: Iterable[str] = COMPARABLE_FIELDS) -> Iterator[FieldChange]:
    """Every value that differs; repeated fields are compared position by
    position, coded values by code, and by description where the code stays."""
    skip = set(FIELD_NAMES) - set(fields)
    for difference in record_differences(old, new, skip):
        name = difference.field
        before, after = difference.left, difference.right
        if name.startswith("extra["):
            yield FieldChange("extra", None, name, before, after)
        elif name in LIST_LIMITS:
            before, after = before or [], after or []
            for n in range(1, max(len(before), len(after)) + 1):
                yield from _value_changes(name, n, _nth(before, n), _nth(after, n))
        else:
            yield from _value_changes(name, None, before, after)


def _nth(values: list[Any], n: int) -> Any:
    return values[n - 1] if n <= len(values) else None


def _value_changes(name: str, position: int | None, before: Any,
                   after: Any) -> Iterator[FieldChange]:
    """Changes of one JSON value; a coded value is `{code, description}`."""
    if name in CODED_FIELDS or name in CODED_LIST_FIELDS:
        # A new code brings its own meaning (filled in from CMS's tables when
        # the input does not print it): only a meaning that changes under the
        # same code is a change of its own.
        codes = _part(before, "code"), _part(after, "code")
        meanings = _part(before, "description"), _part(after, "description")
        if codes[0] != codes[1]:
            yield FieldChange(name, position, flat_column(name, position), *codes)
        elif meanings[0] != meanings[1]:
            column = flat_column(name, position, "description")
            yield FieldChange(name, position, column, *meanings)
    elif before != after:
        yield FieldChange(name, position, flat_column(name, position),
                          _text(before), _text(after))


def _part(value: Mapping[str, Any] | None, part: str) -> str | None:
    return None if value is None else value.get(part)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def derive(old: HcpcsRecord, new: HcpcsRecord, changed: set[str]) -> tuple[str, ...]:
    """The CMS action codes that describe how `old` became `new`, main one first;
    empty when nothing CMS classifies changed."""
    codes: set[str] = set()
    if "code_added_date" in changed and _readded(old, new):
        codes.add("A")
    if "termination_date" in changed:
        codes.add(_termination_code(old, new))
    if "long_description" in changed:
        codes.add("C")
    if "short_description" in changed:
        codes.add("S")
    if changed & PAYMENT_FIELDS:
        codes.add("P")
    if changed & MISCELLANEOUS_FIELDS:
        codes.add("T")
    if changed & ADMINISTRATIVE_FIELDS - {"code_added_date"} or (
            "code_added_date" in changed and "A" not in codes):
        codes.add("F")
    if {"C", "F"} <= codes:
        codes.add("B")
    return tuple(code for code in ACTION_ORDER if code in codes)


def _termination_code(old: HcpcsRecord, new: HcpcsRecord) -> str:
    if old.termination_date is None:
        return "D"
    if new.termination_date is None:
        return "R"
    # A termination date moved from one day to another is administrative data.
    return "F"


def _readded(old: HcpcsRecord, new: HcpcsRecord) -> bool:
    # A code deleted and added again (CMS reuses codes) gets a later added date.
    return (old.code_added_date is not None and new.code_added_date is not None
            and new.code_added_date > old.code_added_date)


def derive_for_added(record: HcpcsRecord) -> tuple[str, ...]:
    """A record new since OLD is an addition; one that already carries a
    termination date was also discontinued since."""
    return ("A", "D") if record.termination_date is not None else ("A",)


def disagree(new_keys: Iterable[Key], actions: Mapping[Key, str | None],
             result: DiffResult) -> list[Disagreement]:
    """Records whose action code is not among the derived codes (a record
    without derived codes should carry N, no maintenance). Codes given for
    records NEW does not have disagree too."""
    derived = {record.key: derive_for_added(record) for record in result.added}
    added = set(derived)
    derived.update({change.key: change.derived for change in result.changed})
    in_new = set(new_keys)

    found = []
    for key in sorted(in_new | actions.keys()):
        codes = derived.get(key, ())
        action = actions.get(key)
        if key in in_new and action in (codes or (NO_CHANGE,)):
            continue
        status = "added" if key in added else "changed" if key in derived else \
            "unchanged" if key in in_new else "not in NEW"
        found.append(Disagreement(key, status, codes, action))
    return found


def _by_type(keys: Iterable[Key]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record_type, _ in keys:
        counts[record_type] = counts.get(record_type, 0) + 1
    return dict(sorted(counts.items()))
