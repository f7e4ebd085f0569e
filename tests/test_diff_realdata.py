"""The 2018 and 2019 CMS releases diffed, held against CMS's own change report,
and diffed again from vendor-style bundles of the same records."""

from __future__ import annotations

import random
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from hcpcs_extract.change_report import read_change_report
from hcpcs_extract.diff import DiffResult, diff, disagree, read_side
from hcpcs_extract.diff_report import to_json
from hcpcs_extract.record import HcpcsRecord
from tests.conftest import REALDATA
from tests.support.render_markdown import render

OLD_TEXT = REALDATA / "cms-2018" / "HCPC2018_CONTR_ANWEB_disc.txt"
NEW_TEXT = REALDATA / "cms-2019" / "HCPC2019_CONTR_ANWEB.txt"
CHANGE_REPORT = REALDATA / "cms-2019" / "Changes_by_ActionCode.prn"
UNCHANGED_SAMPLE = 300


@pytest.fixture(scope="module")
def releases() -> tuple[str, str]:
    if not (OLD_TEXT.is_file() and NEW_TEXT.is_file()):
        pytest.skip(f"real CMS releases not found under {REALDATA}")
    return str(OLD_TEXT), str(NEW_TEXT)


@pytest.fixture(scope="module")
def release_records(releases: tuple[str, str]) -> tuple[list, list]:
    old, new = (list(read_side(side)) for side in releases)
    return old, new


@pytest.fixture(scope="module")
def release_diff(releases: tuple[str, str]) -> DiffResult:
    return diff(*releases)


def test_2018_to_2019_added_and_removed(release_diff: DiffResult) -> None:
    summary = release_diff.summary()

    assert summary["added"] == 244
    assert summary["added_by_type"] == {"modifier": 7, "procedure": 237}
    assert summary["removed"] == 3
    assert [r.key for r in release_diff.removed] == [
        ("modifier", "DA"), ("procedure", "G9976"), ("procedure", "G9977")]
    assert not release_diff.failed


def test_2018_to_2019_changed_fields(release_diff: DiffResult) -> None:
    fields = release_diff.summary()["fields"]
    new_termination = [
        c for c in release_diff.changed
        if c.old.termination_date is None and c.new.termination_date is not None
    ]

    assert len(new_termination) == 33
    assert fields["termination_date"] == 33
    assert fields["long_description"] == 114
    assert fields["short_description"] == 101


def test_2018_to_2019_modifier_qe_long_description(release_diff: DiffResult) -> None:
    qe = next(c for c in release_diff.changed if c.key == ("modifier", "QE"))

    long = next(v for v in qe.changes if v.field == "long_description")
    assert long.before == ("Prescribed amount of oxygen is less than 1 liter per"
                           " minute (lpm)")
    assert long.after == ("Prescribed amount of stationary oxygen while at rest is"
                          " less than 1 liter per minute (lpm)")
    assert qe.derived == ("C", "S") and qe.new.action is not None
    assert qe.new.action.code == "C"


def test_classification_agrees_with_cms_change_report(
        release_records: tuple[list, list], release_diff: DiffResult) -> None:
    if not CHANGE_REPORT.is_file():
        pytest.skip(f"change report not found at {CHANGE_REPORT}")
    report = read_change_report(CHANGE_REPORT)
    own = {r.key: r.action.code for r in release_records[1] if r.action}

    against_report = disagree(own.keys(), report.actions, release_diff)

    assert not report.problems and len(report.actions) == 6800
    assert report.actions == own
    assert against_report == release_diff.disagreements
    kinds = Counter((d.status, " ".join(d.derived), d.action)
                    for d in against_report)
    assert 6800 - sum(kinds.values()) == 6772
    assert kinds == Counter({
        # Descriptions changed by CMS's 2018 corrections or in passing: code N.
        ("changed", "C", "N"): 13,
        ("changed", "C S", "N"): 5,
        # ASC group 20 -> YY by a 2018 correction: code N.
        ("changed", "P", "N"): 4,
        # In the 2018 file without being in the January release: code A.
        ("unchanged", "", "A"): 2,
        # Added by a 2018 correction: code N.
        ("added", "A", "N"): 3,
        # Added in April 2018, long description changed by January: code C.
        ("added", "A", "C"): 1,
    })


def _warned(data: dict) -> set[tuple[str, str, str]]:
    return {(p["severity"], p["code"], p["field"]) for p in data["problems"]
            if p["code"] is not None}


def _sample_keys(result: DiffResult, keys: list[tuple[str, str]]) -> set:
    differing = {r.key for r in result.added + result.removed}
    differing |= {c.key for c in result.changed}
    differing |= {d.key for d in result.disagreements}
    unchanged = sorted(set(keys) - differing)
    return differing | set(random.Random(2019).sample(unchanged, UNCHANGED_SAMPLE))


def _bundle(path: Path, records: list[HcpcsRecord]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for record in records:
            bundle.writestr(f"sheets/{record.hcpcs_code}.md", render(record))
    return str(path)


def test_vendor_bundles_diff_like_the_cms_files(
        release_records: tuple[list, list], release_diff: DiffResult,
        tmp_path: Path) -> None:
    old, new = release_records
    sample = _sample_keys(release_diff, [r.key for r in old + new])
    old_zip = _bundle(tmp_path / "old.zip", [r for r in old if r.key in sample])
    new_zip = _bundle(tmp_path / "new.zip", [r for r in new if r.key in sample])

    bundles = to_json(diff(old_zip, new_zip))
    files = to_json(release_diff)

    # What the files warn about for the sampled codes (the 2018 file's six-digit
    # ASC dates, among others), the bundles warn about too.
    codes = {code for _, code in sample}
    assert _warned(bundles) == {w for w in _warned(files) if w[1] in codes} != set()
    for name in ("added", "removed", "changed", "disagreements"):
        assert bundles[name] == files[name], name
    for name in ("added", "removed", "changed", "fields", "derived",
                 "disagreements"):
        assert bundles["summary"][name] == files["summary"][name], name
    assert bundles["summary"]["unchanged"] == UNCHANGED_SAMPLE + 2
