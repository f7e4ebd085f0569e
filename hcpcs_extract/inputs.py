"""Expanding what the user named (files, folders, zip bundles) into documents.

Zip members are read into memory one at a time and never extracted to disk, so a
member named `../x` or `/etc/x` is only ever a name. Limits on size, ratio, member
count and nesting keep a zip bomb from exhausting the machine; a member is read with
a cap, whatever size the archive declares for it.
"""

from __future__ import annotations

import lzma
import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Iterator

from .document import Document
from .errors import InputError, Problem

MiB = 1024 * 1024
_CHUNK = 1 * MiB

# Errors zipfile and its decompressors raise for broken or hostile archives.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one run reads. Defaults are in the README."""

    max_file_bytes: int = 512 * MiB
    max_zip_total_bytes: int = 4096 * MiB
    max_zip_members: int = 200_000
    max_zip_ratio: float = 200.0
    max_zip_depth: int = 3
    max_document_seconds: float = 60.0
    max_pdf_pages: int = 5000
    max_html_bytes: int = 64 * MiB
    max_html_depth: int = 100


_IN_FORCE: ContextVar[Limits] = ContextVar("limits", default=Limits())


def limits_in_force() -> Limits:
    """The limits of the run reading the current document; readers that need a
    bound (pages, nesting) ask here rather than taking it as an argument."""
    return _IN_FORCE.get()


def set_limits(limits: Limits) -> object:
    """Puts `limits` in force; returns a token for `reset_limits`."""
    return _IN_FORCE.set(limits)


def reset_limits(token: object) -> None:
    _IN_FORCE.reset(token)  # type: ignore[arg-type]


_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "param", "source", "track", "wbr"})


# Elements whose end tag HTML lets a page leave out, and the open elements that
# opening one of them closes, as a browser's parser does.
_IMPLIED_END: dict[str, frozenset[str]] = {
    "p": frozenset({"p"}),
    "li": frozenset({"li", "p"}),
    "dt": frozenset({"dt", "dd", "p"}),
    "dd": frozenset({"dt", "dd", "p"}),
    "tr": frozenset({"tr", "td", "th", "p"}),
    "td": frozenset({"td", "th", "p"}),
    "th": frozenset({"td", "th", "p"}),
    "tbody": frozenset({"tbody", "thead", "tr", "td", "th", "p"}),
    "thead": frozenset({"tbody", "thead", "tr", "td", "th", "p"}),
    "tfoot": frozenset({"tbody", "thead", "tr", "td", "th", "p"}),
    "option": frozenset({"option"}),
}
_CLOSES_P = frozenset({"div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4",
                       "h5", "h6", "section", "article", "header", "footer",
                       "blockquote", "pre", "form", "nav", "aside", "main"})


def html_depth(markup: str) -> int:
    """How deeply elements nest in `markup`, counted from its tags without
    building a tree. End tags a page may leave out (`</p>`, `</td>`, `</li>`)
    are implied as a browser implies them; other unclosed tags count as open,
    so the figure is an upper bound."""
    stack: list[str] = []
    deepest = 0
    for found in _TAG.finditer(markup):
        closing, name, self_closing = found.groups()
        name = name.lower()
        if closing:
            _close(stack, name)
        elif not self_closing and name not in _VOID:
            _imply_ends(stack, name)
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
    return deepest


def _imply_ends(stack: list[str], opening: str) -> None:
    implied = _IMPLIED_END.get(opening)
    if implied is None and opening in _CLOSES_P:
        implied = frozenset({"p"})
    while implied and stack and stack[-1] in implied:
        stack.pop()


def _close(stack: list[str], name: str) -> None:
    if name in stack:
        while stack.pop() != name:
            pass


def check_html(markup: str, **place: int | None) -> None:
    """Raises InputError when HTML is larger or nests deeper than the limits in
    force: tree builders recurse per level and would fail or crawl on it."""
    limits = limits_in_force()
    if len(markup) > limits.max_html_bytes:
        raise InputError(f"HTML of {len(markup)} characters, over the limit of"
                         f" {limits.max_html_bytes} (--max-html-bytes)", **place)
    # Each element opens with a `<`: markup with few of them cannot nest deep,
    # and meaning cells are read here one by one.
    if markup.count("<") <= limits.max_html_depth:
        return
    depth = html_depth(markup)
    if depth > limits.max_html_depth:
        raise InputError(f"HTML nested {depth} elements deep, over the limit of"
                         f" {limits.max_html_depth} (--max-html-depth)", **place)


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


