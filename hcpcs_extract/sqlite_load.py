"""Releases of records in one SQLite database, kept side by side.

Every table is keyed by the release's label. `codes` holds one row per record
with a column per scalar key of the record; each repeated field has its own table
with the position it had on the record (`#1` is position 1); `extra` holds the
rows no field took; `field_definitions` what the sheets said each field means.
The `code_history` view lines a code's rows up across releases.

A release is identified by its label and its content: loading the same records
under the same label again writes nothing; different records under a label that
is already there are refused unless the caller asks to replace them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .errors import HcpcsExtractError
from .record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    DATE_FIELDS,
    FIELD_NAMES,
    INTEGER_FIELDS,
    LIST_LIMITS,
    RECORD_TYPES,
    Coded,
    HcpcsRecord,
    Source,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

SCALAR_KEYS: tuple[str, ...] = tuple(
    key for key in FIELD_NAMES
    if key not in LIST_LIMITS and key not in ("extra", "source")
)
REPEATED_KEYS: tuple[str, ...] = tuple(key for key in FIELD_NAMES if key in LIST_LIMITS)
_LEADING = ("record_type", "hcpcs_code")
_SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_path", "TEXT"),
    ("source_member", "TEXT"),
    ("source_format", "TEXT"),
    ("source_sha256", "TEXT"),
    ("source_line", "INTEGER"),
    ("source_page", "INTEGER"),
    ("source_row", "INTEGER"),
    ("source_filled", "TEXT"),
)


class DatabaseError(HcpcsExtractError):
    """The database file cannot be used: not SQLite, or another layout."""


class ReleaseConflict(HcpcsExtractError):
    """A label already in the database names other records than those given."""


@dataclass(frozen=True)
class ReleaseInput:
    """One input a release was read from, as the releases' inputs table keeps it."""

    path: str
    sha256: str | None
    format: str | None = None
    member: str | None = None
    records: int | None = None


@dataclass(frozen=True)
class LoadOutcome:
    """What a load did: `loaded`, `replaced` or `unchanged`."""

    label: str
    status: str
    records: int
    content_sha256: str


def _date_check(column: str) -> str:
    # date(x, '+0 days') rolls 2019-02-30 over to March, so only real days match.
    return (f"CHECK ({column} IS NULL OR ({column} GLOB"
            f" '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
            f" AND date({column}, '+0 days') IS {column}))")


def _declaration(key: str) -> str:
    if key == "record_type":
        kinds = ", ".join(f"'{kind}'" for kind in RECORD_TYPES)
        return f"TEXT NOT NULL CHECK (record_type IN ({kinds}))"
    if key in ("hcpcs_code", "long_description"):
        return "TEXT NOT NULL"
    if key in DATE_FIELDS:
        return f"TEXT {_date_check(key)}"
    if key in INTEGER_FIELDS:
        return (f"INTEGER CHECK ({key} IS NULL OR"
                f" (typeof({key}) = 'integer' AND {key} >= 0))")
    return "TEXT"


def code_columns() -> list[tuple[str, str]]:
    """(name, declaration) of each column of `codes`: the key, then every scalar
    key of the record in its order (coded ones with `_description`), then where
    the record was read."""
    columns = [("release", "TEXT NOT NULL REFERENCES releases (label)"
                " ON DELETE CASCADE")]
    for key in _LEADING + tuple(k for k in SCALAR_KEYS if k not in _LEADING):
        columns.append((key, _declaration(key)))
        if key in CODED_FIELDS:
            columns.append((f"{key}_description", "TEXT"))
    columns.extend(_SOURCE_COLUMNS)
    return columns


def _repeated_table(key: str) -> str:
    if key in CODED_LIST_FIELDS:
        values = "code TEXT NOT NULL,\n  description TEXT"
    else:
        values = "value TEXT NOT NULL"
    return f"""CREATE TABLE {key} (
  release TEXT NOT NULL,
  record_type TEXT NOT NULL,
  hcpcs_code TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position BETWEEN 1 AND {LIST_LIMITS[key]}),
  {values},
  PRIMARY KEY (release, record_type, hcpcs_code, position),
  FOREIGN KEY (release, record_type, hcpcs_code)
    REFERENCES codes (release, record_type, hcpcs_code) ON DELETE CASCADE
)"""


