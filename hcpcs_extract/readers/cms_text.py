"""CMS's fixed-width ANWEB release file (`HCPC2019_CONTR_ANWEB.txt`).

Each code's first line (RECID 3, or 7 for a modifier) is a 320-character record
holding every field at the positions of the release's record layout; lines with
RECID 4 or 8 carry only more long description. What the files do besides:
- CRLF line ends; continuation lines trimmed to 91 characters (2016-2017) or
  padded to 320 (2018 on), and one 316-character line in 2019;
- a disclaimer block before the data (2018, 2019), with tabs and Latin-1 0xA0
  bytes: passed over, and said so in one warning;
- modifiers in columns 4-5 behind three blanks (`   A1`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from ..cms_rows import CONTINUATION_RECIDS, FIRST_RECIDS, records_from_rows
from ..document import Document, Report
from ..errors import NoSheetFound
from ..record import HcpcsRecord
from ..text import looks_binary
from .cms_files import companion_kind, named_as_release, pass_over

FORMAT = "cms-text"
RECORD_LENGTH = 320

# CMS column -> (first, last) position, 1-based and inclusive, as in the record
# layout (`HCPCS2019_recordlayout.txt`); repeated fields follow one another.
_FIXED: tuple[tuple[str, int, int], ...] = (
    ("HCPC", 1, 5), ("SEQNUM", 6, 10), ("RECID", 11, 11),
    ("LONG DESCRIPTION", 12, 91), ("SHORT DESCRIPTION", 92, 119),
)
_REPEATED: tuple[tuple[str, int, int, int], ...] = (
    # stem, first position, width, how many
    ("PRICE", 120, 2, 4), ("CIM", 129, 6, 3), ("MCM", 147, 8, 3),
    ("LABCERT", 181, 3, 8), ("XREF", 205, 5, 5), ("TOS", 261, 1, 5),
)
_SINGLE: tuple[tuple[str, int, int], ...] = (
    ("MULT_PI", 128, 128), ("STATUTE", 171, 180), ("COV", 230, 230),
    ("ASC_GRP", 231, 232), ("ASC_DT", 233, 240), ("OPPS", 241, 243),
    ("OPPS_PI", 244, 244), ("OPPS_DT", 245, 252), ("PROCNOTE", 253, 256),
    ("BETOS", 257, 259), ("ANEST_BU", 266, 268), ("ADD DT", 269, 276),
    ("ACT EFF DT", 277, 284), ("TERM DT", 285, 292), ("ACTION CD", 293, 293),
)


def _slices() -> tuple[tuple[str, slice], ...]:
    spans = [*_FIXED, *_SINGLE]
    for stem, first, width, count in _REPEATED:
        for n in range(count):
            start = first + n * width
            spans.append((f"{stem}{n + 1}", start, start + width - 1))
    spans.sort(key=lambda span: span[1])
    return tuple((name, slice(first - 1, last)) for name, first, last in spans)


SLICES = _slices()
_CONTINUATION_END = 91
_RECIDS = frozenset(FIRST_RECIDS) | frozenset(CONTINUATION_RECIDS)
_CODE = re.compile(r"^(?:[A-Z]\d{4}|\d{4}[0-9FTUM]|   [A-Z0-9]{2})$")
_SEQNUM = re.compile(r"^\d{5}$")
_SNIFF_BYTES = 65536


@dataclass
class _Passed:
    """Runs of lines that are not ANWEB records, gathered for one warning; blank
    lines count only inside a run that holds text."""

    runs: list[list[int]] = field(default_factory=list)
    first_text: str = ""
    _open: list[int] | None = None
    _texted: bool = False

    def add(self, number: int, text: str) -> None:
        if self._open is None:
            self._open, self._texted = [number, number], False
        self._open[1] = number
        if text.strip() and not self._texted:
            self._texted = True
            self.first_text = self.first_text or text.strip()[:60]

    def close(self) -> None:
        if self._open is not None and self._texted:
            self.runs.append(self._open)
        self._open = None

    @property
    def count(self) -> int:
        return sum(end - start + 1 for start, end in self.runs)


class CmsTextReader:
    format = FORMAT

    def sniff(self, doc: Document) -> int:
        """2 when the opening lines hold ANWEB records; 1 for a CMS bundle file
        named like a release or a companion (README, layout...), which `read`
        then reads or passes over; 0 otherwise. `.txt` alone says nothing."""
        if looks_binary(doc.head):
            return 0
        lines = doc.data[:_SNIFF_BYTES].split(b"\n")[:-1] or [doc.data[:4096]]
        for raw in lines:
            line = raw.rstrip(b"\r").decode("latin-1")
            if len(line) == RECORD_LENGTH and is_record_line(line):
                return 2
        name = doc.name
        if named_as_release(name) or companion_kind(name):
            return 1 if name.lower().endswith((".txt", ".prn")) else 0
        return 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        lines = list(_decoded_lines(doc.data, report))
        rows = list(_record_rows(lines, report))
        if rows and not doc.data.endswith(b"\n"):
            rows = _without_cut_code(rows, lines[-1], report)
        if not rows:
            if companion_kind(doc.name):
                raise pass_over(doc.name, "320-character ANWEB records")
            raise NoSheetFound(f"no ANWEB records (320-character lines with"
                               f" RECID 3, 4, 7 or 8) in {doc.name}")
        yield from records_from_rows(rows, report, FORMAT, unit="line")


def _without_cut_code(rows: list[tuple[int, dict[str, str]]],
                      last: tuple[int, str],
                      report: Report) -> list[tuple[int, dict[str, str]]]:
    """CMS ends its files with a line break. One that stops inside a record line
    was cut short: the code whose lines it ends in is left out, with an error."""
    number, text = last
    if not is_record_line(text) or rows[-1][0] != number:
        return rows
    code = rows[-1][1]["HCPC"].strip()
    report.error(f"the file ends inside line {number} ({len(text)} characters,"
                 f" no line break): cut short? {code} left out", line=number,
                 code=code)
    return [row for row in rows if row[1]["HCPC"].strip() != code]


def is_record_line(line: str) -> bool:
    """A line with a code in columns 1-5, a SEQNUM and a known RECID."""
    return (len(line) >= 11 and line[10] in _RECIDS
            and bool(_CODE.match(line[:5])) and bool(_SEQNUM.match(line[5:10])))


def cut_line(line: str) -> dict[str, str]:
    """One fixed-width line as CMS's columns; a short line reads as if padded."""
    padded = line.ljust(RECORD_LENGTH)
    return {name: padded[span] for name, span in SLICES}


