"""Building canonical records from the label / value / meaning rows of sheets.

Every sheet reader (markdown, HTML, PDF) finds rows and code headings in its own
way, then hands them here as a stream of `Heading` and `Row` items. This module
decides where one sheet ends and the next begins, matches labels to fields, and
turns printed values into typed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .columns import flat_column
from .document import Report
from .inputs import check_html
from .labels import CODE, LabelMatch, display_label, match_label
from .record import (
    CODED_FIELDS,
    DATE_FIELDS,
    INTEGER_FIELDS,
    LIST_LIMITS,
    TEXT_LIST_FIELDS,
    Coded,
    HcpcsRecord,
    Source,
)
from .values import (
    clean_text,
    is_code_shaped,
    meaning_to_text,
    normalise_code,
    parse_date,
    parse_units,
    record_type_of,
)


@dataclass(frozen=True, slots=True)
class Heading:
    """A code heading above a sheet (`**S9357**`): where a new sheet starts."""

    code: str
    line: int | None = None
    page: int | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a sheet's table, as printed."""

    label: str
    value: str
    meaning: str = ""
    line: int | None = None
    page: int | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Broken:
    """A place where the reader found a row it could not read whole."""

    reason: str
    line: int | None = None
    page: int | None = None
    row: int | None = None


Item = Heading | Row | Broken


@dataclass
class _Sheet:
    heading: Heading | None = None
    rows: list[tuple[Row, LabelMatch | None]] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)

    @property
    def has_code_row(self) -> bool:
        return any(m is not None and m.key == "hcpcs_code" for _, m in self.rows)

    @property
    def first_place(self) -> dict[str, int]:
        first = self.heading or (self.rows[0][0] if self.rows else None)
        return _place(first)


def assemble(items: Iterable[Item], report: Report, fmt: str) -> Iterator[HcpcsRecord]:
    """Records from a document's rows, one per sheet, in document order.

    A sheet starts at a code heading, or at a code row when the sheet being read
    already has one. A sheet with a broken row or no code gives an error and no
    record: a record is either whole or absent.
    """
    sheet = _Sheet()
    for item in items:
        if isinstance(item, Heading):
            if sheet.rows or sheet.broken:
                yield from _finish(sheet, report, fmt)
                sheet = _Sheet()
            sheet.heading = item
            continue

        if isinstance(item, Broken):
            sheet.broken.append(item)
            continue

        match = match_label(item.label)
        if match is not None and match.key == "hcpcs_code" and sheet.has_code_row:
            yield from _finish(sheet, report, fmt)
            sheet = _Sheet()
        sheet.rows.append((item, match))

    if sheet.rows or sheet.broken:
        yield from _finish(sheet, report, fmt)


def _finish(sheet: _Sheet, report: Report, fmt: str) -> Iterator[HcpcsRecord]:
    builder = _RecordBuilder(sheet, report)
    record = builder.build(fmt)
    if record is not None:
        yield record


