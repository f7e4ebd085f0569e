"""CMS's change report ("transaction report", Changes by Action Code): the type
of change CMS gives each code of a release, as an action code.

A line holds the code, then the type of change in words (`ADD`, `Long
Description Change`, `No Change`...), cut short in some years and run into the
short description that follows; only the start of the words is matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .values import is_code_shaped, normalise_code, record_type_of

Key = tuple[str, str]

# Start of the words, lower case -> action code; longer starts are tried first
# so that "coverage and long" wins over "coverage".
TYPES_OF_CHANGE: dict[str, str] = {
    "add": "A",
    "discontinu": "D",
    "long desc": "C",
    "change in long desc": "C",
    "short desc": "S",
    "change in short desc": "S",
    "payment": "P",
    "change in payment": "P",
    "coverage and long": "B",
    "coverage & long": "B",
    "change in coverage and long": "B",
    "coverage": "F",
    "change in coverage": "F",
    "admin": "F",
    "misc": "T",
    "re-activ": "R",
    "reactiv": "R",
    "no change": "N",
}
_PREFIXES = sorted(TYPES_OF_CHANGE, key=len, reverse=True)
_LINE = re.compile(r"^\s*(?P<code>[A-Za-z0-9]{2,5})[\t ]+(?P<rest>\S.*)$")


@dataclass
class ChangeReport:
    """Key -> action code, with the lines that could not be read."""

    path: str
    actions: dict[Key, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_change_report(path: str | Path) -> ChangeReport:
    """Reads a change report in the layout of 2017-2019 (`.prn`, fixed columns)
    or 2016 (TAB-separated); header and blank lines are passed over."""
    name = str(path).replace("\\", "/")
    text = Path(path).read_bytes().decode("cp1252")
    report = ChangeReport(name)
    for number, line in enumerate(text.splitlines(), start=1):
        _read_line(report, number, line)
    return report


def _read_line(report: ChangeReport, number: int, line: str) -> None:
    stripped = line.strip()
    if not stripped or stripped.upper().startswith("HCPCS"):
        return
    found = _LINE.match(line)
    if not found:
        report.problems.append(Problem("warning", report.path,
                                       "line without a code skipped", line=number))
        return

    code = normalise_code(found["code"])
    action = action_of(found["rest"])
    if not is_code_shaped(code) or action is None:
        report.problems.append(Problem(
            "warning", report.path,
            f"unknown type of change {found['rest'][:30].strip()!r} for {code};"
            " line skipped", line=number, code=code,
        ))
        return
    report.actions[(record_type_of(code), code)] = action


def action_of(words: str) -> str | None:
    """The action code for a type of change in words, or None."""
    text = " ".join(words.lower().split())
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            return TYPES_OF_CHANGE[prefix]
    return None
