"""Reading back a folder that `convert` wrote, so other commands can take it as
input instead of the sheets and releases it was made from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    data = records_path.read_bytes()
    display = records_path.as_posix()

    records = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(HcpcsRecord.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{display}, line {number}: not a record: {exc}",
                             line=number) from exc

    return ConvertedFolder(display, hashlib.sha256(data).hexdigest(), records,
                           _definitions(folder / FIELDS_NAME))


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