class _TooLarge(Exception):
    """A member that unpacks to more than the run allows."""


@dataclass
class _Budget:
    """Uncompressed bytes one top-level zip may still unpack, nested zips included.
    Counted as bytes come out, so a size the archive understates cannot cheat it."""

    left: int


def is_zip(name: str, head: bytes) -> bool:
    """A zip bundle, as opposed to a zip-based document such as xlsx."""
    return head.startswith(b"PK\x03\x04") and not name.lower().endswith(
        (".xlsx", ".xlsm", ".docx")
    )


def expand(inputs: list[str], limits: Limits = Limits(),
           skip_dir: str | None = None) -> Iterator[Document | Skipped]:
    """Documents from every input in the order given, folders walked in sorted
    order and zip members taken in sorted order of their names."""
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, limits, skip_dir)
        else:
            yield from _file(given, limits, named=True)


def _walk(folder: Path, limits: Limits,
          skip_dir: str | None) -> Iterator[Document | Skipped]:
    # Links inside a folder are not followed: a bundle unpacked from outside could
    # point them anywhere on the machine. A folder that cannot be listed is
    # reported, not passed over.
    skip = os.path.realpath(skip_dir) if skip_dir else None
    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted.append,
                                     followlinks=False):
        yield from _unlisted(unlisted)
        if skip and os.path.realpath(root) == skip:
            dirs[:] = []
            continue
        dirs.sort()
        for name in sorted(files + [d for d in dirs if _is_link(root, d)]):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if _is_link(root, name):
                yield Skipped(_shown(path), "symbolic link not followed",
                              status="skipped")
            else:
                yield from _file(path, limits, named=False)
    yield from _unlisted(unlisted)


def _unlisted(errors: list[OSError]) -> Iterator[Skipped]:
    while errors:
        error = errors.pop(0)
        yield Skipped(_shown(str(error.filename)),
                      f"cannot list folder: {error.strerror or error}")


def _is_link(root: str, name: str) -> bool:
    return os.path.islink(os.path.join(root, name))


def _shown(path: str) -> str:
    return printable_name(path.replace(os.sep, "/"))


def printable_name(name: str) -> str:
    """`name` with control and other unprintable characters escaped (`\\u000d`):
    a hostile name must not break a CSV row or steer the terminal it is shown on."""
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)


