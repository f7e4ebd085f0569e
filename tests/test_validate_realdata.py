"""The record checks and code tables against CMS's January 2023 release.

The csv is read through `cms_rows` directly (a few seconds); every release is
surveyed by tools/check_releases.py.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from hcpcs_extract.cms_rows import normalise_header, records_from_rows
from hcpcs_extract.codetables import coded_values, settle_descriptions
from hcpcs_extract.document import Document, Report
from hcpcs_extract.record import HcpcsRecord
from hcpcs_extract.validate import findings

from .conftest import REALDATA

RELEASE_2023 = "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv"
# CMS's own data: these codes carry an action effective date before the date
# they were added, in every release from 2016 to 2023.
EFFECTIVE_BEFORE_ADDED = {"E0910", "E1050", "S0091", "S0092", "S0093"}


@pytest.fixture(scope="module")
def records_2023() -> list[HcpcsRecord]:
    path = REALDATA / RELEASE_2023
    if not path.is_file():
        pytest.skip(f"real CMS data not found at {path}")
    text = path.read_bytes().decode("latin-1")
    rows = csv.reader(io.StringIO(text))
    header = [normalise_header(name) for name in next(rows)]
    numbered = ((n, dict(zip(header, row))) for n, row in enumerate(rows, start=2))
    report = Report(Document(str(path), b""))
    records = list(records_from_rows(numbered, report, "csv"))
    assert report.problems == []
    return records


def test_2023_breaks_only_the_known_date_order(records_2023) -> None:
    found = Counter()
    codes = set()
    for record in records_2023:
        for finding in findings(record):
            found[(finding.rule, finding.field)] += 1
            codes.add(record.hcpcs_code)

    assert found == {("date_order", "action_effective_date"): 5}
    assert codes == EFFECTIVE_BEFORE_ADDED


def test_2023_every_coded_value_is_in_cms_tables(records_2023) -> None:
    report = Report(Document("release", b""))
    kinds = Counter(r.record_type for r in records_2023)
    assert kinds == {"procedure": 7404, "modifier": 381}

    for record in records_2023:
        filled = settle_descriptions(record, report)
        for name, value in coded_values(filled):
            assert value.description, (record.hcpcs_code, name, value.code)
    assert report.problems == []