class _RecordBuilder:
    """Fills one record's fields from one sheet's rows."""

    def __init__(self, sheet: _Sheet, report: Report) -> None:
        self.sheet = sheet
        self.report = report
        self.values: dict[str, object] = {}
        self.lists: dict[str, dict[int, str]] = {}
        self.descriptions: dict[tuple[str, int | None], str] = {}
        self.extra: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.code: str | None = None
        self.failed = False

    def build(self, fmt: str) -> HcpcsRecord | None:
        for row, match in self.sheet.rows:
            self._take(row, match)

        code = self._resolve_code()
        for broken in self.sheet.broken:
            left_out = f"; sheet {code} left out" if code else ""
            self.report.error(broken.reason + left_out, **_place(broken))
            self.failed = True
        if code is None or self.failed:
            return None

        return self._record(code, fmt)

    def _take(self, row: Row, match: LabelMatch | None) -> None:
        label = display_label(row.label)
        value = clean_text(row.value)
        if match is None:
            self._keep_unknown(label, row)
            return

        column = flat_column(match.key, match.position, match.part)
        check_html(row.meaning, line=row.line, page=row.page)
        meaning = meaning_to_text(row.meaning) if row.meaning.strip() else None
        if meaning:
            self.report.define(column, label, meaning)
        if value is None:
            return

        if match.part != CODE:
            self._set_once(self.descriptions, (match.key, match.position), value, row)
        elif match.key == "hcpcs_code":
            self._take_code(value, row)
        elif match.position is not None:
            self._take_listed(match, value, row)
        else:
            self.labels.setdefault(match.key, label)
            self._set_once(self.values, match.key, value, row)

    def _keep_unknown(self, label: str, row: Row) -> None:
        value = clean_text(row.value) or ""
        name = label
        suffix = 2
        while name in self.extra:
            name = f"{label} ({suffix})"
            suffix += 1
        self.extra[name] = value
        self.report.warn(f"unrecognised label {label!r} kept in extra", **_place(row))

    def _take_code(self, value: str, row: Row) -> None:
        code = normalise_code(value)
        if not is_code_shaped(code):
            self.report.error(f"code row holds {value!r}, not an HCPCS code",
                              **_place(row))
            self.failed = True
            return
        if self.code is not None and code != self.code:
            self.report.error(
                f"sheet names two codes, {self.code} and {code}", **_place(row)
            )
            self.failed = True
            return
        self.code = code

    def _take_listed(self, match: LabelMatch, value: str, row: Row) -> None:
        limit = LIST_LIMITS[match.key]
        assert match.position is not None
        if match.position > limit:
            self.report.warn(
                f"{row.label.strip()!r}: CMS has at most {limit} of this field;"
                " kept in extra",
                **_place(row),
            )
            self.extra[display_label(row.label)] = value
            return
        slots = self.lists.setdefault(match.key, {})
        self._set_once(slots, match.position, value, row)

    def _set_once(self, target: dict, key: object, value: str, row: Row) -> None:
        if key in target and target[key] != value:
            label = display_label(row.label)
            self.report.warn(
                f"{label!r} given twice ({target[key]!r}, then {value!r});"
                " the second is kept in extra",
                **_place(row),
            )
            self._keep_duplicate(label, value)
            return
        target[key] = value

    def _keep_duplicate(self, label: str, value: str) -> None:
        name, suffix = label, 2
        while name in self.extra:
            name = f"{label} ({suffix})"
            suffix += 1
        self.extra[name] = value

    def _resolve_code(self) -> str | None:
        heading = self.sheet.heading
        heading_code = normalise_code(heading.code) if heading else None
        if self.code is None and heading_code is not None:
            self.code = heading_code
        elif heading_code is not None and heading_code != self.code:
            self.report.warn(
                f"heading names {heading_code} but the code row says {self.code};"
                " the code row is kept",
                **_place(heading),
            )
        if self.code is None:
            self.report.error("sheet without a code", **self.sheet.first_place)
        return self.code

    def _record(self, code: str, fmt: str) -> HcpcsRecord | None:
        fields: dict[str, object] = {}
        for key, raw in self.values.items():
            typed = self._typed(key, str(raw), code)
            if typed is not None:
                fields[key] = typed
        for key, slots in self.lists.items():
            fields[key] = self._listed(key, slots)
        self._keep_unpaired_descriptions(code)

        long_description = fields.pop("long_description", None)
        if long_description is None:
            self.report.warn("sheet has no long description", code=code,
                             **self.sheet.first_place)
            long_description = ""
        place = self.sheet.first_place
        doc = self.report.document
        source = Source(
            path=doc.path, member=doc.member, format=fmt, sha256=doc.sha256,
            line=place.get("line"), page=place.get("page"), row=place.get("row"),
        )
        return HcpcsRecord(
            hcpcs_code=code,
            record_type=record_type_of(code),
            long_description=str(long_description),
            extra=dict(self.extra),
            source=source,
            **fields,  # type: ignore[arg-type]
        )

    def _typed(self, key: str, raw: str, code: str) -> object | None:
        try:
            if key in DATE_FIELDS:
                return parse_date(raw)
            if key in INTEGER_FIELDS:
                return parse_units(raw)
        except ValueError as exc:
            label = self.labels.get(key, key)
            self.report.warn(f"{label}: {exc}; kept in extra", code=code,
                             field=key, **self.sheet.first_place)
            self.extra[label] = raw
            return None
        if key in CODED_FIELDS:
            return Coded(raw, self.descriptions.pop((key, None), None))
        return raw

    def _listed(self, key: str, slots: dict[int, str]) -> tuple:
        if key in TEXT_LIST_FIELDS:
            return tuple(slots[n] for n in sorted(slots))
        return tuple(Coded(slots[n], self.descriptions.pop((key, n), None))
                     for n in sorted(slots))

    def _keep_unpaired_descriptions(self, code: str) -> None:
        # Called once every coded value has taken its description: what is left
        # describes a code the sheet does not give.
        for (key, position), text in self.descriptions.items():
            column = flat_column(key, position, "description")
            self.report.warn(
                f"{column}: a description with no code beside it; kept in extra",
                code=code, field=key, **self.sheet.first_place,
            )
            self.extra[column] = text


def _place(item: Heading | Row | Broken | None) -> dict[str, int]:
    if item is None:
        return {}
    place = {"line": item.line, "page": item.page, "row": item.row}
    return {k: v for k, v in place.items() if v is not None}

