"""One input document and the report a reader fills while reading it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from .errors import Problem


@dataclass(frozen=True)
class Document:
    """The bytes of one input file or zip member, with the name a user knows it by.

    `path` is the file as given on the command line (or found below a folder);
    `member` is the name inside a zip, nested zips joined with ` :: `; `named` is
    true for a file the user named rather than one met inside a folder.
    """

    path: str
    data: bytes
    member: str | None = None
    named: bool = False

    @property
    def name(self) -> str:
        """The name whose extension says what the document claims to be."""
        return self.member if self.member is not None else self.path

    @cached_property
    def sha256(self) -> str:
        # Cached: readers stamp it on every record of a document.
        return hashlib.sha256(self.data).hexdigest()

    @property
    def head(self) -> bytes:
        return self.data[:4096]


@dataclass(frozen=True, slots=True)
class Definition:
    """What one sheet says a field means, as clean text."""

    column: str
    label: str
    text: str
    path: str
    member: str | None = None


@dataclass
class Report:
    """Warnings, errors and field definitions gathered while reading one document."""

    document: Document
    problems: list[Problem] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)

    def warn(self, reason: str, **place: object) -> None:
        self._add("warning", reason, place)

    def error(self, reason: str, **place: object) -> None:
        self._add("error", reason, place)

    def define(self, column: str, label: str, text: str) -> None:
        doc = self.document
        self.definitions.append(Definition(column, label, text, doc.path, doc.member))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def _add(self, severity: str, reason: str, place: dict[str, object]) -> None:
        problem = Problem(
            severity, self.document.path, reason, member=self.document.member,
            **place,  # type: ignore[arg-type]
        )
        self.problems.append(problem)