def _file(path: str, limits: Limits, named: bool) -> Iterator[Document | Skipped]:
    display = _shown(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            yield Skipped(display, "not a regular file")
            return
        with open(path, "rb") as handle:
            head = handle.read(4)
            if is_zip(display, head):
                # A bundle is bounded by the zip limits, member by member.
                yield from _top_zip(display, handle, info.st_size, limits)
                return
            if info.st_size > limits.max_file_bytes:
                yield Skipped(display, _too_large(limits, info.st_size))
                return
            handle.seek(0)
            data = _read_capped(handle, limits.max_file_bytes)
    except FileNotFoundError:
        yield Skipped(display, "no such file or folder")
        return
    except _TooLarge:
        yield Skipped(display, _too_large(limits))
        return
    except OSError as exc:
        yield Skipped(display, f"cannot read: {exc.strerror or exc}")
        return

    yield Document(display, data, named=named)


def _top_zip(path: str, handle: IO[bytes], size: int,
             limits: Limits) -> Iterator[Document | Skipped]:
    # The archive is read from disk member by member: memory holds one member at a
    # time, never the whole bundle.
    budget = _Budget(limits.max_zip_total_bytes)
    yield from _zip(path, handle, size, None, limits, 1, budget)


def _zip(path: str, source: IO[bytes], packed: int, prefix: str | None,
         limits: Limits, depth: int, budget: _Budget) -> Iterator[Document | Skipped]:
    if depth > limits.max_zip_depth:
        yield Skipped(path, f"zip nested deeper than {limits.max_zip_depth}"
                      " (--max-zip-depth)", member=prefix)
        return
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except UnicodeDecodeError as exc:
        yield Skipped(path, "corrupt zip: a member name flagged as UTF-8 is not"
                      f" UTF-8 ({exc.reason})", member=prefix)
        return
    except _ZIP_ERRORS as exc:
        yield Skipped(path, f"corrupt or truncated zip: {exc}", member=prefix)
        return

    refusal = _zip_refusal(members, packed, limits, budget)
    if refusal:
        yield Skipped(path, refusal, member=prefix)
        return

    copies = Counter(m.filename for m in members)
    seen: Counter[str] = Counter()
    for info in sorted(members, key=lambda m: m.filename):
        if info.is_dir():
            continue
        seen[info.filename] += 1
        shown = printable_name(info.filename)
        name = shown if prefix is None else f"{prefix} :: {shown}"
        notes = _name_notes(info, copies[info.filename], seen[info.filename])
        yield from _member(path, archive, info, name, notes, limits, depth, budget)


def _name_notes(info: zipfile.ZipInfo, copies: int, copy: int) -> tuple[str, ...]:
    notes: list[str] = []
    if copies > 1:
        notes.append(f"the zip holds {copies} members named {info.filename!r};"
                     f" each is read, this is number {copy}")
    if not info.flag_bits & 0x800 and not info.filename.isascii():
        notes.append("member name is not marked as UTF-8; read as cp437, the"
                     " zip format's default")
    if not info.filename.isprintable():
        notes.append("member name holds unprintable characters; shown escaped")
    return tuple(notes)


def _member(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
            notes: tuple[str, ...], limits: Limits, depth: int,
            budget: _Budget) -> Iterator[Document | Skipped]:
    if _is_symlink(info):
        yield Skipped(path, "symbolic link in zip not followed", status="skipped",
                      member=name)
        return
    if info.file_size > limits.max_file_bytes:
        yield Skipped(path, _too_large(limits, info.file_size), member=name)
        return
    try:
        data = _read_member(archive, info, limits, budget)
    except _TooLarge as exc:
        yield Skipped(path, str(exc), member=name)
        return
    except _ZIP_ERRORS as exc:
        yield Skipped(path, f"cannot read zip member: {exc}", member=name)
        return

    if is_zip(info.filename, data[:4]):
        yield from _zip(path, BytesIO(data), len(data), name, limits,
                        depth + 1, budget)
    else:
        yield Document(path, data, member=name, notes=notes)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits,
                 budget: _Budget) -> bytes:
    cap = min(limits.max_file_bytes, budget.left)
    with archive.open(info) as stream:
        try:
            data = _read_capped(stream, cap)
        except _TooLarge:
            if cap == budget.left:
                raise _TooLarge(_over_total(limits)) from None
            raise _TooLarge(_too_large(limits)) from None
    budget.left -= len(data)
    return data


def _read_capped(stream: IO[bytes], cap: int) -> bytes:
    """At most `cap` bytes of `stream`; `_TooLarge` when it holds more."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            raise _TooLarge
        chunks.append(chunk)


def _too_large(limits: Limits, size: int | None = None) -> str:
    what = "document is over" if size is None else f"document is {size} bytes, over"
    return f"{what} the limit of {limits.max_file_bytes} bytes (--max-file-bytes)"


def _over_total(limits: Limits) -> str:
    return (f"zip unpacks to more than {limits.max_zip_total_bytes} bytes, the"
            " limit (--max-zip-bytes)")


def _zip_refusal(members: list[zipfile.ZipInfo], packed: int, limits: Limits,
                 budget: _Budget) -> str | None:
    if len(members) > limits.max_zip_members:
        return (f"zip holds {len(members)} members, over the limit of"
                f" {limits.max_zip_members} (--max-zip-members)")
    total = sum(m.file_size for m in members)
    if total > budget.left:
        # A nested zip has only what its parents left of the budget.
        return (f"zip unpacks to {total} bytes, over the {budget.left} left of the"
                f" limit of {limits.max_zip_total_bytes} (--max-zip-bytes)")
    if packed and total / packed > limits.max_zip_ratio and total > 10 * MiB:
        return (f"zip unpacks to {total / packed:.0f} times its size, over the"
                f" limit of {limits.max_zip_ratio:.0f} (--max-zip-ratio)")
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)
