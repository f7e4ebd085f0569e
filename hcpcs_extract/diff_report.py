"""A diff's result as text a person reads, markdown, JSON and CSV.

Every form says the same things: the summary, the added and removed records,
each changed value with before and after, and where the derived action codes
disagree with the ones the release gives.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from .diff import (
    ACTION_MEANINGS,
    DiffResult,
    Disagreement,
    RecordChange,
    derive_for_added,
)
from .record import HcpcsRecord
from .writers import csv_text

CSV_COLUMNS = (
    "change", "record_type", "hcpcs_code", "field", "position", "column",
    "before", "after", "derived", "action",
)


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "old": result.old_label,
        "new": result.new_label,
        "fields_compared": list(result.fields),
        "against": result.against,
        "summary": result.summary(),
        "added": [_record_json(r) for r in result.added],
        "removed": [_record_json(r) for r in result.removed],
        "changed": [_change_json(c) for c in result.changed],
        "disagreements": [d.to_dict() for d in result.disagreements],
        "problems": [p.to_dict() for p in result.problems],
    }


def json_text(result: DiffResult) -> str:
    return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"


def _record_json(record: HcpcsRecord) -> dict[str, Any]:
    data = record.without_source().to_dict()
    data.pop("source")
    return data


def _change_json(change: RecordChange) -> dict[str, Any]:
    return {
        "record_type": change.key[0],
        "hcpcs_code": change.key[1],
        "derived": list(change.derived),
        "action": _action(change.new),
        "changes": [c.to_dict() for c in change.changes],
    }


def _action(record: HcpcsRecord) -> str | None:
    return record.action.code if record.action is not None else None


def csv_rows(result: DiffResult) -> Iterator[dict[str, str]]:
    """One row per added or removed record and per changed value."""
    for record in result.added:
        yield _row("added", record.key, derived=" ".join(derive_for_added(record)),
                   action=_action(record) or "")
    for record in result.removed:
        yield _row("removed", record.key)
    for record in result.changed:
        for value in record.changes:
            yield _row("changed", record.key, field=value.field,
                       position="" if value.position is None else str(value.position),
                       column=value.column, before=value.before or "",
                       after=value.after or "", derived=" ".join(record.derived),
                       action=_action(record.new) or "")


def _row(change: str, key: tuple[str, str], **cells: str) -> dict[str, str]:
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(change=change, record_type=key[0], hcpcs_code=key[1], **cells)
    return row


def csv_report(result: DiffResult) -> str:
    return csv_text(CSV_COLUMNS, csv_rows(result))


def text_report(result: DiffResult) -> str:
    """The diff as plain text, summary first."""
    lines = [f"--- OLD {result.old_label} ({result.old_count} records)",
             f"+++ NEW {result.new_label} ({result.new_count} records)"]
    lines.extend(_summary_lines(result))

    if result.added:
        lines += ["", f"added ({len(result.added)}):"]
        lines += [f"+ {_name(r.key)}  {r.long_description}"
                  f"  [{_codes(derive_for_added(r))}]" for r in result.added]
    if result.removed:
        lines += ["", f"removed ({len(result.removed)}):"]
        lines += [f"- {_name(r.key)}  {r.long_description}" for r in result.removed]
    if result.changed:
        lines += ["", f"changed ({len(result.changed)}):"]
        for change in result.changed:
            lines.append(f"~ {_name(change.key)}  [{_codes(change.derived)}]"
                         f"  action {_action(change.new) or '-'}")
            lines += [f"    {v.column}: {_quote(v.before)} -> {_quote(v.after)}"
                      for v in change.changes]
    if result.disagreements:
        title = f"disagreements with {result.against} ({len(result.disagreements)}):"
        lines += ["", title]
        lines += [f"! {_name(d.key)}  {d.status}: derived {_codes(d.derived)},"
                  f" given {d.action or '-'}" for d in result.disagreements]
    return "\n".join(lines) + "\n"


def _summary_lines(result: DiffResult) -> list[str]:
    summary = result.summary()
    counts = (
        f"{summary['added']} added{_types(summary['added_by_type'])},"
        f" {summary['removed']} removed{_types(summary['removed_by_type'])},"
        f" {summary['changed']} changed, {summary['unchanged']} unchanged"
    )
    lines = [counts]
    if summary["fields"]:
        lines.append("fields changed: " + ", ".join(
            f"{name} {n}" for name, n in summary["fields"].items()))
    if summary["derived"]:
        lines.append("derived action codes: " + ", ".join(
            f"{code} {n}" for code, n in summary["derived"].items()))
    lines.append(f"disagreements with {result.against}: {summary['disagreements']}")
    return lines


def _types(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    parts = [f"{n} {name}{'' if n == 1 else 's'}" for name, n in counts.items()]
    return f" ({', '.join(parts)})"


def _name(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


def _codes(codes: tuple[str, ...]) -> str:
    return " ".join(codes) if codes else "-"


def _quote(value: str | None) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def markdown_report(result: DiffResult) -> str:
    """The diff as a markdown report: summary tables, then the records."""
    summary = result.summary()
    out = ["# HCPCS release diff", "",
           "| Side | Release | Records |", "|---|---|---|",
           f"| OLD | {_cell(result.old_label)} | {result.old_count} |",
           f"| NEW | {_cell(result.new_label)} | {result.new_count} |", "",
           "## Summary", "", "| | Records |", "|---|---|",
           f"| Added | {summary['added']}{_types(summary['added_by_type'])} |",
           f"| Removed | {summary['removed']}{_types(summary['removed_by_type'])} |",
           f"| Changed | {summary['changed']} |",
           f"| Unchanged | {summary['unchanged']} |",
           f"| Disagreements with {result.against} | {summary['disagreements']} |"]
    out += _count_table("Fields changed", ("Field", "Records"),
                        [(f"`{k}`", n) for k, n in summary["fields"].items()])
    out += _count_table("Derived action codes", ("Code", "Meaning", "Records"),
                        [(c, ACTION_MEANINGS[c], n)
                         for c, n in summary["derived"].items()])
    out += _record_table("Added", result.added, with_codes=True)
    out += _record_table("Removed", result.removed, with_codes=False)
    out += _changed_section(result.changed)
    out += _disagreement_table(result.disagreements, result.against)
    return "\n".join(out) + "\n"


def _count_table(title: str, header: tuple[str, ...],
                 rows: list[tuple[object, ...]]) -> list[str]:
    if not rows:
        return []
    out = ["", f"## {title}", "", _table_row(header),
           "|" + "---|" * len(header)]
    out += [_table_row(tuple(str(cell) for cell in row)) for row in rows]
    return out


def _record_table(title: str, records: list[HcpcsRecord],
                  with_codes: bool) -> list[str]:
    if not records:
        return []
    header = ("Type", "Code", "Long description") + (("Derived",) if with_codes
                                                     else ())
    out = ["", f"## {title} ({len(records)})", "", _table_row(header),
           "|" + "---|" * len(header)]
    for record in records:
        cells = [record.record_type, f"`{record.hcpcs_code}`",
                 _cell(record.long_description)]
        if with_codes:
            cells.append(_codes(derive_for_added(record)))
        out.append(_table_row(tuple(cells)))
    return out


def _changed_section(changed: list[RecordChange]) -> list[str]:
    if not changed:
        return []
    out = ["", f"## Changed ({len(changed)})"]
    for change in changed:
        codes = (f"Derived: {_codes(change.derived)}; action code in NEW:"
                 f" {_action(change.new) or '-'}")
        out += ["", f"### {change.key[0]} `{change.key[1]}`", "", codes, "",
                "| Field | Before | After |", "|---|---|---|"]
        out += [_table_row((f"`{v.column}`", _cell(v.before), _cell(v.after)))
                for v in change.changes]
    return out


def _disagreement_table(disagreements: list[Disagreement],
                        against: str) -> list[str]:
    if not disagreements:
        return []
    out = ["", f"## Disagreements with {against} ({len(disagreements)})", "",
           "| Type | Code | Status | Derived | Given |", "|---|---|---|---|---|"]
    out += [_table_row((d.key[0], f"`{d.key[1]}`", d.status, _codes(d.derived),
                        d.action or "-")) for d in disagreements]
    return out


def _table_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(value: str | None) -> str:
    if value is None:
        return "*(none)*"
    return " ".join(value.split()).replace("\\", "\\\\").replace("|", "\\|")
