"""CMS's real releases (../shared/realdata) through `convert`: counts per
release and format, text against xlsx, codes that must stay text.

Each file is converted once per session; the tests share the output folders.
Checks marked `slow` (most workbooks: openpyxl takes seconds for each) are left
out of the default run; `python -m pytest -m slow` runs them.
"""

from __future__ import annotations

import collections
import csv
import functools
import json
from pathlib import Path

import pytest

from hcpcs_extract.cli import main
from hcpcs_extract.compare import compare_records
from hcpcs_extract.record import HcpcsRecord
from tests.conftest import FIXTURES, REALDATA

SLOW = pytest.mark.slow
# release, file under realdata, procedure codes, modifiers (SOURCES.md); the
# default run samples the trimmed (2016) and padded (2019) text, the 2019
# workbook and the csv.
RELEASES = [
    ("2016", "cms-2016/HCPC2016_CONTR_ANWEB.txt", 5956, 337, ()),
    ("2016", "cms-2016/HCPC2016_CONTR_ANWEB.xlsx", 5956, 337, SLOW),
    ("2017", "cms-2017/HCPC17_CONTR_ANWEB.txt", 6155, 343, SLOW),
    ("2017", "cms-2017/HCPC17_CONTR_ANWEB.xlsx", 6155, 343, SLOW),
    ("2018", "cms-2018/HCPC2018_CONTR_ANWEB_disc.txt", 6205, 354, SLOW),
    ("2018", "cms-2018/HCPC2018_CONTR_ANWEB_disc.xlsx", 6205, 354, SLOW),
    ("2019", "cms-2019/HCPC2019_CONTR_ANWEB.txt", 6440, 360, ()),
    ("2019", "cms-2019/HCPC2019_CONTR_ANWEB.xlsx", 6440, 360, ()),
    ("2020-04", "cms-2020-apr/anweb.xlsx", 6728, 369, SLOW),
    ("2020-07", "cms-2020-jul/anweb.xlsx", 6789, 369, SLOW),
    ("2020-10", "cms-2020-oct/anweb.xlsx", 6825, 371, SLOW),
    ("2023-01", "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.xlsx", 7404, 381, SLOW),
    ("2023-01", "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv", 7404, 381, ()),
]
TEXT_AND_XLSX = {release: [f for r, f, *_ in RELEASES if r == release]
                 for release in ("2016", "2017", "2018", "2019")}
# Codes whose long description goes on over a stray RECID 4 row in a table.
STRAY_ROWS = [
    pytest.param("cms-2016/HCPC2016_CONTR_ANWEB.xlsx", [], marks=SLOW),
    pytest.param("cms-2017/HCPC17_CONTR_ANWEB.xlsx", [], marks=SLOW),
    pytest.param("cms-2018/HCPC2018_CONTR_ANWEB_disc.xlsx", [], marks=SLOW),
    pytest.param("cms-2019/HCPC2019_CONTR_ANWEB.xlsx", ["G0503"]),
    pytest.param("cms-2020-apr/anweb.xlsx", ["G0503"], marks=SLOW),
    pytest.param("cms-2020-jul/anweb.xlsx", ["G0503"], marks=SLOW),
    pytest.param("cms-2020-oct/anweb.xlsx", ["G0503"], marks=SLOW),
    pytest.param("cms-2023-jan/HCPC2023_JAN_ANWEB_v3.xlsx", ["G0503"], marks=SLOW),
    pytest.param("cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv", ["G0503"]),
]

_converted: dict[tuple[str, ...], Path] = {}


@pytest.fixture(scope="session")
def convert(tmp_path_factory):
    """Converts a file under realdata once per set of options; gives its output
    folder."""

    def run(name: str, *options: str) -> Path:
        key = (name, *options)
        if key not in _converted:
            out = tmp_path_factory.mktemp("convert")
            status = main(["convert", str(REALDATA / name), "--out", str(out),
                           "--quiet", *options])
            assert status == 0, f"convert {name} exited {status}"
            _converted[key] = out
        return _converted[key]

    return run


@functools.lru_cache(maxsize=None)
def _records(out: Path) -> list[HcpcsRecord]:
    with open(out / "records.jsonl", encoding="utf-8") as lines:
        return [HcpcsRecord.from_dict(json.loads(line)) for line in lines]


