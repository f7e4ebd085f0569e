"""CMS's change report read as action codes, in the layouts of several years."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_extract.change_report import action_of, read_change_report
from tests.conftest import FIXTURES


def test_fixed_column_report_with_cut_words() -> None:
    report = read_change_report(FIXTURES / "diff" / "changes.prn")

    assert report.actions == {
        ("modifier", "CO"): "A",
        ("modifier", "QE"): "C",
        ("modifier", "ZA"): "D",
        ("procedure", "A4563"): "A",
        ("procedure", "A4651"): "N",
        ("procedure", "E0210"): "T",
        ("procedure", "G9890"): "A",
        ("procedure", "Q2028"): "P",
    }
    assert not report.problems


@pytest.mark.parametrize(("words", "code"), [
    ("ADD          Outpatient ot", "A"),
    ("Long Description ChangStationary o2", "C"),
    ("Short Description ChanInsert drug", "S"),
    ("Coverage and Long DescSomething", "B"),
    ("Coverage & Long Description", "B"),
    ("Coverage Change", "F"),
    ("Change in Coverage", "F"),
    ("Change in Long Description", "C"),
    ("Re-activated", "R"),
    ("Misc Change (TOS)", "T"),
    ("Miscellaneous Change (BETOS)", "T"),
    ("No change", "N"),
    ("Discontinued     Enzyme", "D"),
    ("Payment Change    Inj", "P"),
])
def test_type_of_change_words_become_action_codes(words: str, code: str) -> None:
    assert action_of(words) == code


def test_tab_separated_report_and_unknown_types(tmp_path: Path) -> None:
    path = tmp_path / "changes.txt"
    path.write_bytes(b"HCPCS/Modifier Code\tType of Change\r\nCP\tAdd\r\n"
                     b"A4651\tNo change\r\nA4652\tRenumbered\r\n---\r\n")

    report = read_change_report(path)

    assert report.actions == {("modifier", "CP"): "A",
                              ("procedure", "A4651"): "N"}
    assert [(p.line, p.reason) for p in report.problems] == [
        (4, "unknown type of change 'Renumbered' for A4652; line skipped"),
        (5, "line without a code skipped"),
    ]
