"""Expanding what the user named (files, folders, zip bundles) into documents.

Zip members are read into memory and never extracted to disk, so a member named
`../x` or `/etc/x` is only ever a name. Limits on size, ratio, member count and
nesting keep a zip bomb from exhausting the machine.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterator

from .document import Document
from .errors import Problem

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one run reads. Defaults are in the README."""

    max_file_bytes: int = 512 * MiB
    max_zip_total_bytes: int = 2048 * MiB
    max_zip_members: int = 100_000
    max_zip_ratio: float = 200.0
    max_zip_depth: int = 3


@dataclass(frozen=True)
class Skipped:
    """An input not read, and why: `failed` for one the user named, or a broken
    archive; `skipped` for files met inside folders that are not ours to read."""

    path: str
    reason: str
    status: str = "failed"
    member: str | None = None

    def problems(self) -> list[Problem]:
        """An error for a failed input; a skipped one is listed in the manifest."""
        if self.status != "failed":
            return []
        return [Problem("error", self.path, self.reason, member=self.member)]


def is_zip(name: str, head: bytes) -> bool:
    """A zip bundle, as opposed to a zip-based document such as xlsx."""
    return head.startswith(b"PK\x03\x04") and not name.lower().endswith(
        (".xlsx", ".xlsm", ".docx")
    )


def expand(inputs: list[str], limits: Limits = Limits(),
           skip_dir: str | None = None) -> Iterator[Document | Skipped]:
    """Documents from every input, folders walked in sorted order."""
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, limits, skip_dir)
        else:
            yield from _file(given, limits, named=True)


def _walk(folder: Path, limits: Limits,
          skip_dir: str | None) -> Iterator[Document | Skipped]:
    skip = os.path.realpath(skip_dir) if skip_dir else None
    for root, dirs, files in os.walk(folder, followlinks=False):
        if skip and os.path.realpath(root) == skip:
            dirs[:] = []
            continue
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            yield from _file(os.path.join(root, name), limits, named=False)


def _file(path: str, limits: Limits, named: bool) -> Iterator[Document | Skipped]:
    display = path.replace(os.sep, "/")
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            yield Skipped(display, "not a regular file")
            return
        if info.st_size > limits.max_file_bytes:
            yield Skipped(display, f"file is {info.st_size} bytes, over the limit"
                          f" of {limits.max_file_bytes} (--max-file-bytes)")
            return
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        yield Skipped(display, "no such file or folder")
        return
    except OSError as exc:
        yield Skipped(display, f"cannot read: {exc.strerror or exc}")
        return

    if is_zip(display, data[:4]):
        yield from _zip(display, data, None, limits, depth=1)
    else:
        yield Document(display, data, named=named)


def _zip(path: str, data: bytes, prefix: str | None, limits: Limits,
         depth: int) -> Iterator[Document | Skipped]:
    if depth > limits.max_zip_depth:
        yield Skipped(path, f"zip nested deeper than {limits.max_zip_depth}"
                      " (--max-zip-depth)", member=prefix)
        return
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield Skipped(path, f"corrupt or truncated zip: {exc}", member=prefix)
        return

    refusal = _zip_refusal(members, len(data), limits)
    if refusal:
        yield Skipped(path, refusal, member=prefix)
        return

    for info in sorted(members, key=lambda m: m.filename):
        if info.is_dir():
            continue
        name = info.filename if prefix is None else f"{prefix} :: {info.filename}"
        yield from _member(path, archive, info, name, limits, depth)


def _member(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
            limits: Limits, depth: int) -> Iterator[Document | Skipped]:
    if _is_symlink(info):
        yield Skipped(path, "symbolic link in zip not followed", member=name)
        return
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError,
            RuntimeError) as exc:
        yield Skipped(path, f"cannot read zip member: {exc}", member=name)
        return
    if is_zip(info.filename, data[:4]):
        yield from _zip(path, data, name, limits, depth + 1)
    else:
        yield Document(path, data, member=name)


def _zip_refusal(members: list[zipfile.ZipInfo], packed: int,
                 limits: Limits) -> str | None:
    if len(members) > limits.max_zip_members:
        return (f"zip holds {len(members)} members, over the limit of"
                f" {limits.max_zip_members} (--max-zip-members)")
    total = sum(m.file_size for m in members)
    if total > limits.max_zip_total_bytes:
        return (f"zip unpacks to {total} bytes, over the limit of"
                f" {limits.max_zip_total_bytes} (--max-zip-bytes)")
    if packed and total / packed > limits.max_zip_ratio and total > 10 * MiB:
        return (f"zip unpacks to {total / packed:.0f} times its size, over the"
                f" limit of {limits.max_zip_ratio:.0f} (--max-zip-ratio)")
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)