def _problems(out: Path) -> list[dict]:
    with open(out / "errors.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.mark.parametrize("release, name, procedures, modifiers", [
    pytest.param(r, n, p, m, marks=mark, id=f"{r}-{n.rsplit('.', 1)[1]}")
    for r, n, p, m, mark in RELEASES
])
def test_release_gives_its_procedure_and_modifier_counts(
        realdata, convert, release, name, procedures, modifiers):
    out = convert(name)

    counts = collections.Counter(r.record_type for r in _records(out))
    assert counts == {"procedure": procedures, "modifier": modifiers}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(i["status"], i["records"]) for i in manifest["inputs"]] == [
        ("converted", procedures + modifiers)
    ]


@pytest.mark.parametrize("release", [
    pytest.param("2016", marks=SLOW), pytest.param("2017", marks=SLOW),
    pytest.param("2018", marks=SLOW), "2019",
])
def test_text_and_xlsx_differ_only_where_the_files_do(realdata, convert, release):
    text_name, xlsx_name = TEXT_AND_XLSX[release]
    expected = json.loads((FIXTURES / "cms" / "text_vs_xlsx.json").read_text())

    # Meanings filled from the code tables are the same on both sides and
    # would tie these differences to the tables' wording.
    differences = compare_records(_records(convert(text_name, "--no-fill")),
                                  _records(convert(xlsx_name, "--no-fill")))

    assert [[d.code, d.field, d.left, d.right] for d in differences] == (
        expected[release]
    )


@pytest.mark.parametrize("name, codes", STRAY_ROWS)
def test_stray_continuation_rows_are_reported(realdata, convert, name, codes):
    problems = _problems(convert(name))

    stray = [p["code"] for p in problems if "continuation row" in p["reason"]]
    assert stray == codes


def test_disclaimer_lines_are_one_warning(realdata, convert):
    problems = _problems(convert("cms-2019/HCPC2019_CONTR_ANWEB.txt"))

    passed = [p for p in problems if "not ANWEB records" in p["reason"]]
    assert [(p["line"], p["reason"]) for p in passed] == [
        (1, "lines not ANWEB records, passed over: 1-8"
            " (8 in all; first: '***Disclaimers')")
    ]


def test_processing_note_and_pricing_indicator_stay_text_in_every_output(
        realdata, convert):
    out = convert("cms-2019/HCPC2019_CONTR_ANWEB.txt")

    by_code = {r["hcpcs_code"]: r for r in _json_lines(out / "records.jsonl")}
    assert by_code["S0012"]["processing_note_number"] == "0088"
    assert by_code["S0012"]["pricing_indicators"][0]["code"] == "00"
    assert by_code["A1"]["record_type"] == "modifier"
    listed = {r["hcpcs_code"]: r
              for r in json.loads((out / "records.json").read_text())["records"]}
    assert listed["S0012"]["processing_note_number"] == "0088"
    flat = _csv_rows(out / "records.csv", "hcpcs_code")
    assert flat["S0012"]["processing_note_number"] == "0088"
    assert flat["S0012"]["pricing_indicator_1"] == "00"
    cms = _csv_rows(out / "records.cms.csv", "HCPC")
    assert (cms["S0012"]["PROCNOTE"], cms["S0012"]["PRICE1"]) == ("0088", "00")
    assert cms["A1"]["RECID"] == "7"


@SLOW
def test_whole_cms_zip_gives_the_release_once_and_reports_where_files_differ(
        realdata, tmp_path):
    out = tmp_path / "out"
    zip_path = REALDATA / "cms-2017/zips/2017-Alpha-Numeric-HCPCS-File.zip"

    status = main(["convert", str(zip_path), "--out", str(out), "--quiet"])

    assert status == 0
    counts = collections.Counter(r.record_type for r in _records(out))
    assert counts == {"procedure": 6155, "modifier": 343}
    manifest = json.loads((out / "manifest.json").read_text())
    assert {i["member"]: (i["status"], i["records"]) for i in manifest["inputs"]} == {
        "HCPC17_CONTR_ANWEB.txt": ("converted", 6498),
        "HCPC17_CONTR_ANWEB.xlsx": ("converted", 6498),
        "HCPC2017_README.txt": ("skipped", 0),
        "HCPCS2017_Trans Report_Alpha.xlsx": ("skipped", 0),
        "HCPCS2017_Trans Report_ChangesbyAction.prn": ("skipped", 0),
        "HCPCS2017_Trans Report_ChangesbyHCPC.prn": ("skipped", 0),
        "proc_notes_2017.txt": ("skipped", 0),
    }
    conflicts = [(p["code"], p["reason"].split(" differs in ")[1].split(" from")[0])
                 for p in _problems(out) if p["reason"].startswith("conflict")]
    assert conflicts == [("L5638", "action_effective_date"),
                         ("L5640", "action_effective_date"),
                         ("L5643", "action_effective_date")]


def _json_lines(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _csv_rows(path: Path, key: str) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}