_RELEASES = f"""CREATE TABLE releases (
  label TEXT PRIMARY KEY NOT NULL CHECK (length(label) > 0),
  release_date TEXT {_date_check('release_date')},
  loaded_at TEXT NOT NULL,
  tool_version TEXT,
  records INTEGER NOT NULL CHECK (records >= 0),
  content_sha256 TEXT NOT NULL CHECK (length(content_sha256) = 64)
)"""

_RELEASE_INPUTS = """CREATE TABLE release_inputs (
  release TEXT NOT NULL REFERENCES releases (label) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 1),
  path TEXT NOT NULL,
  member TEXT,
  format TEXT,
  sha256 TEXT,
  records INTEGER,
  PRIMARY KEY (release, position)
)"""

_EXTRA = """CREATE TABLE extra (
  release TEXT NOT NULL,
  record_type TEXT NOT NULL,
  hcpcs_code TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 1),
  label TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (release, record_type, hcpcs_code, label),
  UNIQUE (release, record_type, hcpcs_code, position),
  FOREIGN KEY (release, record_type, hcpcs_code)
    REFERENCES codes (release, record_type, hcpcs_code) ON DELETE CASCADE
)"""

_FIELD_DEFINITIONS = """CREATE TABLE field_definitions (
  release TEXT NOT NULL REFERENCES releases (label) ON DELETE CASCADE,
  field TEXT NOT NULL,
  labels TEXT NOT NULL,
  definition TEXT,
  defined_in TEXT,
  other_definitions TEXT NOT NULL,
  PRIMARY KEY (release, field)
)"""

# Releases in history order: by release date where one was given, else by label,
# both compared as text, so `2018` < `2019` < `2020-04` < `2020-07-01`.
_HISTORY = """CREATE VIEW code_history AS
WITH ordered AS (
  SELECT label, release_date,
         row_number() OVER (ORDER BY coalesce(release_date, label), label)
           AS release_order
  FROM releases
)
SELECT c.record_type, c.hcpcs_code, o.release_order, c.release, o.release_date,
       c.long_description, c.short_description,
       c.action, c.action_description, c.action_effective_date,
       c.code_added_date, c.termination_date,
       lag(c.release) OVER code_releases AS previous_release,
       CASE WHEN lag(c.release) OVER code_releases IS NULL THEN NULL
            ELSE c.long_description IS NOT lag(c.long_description)
                 OVER code_releases
       END AS long_description_changed
FROM codes AS c JOIN ordered AS o ON o.label = c.release
WINDOW code_releases AS (PARTITION BY c.record_type, c.hcpcs_code
                         ORDER BY o.release_order)
ORDER BY c.record_type, c.hcpcs_code, o.release_order"""


def schema_statements() -> list[str]:
    """The statements that make an empty database ready, in order."""
    columns = ",\n  ".join(f"{name} {decl}" for name, decl in code_columns())
    codes = (f"CREATE TABLE codes (\n  {columns},\n"
             "  PRIMARY KEY (release, record_type, hcpcs_code)\n)")
    return [
        _RELEASES,
        _RELEASE_INPUTS,
        codes,
        "CREATE INDEX codes_by_code ON codes (record_type, hcpcs_code)",
        *(_repeated_table(key) for key in REPEATED_KEYS),
        _EXTRA,
        _FIELD_DEFINITIONS,
        _HISTORY,
        f"PRAGMA user_version = {SCHEMA_VERSION}",
    ]


