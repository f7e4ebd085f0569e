"""Reading back a folder that `convert` wrote, so other commands can take it as
input instead of the sheets and releases it was made from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import InputError
from .record import HcpcsRecord

RECORDS_NAME = "records.jsonl"
MANIFEST_NAME = "manifest.json"
FIELDS_NAME = "fields.json"


@dataclass(frozen=True)
class ConvertedFolder:
    """The records of a `convert` output folder and the field definitions that
    came with them; `sha256` is that of its records.jsonl."""

    records_path: str
    sha256: str
    records: list[HcpcsRecord]
    definitions: dict[str, Any] = field(default_factory=dict)


def is_converted_folder(path: str | Path) -> bool:
    folder = Path(path)
    return (folder / RECORDS_NAME).is_file() and (folder / MANIFEST_NAME).is_file()


def read_converted_folder(path: str | Path) -> ConvertedFolder:
    """Raises InputError naming the file and line of anything unreadable."""
    folder = Path(path)
    records_path = folder / RECORDS_NAME
    records = list(iter_converted(folder))
    digest = hashlib.sha256(records_path.read_bytes()).hexdigest()
    return ConvertedFolder(records_path.as_posix(), digest, records,
                           _definitions(folder / FIELDS_NAME))


def iter_converted(folder: str | Path,
                   on_error: Callable[[InputError], None] | None = None,
                   ) -> Iterator[HcpcsRecord]:
    """The records of a folder's records.jsonl, one line at a time. A line that
    is not a record raises InputError naming file and line, or, with `on_error`,
    is handed to it and passed over."""
    records_path = Path(folder) / RECORDS_NAME
    display = records_path.as_posix()
    with open(records_path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield HcpcsRecord.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                error = InputError(f"{display}, line {number}: not a record:"
                                   f" {type(exc).__name__}: {exc}", line=number)
                if on_error is None:
                    raise error from exc
                on_error(error)


def _definitions(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path.as_posix()}: not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InputError(f"{path.as_posix()}: not a field dictionary")
    return value
