"""`convert` on small CMS releases made here: outputs keep codes as text, and a
bundle holding the text and the xlsx reports where they disagree."""

from __future__ import annotations

import csv
import json
import zipfile

from hcpcs_extract.cli import main
from hcpcs_extract.columns import CMS_COLUMNS
from tests.support.cms_release import (
    G0001,
    MODIFIER_A1,
    anweb_line,
    table_row,
    workbook_bytes,
)


def _text_release(g0001: dict) -> bytes:
    lines = [anweb_line(MODIFIER_A1), anweb_line(g0001)]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def _csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_codes_stay_text_in_every_output(tmp_path):
    source = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    source.write_bytes(_text_release(G0001))
    out = tmp_path / "out"

    assert main(["convert", str(source), "--out", str(out), "--quiet"]) == 0

    lines = [json.loads(x) for x in (out / "records.jsonl").read_text().splitlines()]
    listed = json.loads((out / "records.json").read_text())["records"]
    for records in (lines, listed):
        assert [r["hcpcs_code"] for r in records] == ["A1", "G0001"]
        g0001 = records[1]
        assert g0001["processing_note_number"] == "0088"
        assert g0001["pricing_indicators"][0]["code"] == "00"
        assert [c["code"] for c in g0001["lab_certifications"]] == ["010", "110"]
    flat = _csv(out / "records.csv")
    assert [r["hcpcs_code"] for r in flat] == ["A1", "G0001"]
    assert (flat[1]["processing_note_number"], flat[1]["pricing_indicator_1"],
            flat[1]["lab_certification_1"]) == ("0088", "00", "010")
    cms = _csv(out / "records.cms.csv")
    assert [r["HCPC"] for r in cms] == ["A1", "G0001"]
    assert (cms[1]["PROCNOTE"], cms[1]["PRICE1"], cms[1]["LABCERT1"]) == (
        "0088", "00", "010")


def test_bundle_with_text_and_xlsx_reads_both_and_reports_what_differs(tmp_path):
    xlsx_g0001 = dict(G0001, SEQNUM="0010", **{"ACT EFF DT": None})
    bundle = tmp_path / "2019-Alpha-Numeric-HCPCS-File.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("HCPC2019_CONTR_ANWEB.txt", _text_release(G0001))
        archive.writestr("HCPC2019_CONTR_ANWEB.xlsx", workbook_bytes(
            [list(CMS_COLUMNS), table_row(MODIFIER_A1), table_row(xlsx_g0001)]))
        archive.writestr("HCPC2019_README.txt", b"Read me first.\r\n")
    out = tmp_path / "out"

    assert main(["convert", str(bundle), "--out", str(out), "--quiet"]) == 0

    manifest = json.loads((out / "manifest.json").read_text())
    assert [(i["member"], i["status"], i["records"]) for i in manifest["inputs"]] == [
        ("HCPC2019_CONTR_ANWEB.txt", "converted", 2),
        ("HCPC2019_CONTR_ANWEB.xlsx", "converted", 2),
        ("HCPC2019_README.txt", "skipped", 0),
    ]
    records = (out / "records.jsonl").read_text().splitlines()
    assert len(records) == 2
    problems = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    conflicts = [p for p in problems if p["reason"].startswith("conflict")]
    assert [(p["code"], p["row"]) for p in conflicts] == [("G0001", 3)]
    assert conflicts[0]["reason"] == (
        f"conflict: G0001 differs in action_effective_date from the record in"
        f" {bundle} :: HCPC2019_CONTR_ANWEB.txt, line 2; the first is kept"
    )