def content_sha256(records: Iterable[HcpcsRecord]) -> str:
    """A digest of what the records say, leaving out where they were read: the
    same release read from its text file or its xlsx gives the same digest."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.key):
        data = record.without_source().to_dict()
        digest.update(json.dumps(data, ensure_ascii=False, sort_keys=True,
                                 separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def connect(db: str | Path) -> sqlite3.Connection:
    """A connection with foreign keys on and transactions left to the caller."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def load_release(db: str | Path, label: str, records: list[HcpcsRecord], *,
                 inputs: Iterable[ReleaseInput] = (),
                 definitions: Mapping[str, Any] | None = None,
                 release_date: dt.date | None = None, replace: bool = False,
                 tool_version: str | None = None) -> LoadOutcome:
    """Loads `records` as release `label` in one transaction.

    Raises ReleaseConflict when `label` holds other records (or another release
    date) and `replace` is false; DatabaseError when `db` cannot be used.
    """
    digest = content_sha256(records)
    with closing(_open(db)) as conn:
        try:
            conn.execute("BEGIN IMMEDIATE")
            status = _decide(conn, label, digest, release_date, replace)
            if status != "unchanged":
                _write(conn, label, records, list(inputs), definitions or {},
                       release_date, tool_version, digest)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    log.info("release %s: %s, %d records", label, status, len(records))
    return LoadOutcome(label, status, len(records), digest)


def _open(db: str | Path, create: bool = True) -> sqlite3.Connection:
    if not create and not Path(db).is_file():
        raise DatabaseError(f"{db}: no such database")
    try:
        conn = connect(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{db}: cannot open: {exc}") from exc

    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and not _has_table(conn, "releases"):
            _create(conn)
            version = SCHEMA_VERSION
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(f"{db}: cannot use as a SQLite database: {exc}") from exc

    if version != SCHEMA_VERSION:
        conn.close()
        raise DatabaseError(
            f"{db}: layout version {version} is not the one this version of"
            f" hcpcs-extract writes ({SCHEMA_VERSION}); load into a new --db"
        )
    return conn


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for statement in schema_statements():
        conn.execute(statement)
    conn.execute("COMMIT")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (name,))
    return row.fetchone() is not None


def _decide(conn: sqlite3.Connection, label: str, digest: str,
            release_date: dt.date | None, replace: bool) -> str:
    row = conn.execute(
        "SELECT content_sha256, release_date FROM releases WHERE label = ?",
        (label,),
    ).fetchone()
    if row is None:
        return "loaded"

    same_date = release_date is None or row[1] == release_date.isoformat()
    if row[0] == digest and same_date:
        return "unchanged"
    if not replace:
        what = ("other records" if row[0] != digest
                else f"release date {row[1]}" if row[1] else "no release date")
        raise ReleaseConflict(
            f"release {label!r} is already loaded with {what};"
            " use --replace to replace it, or load under another --release"
        )
    conn.execute("DELETE FROM releases WHERE label = ?", (label,))
    return "replaced"


def _write(conn: sqlite3.Connection, label: str, records: list[HcpcsRecord],
           inputs: list[ReleaseInput], definitions: Mapping[str, Any],
           release_date: dt.date | None, tool_version: str | None,
           digest: str) -> None:
    loaded_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?)",
        (label, release_date.isoformat() if release_date else None, loaded_at,
         tool_version, len(records), digest),
    )
    conn.executemany(
        "INSERT INTO release_inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(label, n, i.path, i.member, i.format, i.sha256, i.records)
         for n, i in enumerate(inputs, start=1)],
    )

    names = [name for name, _ in code_columns()]
    marks = ", ".join("?" for _ in names)
    try:
        conn.executemany(f"INSERT INTO codes ({', '.join(names)}) VALUES ({marks})",
                         [_code_row(label, r) for r in records])
        for key in REPEATED_KEYS:
            width = 6 if key in CODED_LIST_FIELDS else 5
            conn.executemany(
                f"INSERT INTO {key} VALUES ({', '.join('?' * width)})",
                list(_repeated_rows(label, records, key)),
            )
        conn.executemany("INSERT INTO extra VALUES (?, ?, ?, ?, ?, ?)",
                         list(_extra_rows(label, records)))
    except sqlite3.IntegrityError as exc:
        raise DatabaseError(f"release {label!r} not loaded: {exc}") from exc

    conn.executemany(
        "INSERT INTO field_definitions VALUES (?, ?, ?, ?, ?, ?)",
        [_definition_row(label, name, entry) for name, entry in definitions.items()],
    )


def _code_row(label: str, record: HcpcsRecord) -> list[object]:
    row: list[object] = [label]
    for key in _LEADING + tuple(k for k in SCALAR_KEYS if k not in _LEADING):
        value = getattr(record, key)
        if key in CODED_FIELDS:
            row.extend((value.code, value.description) if value else (None, None))
        elif isinstance(value, dt.date):
            row.append(value.isoformat())
        else:
            row.append(value)
    row.extend(_source_cells(record.source))
    return row


