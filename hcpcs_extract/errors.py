"""Errors raised by the library and problems collected as data during a batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class HcpcsExtractError(Exception):
    """Base of every error this package raises on purpose."""


class UnsupportedFormat(HcpcsExtractError):
    """The input is not in any format a reader knows.

    A reader that claimed a document from its name and finds, on reading, that it
    is some other kind of file (a README beside a release) raises this with a
    reason saying what the file is; the batch passes the document over.
    """


class InputError(HcpcsExtractError):
    """The input is in a format we read, but broken at a known place."""

    def __init__(self, reason: str, *, line: int | None = None,
                 page: int | None = None, row: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.page = page
        self.row = row


class NoSheetFound(InputError):
    """The input is readable but holds no HCPCS sheet or release rows."""


class MissingDependency(HcpcsExtractError):
    """A package needed for this input is not installed."""


def where(path: str, member: str | None) -> str:
    """`file`, or `file :: member` for a document inside a zip."""
    return path if member is None else f"{path} :: {member}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning or error about one input, kept as data so a batch can go on.

    `field` names the canonical field concerned, where there is one; `code` the
    HCPCS code of the record concerned.
    """

    severity: str
    path: str
    reason: str
    member: str | None = None
    line: int | None = None
    page: int | None = None
    row: int | None = None
    code: str | None = None
    field: str | None = None

    @property
    def place(self) -> str:
        """`file`, `file :: member`, then `line N`, `page N` or `row N`."""
        place = where(self.path, self.member)
        for unit in ("line", "page", "row"):
            number = getattr(self, unit)
            if number is not None:
                place += f", {unit} {number}"
        return place

    def __str__(self) -> str:
        return f"{self.place}: {self.severity}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "path": self.path,
            "member": self.member,
            "line": self.line,
            "page": self.page,
            "row": self.row,
            "code": self.code,
            "field": self.field,
            "reason": self.reason,
        }