def _decoded_lines(data: bytes, report: Report) -> Iterator[tuple[int, str]]:
    """(line number, text) pairs. CMS writes Latin-1 single bytes; a line that is
    not UTF-8 is decoded as Windows-1252 (Latin-1 where that has no character),
    and data lines so decoded are reported once."""
    fallback: list[int] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _single_byte(raw)
            if is_record_line(text):
                fallback.append(number)
        yield number, text

    if fallback:
        report.warn(f"record lines not UTF-8: {len(fallback)} (first at line"
                    f" {fallback[0]}); decoded as Windows-1252",
                    line=fallback[0])


def _single_byte(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _record_rows(lines: list[tuple[int, str]],
                 report: Report) -> Iterator[tuple[int, dict[str, str]]]:
    passed = _Passed()
    short: list[int] = []
    for number, line in lines:
        if not is_record_line(line):
            passed.add(number, line)
            continue
        passed.close()

        if line[10] in FIRST_RECIDS and len(line) < RECORD_LENGTH:
            short.append(number)
        _check_overflow(number, line, report)
        yield number, cut_line(line)

    passed.close()
    _report_passed(passed, report)
    if short:
        report.warn(f"code lines shorter than {RECORD_LENGTH} characters:"
                    f" {len(short)} (first at line {short[0]}); read as if padded"
                    " with blanks", line=short[0])


def _check_overflow(number: int, line: str, report: Report) -> None:
    # Text past the fields a line holds would be lost without a word.
    end = _CONTINUATION_END if line[10] in CONTINUATION_RECIDS else RECORD_LENGTH
    if line[end:].strip():
        report.warn(f"text past column {end} not read: {line[end:].strip()[:40]!r}",
                    line=number, code=line[:5].strip())


def _report_passed(passed: _Passed, report: Report) -> None:
    if not passed.runs:
        return
    ranges = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in passed.runs)
    report.warn(f"lines not ANWEB records, passed over: {ranges}"
                f" ({passed.count} in all; first: {passed.first_text!r})",
                line=passed.runs[0][0])
