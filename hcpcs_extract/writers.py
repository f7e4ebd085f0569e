"""Writing records and reports. Every file is written to a temporary name in the
output folder and renamed into place, so a killed run never leaves half a file."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from .columns import CMS_COLUMNS, FLAT_COLUMNS, record_to_cms, record_to_flat
from .record import HcpcsRecord

SCHEMA_NAME = "record.schema.json"


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file that appears under `path` only once it is whole."""
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent,
        prefix=f".{path.name}.", suffix=".tmp", delete=False,
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def write_json(path: Path, value: Any) -> None:
    with atomic_text(path) as out:
        out.write(dump_json(value))


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with atomic_text(path) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")


def write_records(out_dir: Path, records: list[HcpcsRecord],
                  tool_version: str) -> None:
    """records.jsonl, records.json, records.csv and records.cms.csv, with the
    record's JSON Schema beside them."""
    write_jsonl(out_dir / "records.jsonl", (r.to_dict() for r in records))
    write_records_json(out_dir / "records.json", records, tool_version)
    write_csv(out_dir / "records.csv", FLAT_COLUMNS,
              (record_to_flat(r) for r in records))
    write_csv(out_dir / "records.cms.csv", CMS_COLUMNS,
              (record_to_cms(r) for r in records))
    with atomic_text(out_dir / SCHEMA_NAME) as out:
        out.write(schema_text())


def write_records_json(path: Path, records: list[HcpcsRecord],
                       tool_version: str) -> None:
    """records.json, written a record at a time: the same bytes as `dump_json` of
    the whole document, without holding all of it in memory as one string."""
    head = {"record_schema": SCHEMA_NAME, "tool_version": tool_version,
            "count": len(records), "records": []}
    with atomic_text(path) as out:
        if not records:
            out.write(dump_json(head))
            return
        # JSON escapes newlines inside strings, so every newline here is layout.
        out.write(dump_json(head)[: -len("[]\n}\n")] + "[\n")
        for n, record in enumerate(records):
            text = json.dumps(record.to_dict(), ensure_ascii=False, indent=2)
            separator = "" if n == 0 else ",\n"
            out.write(separator + "    " + text.replace("\n", "\n    "))
        out.write("\n  ]\n}\n")


def write_csv(path: Path, columns: Iterable[str],
              rows: Iterable[dict[str, str]]) -> None:
    with atomic_text(path) as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def csv_text(columns: Iterable[str], rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def schema_text() -> str:
    """The record's JSON Schema as shipped inside the package."""
    return resources.files("hcpcs_extract").joinpath("schema", SCHEMA_NAME).read_text(
        encoding="utf-8"
    )


def load_schema() -> dict[str, Any]:
    return json.loads(schema_text())