def _source_cells(source: Source | None) -> list[object]:
    if source is None:
        return [None] * len(_SOURCE_COLUMNS)
    return [source.path, source.member, source.format, source.sha256, source.line,
            source.page, source.row, json.dumps(list(source.filled))]


def _repeated_rows(label: str, records: list[HcpcsRecord],
                   key: str) -> Iterator[tuple[object, ...]]:
    for record in records:
        for n, item in enumerate(getattr(record, key), start=1):
            values = (item.code, item.description) if isinstance(item, Coded) else (
                item,)
            yield (label, record.record_type, record.hcpcs_code, n, *values)


def _extra_rows(label: str,
                records: list[HcpcsRecord]) -> Iterator[tuple[object, ...]]:
    for record in records:
        for n, (name, value) in enumerate(record.extra.items(), start=1):
            yield (label, record.record_type, record.hcpcs_code, n, name, value)


def _definition_row(label: str, name: str, entry: Mapping[str, Any]) -> tuple:
    return (label, name, json.dumps(list(entry.get("labels") or []),
                                    ensure_ascii=False),
            entry.get("definition"), entry.get("defined_in"),
            json.dumps(list(entry.get("other_definitions") or []),
                       ensure_ascii=False))


def release_labels(db: str | Path) -> list[str]:
    """The labels in the database, in history order."""
    with closing(_open(db, create=False)) as conn:
        rows = conn.execute(
            "SELECT label FROM releases ORDER BY coalesce(release_date, label), label"
        )
        return [label for (label,) in rows]


def read_release(db: str | Path, label: str) -> list[HcpcsRecord]:
    """The records of one release as they were loaded, in key order."""
    with closing(_open(db, create=False)) as conn:
        conn.row_factory = sqlite3.Row
        listed = {key: _listed(conn, label, key) for key in REPEATED_KEYS}
        extra = _listed(conn, label, "extra")
        rows = conn.execute(
            "SELECT * FROM codes WHERE release = ? ORDER BY record_type, hcpcs_code",
            (label,),
        )
        return [_record(row, listed, extra) for row in rows]


def _listed(conn: sqlite3.Connection, label: str,
            table: str) -> dict[tuple[str, str], list[sqlite3.Row]]:
    grouped: dict[tuple[str, str], list[sqlite3.Row]] = {}
    rows = conn.execute(
        f"SELECT * FROM {table} WHERE release = ?"
        " ORDER BY record_type, hcpcs_code, position",
        (label,),
    )
    for row in rows:
        grouped.setdefault((row["record_type"], row["hcpcs_code"]), []).append(row)
    return grouped


def _record(row: sqlite3.Row, listed: dict[str, dict[tuple[str, str], list]],
            extra: dict[tuple[str, str], list]) -> HcpcsRecord:
    key = (row["record_type"], row["hcpcs_code"])
    values: dict[str, object] = {}
    for name in SCALAR_KEYS:
        cell = row[name]
        if name in CODED_FIELDS:
            cell = None if cell is None else Coded(cell, row[f"{name}_description"])
        elif name in DATE_FIELDS and cell is not None:
            cell = dt.date.fromisoformat(cell)
        values[name] = cell
    for name in REPEATED_KEYS:
        items = listed[name].get(key, [])
        values[name] = tuple(
            Coded(i["code"], i["description"]) if name in CODED_LIST_FIELDS
            else i["value"] for i in items
        )
    values["extra"] = {i["label"]: i["value"] for i in extra.get(key, [])}
    values["source"] = _source(row)
    return HcpcsRecord(**values)  # type: ignore[arg-type]


def _source(row: sqlite3.Row) -> Source | None:
    if row["source_path"] is None:
        return None
    return Source(
        path=row["source_path"], format=row["source_format"],
        sha256=row["source_sha256"], member=row["source_member"],
        line=row["source_line"], page=row["source_page"], row=row["source_row"],
        filled=tuple(json.loads(row["source_filled"] or "[]")),
    )
