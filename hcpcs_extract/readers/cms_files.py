"""What the files in a CMS HCPCS release bundle are, by name.

A release zip holds the ANWEB file (text, xlsx, later csv) beside a README, the
record layout, processing notes, NOC lists, corrections and transaction reports.
The CMS readers claim those companions by name only, so that reading them ends in
a clear "passed over: this is a transaction report" rather than garbage records
or a generic "unknown format".
"""

from __future__ import annotations

import re

from ..errors import UnsupportedFormat

# Most specific first: `HCPC2018_Corrections_README.txt` is a README.
_COMPANIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"readme", re.I), "a README"),
    (re.compile(r"record[ _-]?layout", re.I), "a record layout"),
    (re.compile(r"proc[ _-]?notes", re.I), "processing notes"),
    (re.compile(r"(^|[^a-z])noc([^a-z]|$)", re.I), "a list of NOC codes"),
    (re.compile(r"correction", re.I), "a corrections list"),
    (re.compile(r"trans(action)?[ _-]?(report|alpha)|changes[ _-]?by", re.I),
     "a transaction report"),
)
_ANWEB = re.compile(r"anweb", re.I)


def base_name(name: str) -> str:
    """The file name alone, from a path or a nested zip member name."""
    return re.split(r"[/\\]| :: ", name)[-1]


def companion_kind(name: str) -> str | None:
    """What a CMS bundle file other than the release itself is, from its name."""
    base = base_name(name)
    for pattern, kind in _COMPANIONS:
        if pattern.search(base):
            return kind
    return None


def named_as_release(name: str) -> bool:
    """`HCPC2019_CONTR_ANWEB.txt`, `anweb.xlsx`: named like a release file."""
    base = base_name(name)
    return bool(_ANWEB.search(base)) and companion_kind(base) is None


def pass_over(name: str, shape: str) -> UnsupportedFormat:
    """The error that passes over a bundle file: what it is and why not read."""
    kind = companion_kind(name) or "another kind of file"
    return UnsupportedFormat(
        f"{kind}, not a HCPCS release ({shape} not found); not read as records"
    )
