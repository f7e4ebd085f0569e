"""The fixed-width ANWEB reader on small files made here."""

from __future__ import annotations

import datetime as dt

import pytest

from hcpcs_extract.batch import read_document
from hcpcs_extract.document import Document, Report
from hcpcs_extract.readers import find_reader
from hcpcs_extract.readers.cms_text import SLICES, CmsTextReader, cut_line
from hcpcs_extract.record import Coded
from tests.support.cms_release import (
    G0001,
    G0001_MORE,
    LAYOUT,
    MODIFIER_A1,
    anweb_line,
    continuation_line,
)

NAME = "HCPC2019_CONTR_ANWEB.txt"
DISCLAIMER = [
    "***Disclaimers\t\t\t\t",
    "\t\t\t",
    "*Inclusion or exclusion of a procedure does not imply coverage.\xa0\t\t",
    "",
]


def _doc(lines: list[str], name: str = NAME, named: bool = False) -> Document:
    data = "\r\n".join(lines).encode("latin-1") + b"\r\n"
    return Document(name, data, named=named)


def _release(continuation_width: int = 320) -> list[str]:
    return [
        anweb_line(MODIFIER_A1),
        anweb_line(G0001),
        continuation_line("G0001", "00200", G0001_MORE, width=continuation_width),
    ]


def _read(doc: Document):
    report = Report(doc)
    return list(CmsTextReader().read(doc, report)), report


def test_positions_match_the_record_layout():
    assert {name: (s.start + 1, s.stop - s.start) for name, s in SLICES} == LAYOUT


def test_reads_every_field_of_a_code_line_as_text_and_dates():
    records, report = _read(_doc(_release()))

    g0001 = records[1]
    assert report.problems == []
    assert g0001.hcpcs_code == "G0001"
    assert g0001.record_type == "procedure"
    assert g0001.short_description == "Drawing blood for specimen"
    assert g0001.pricing_indicators == (Coded("00"),)
    assert g0001.multiple_pricing_indicator == Coded("9")
    assert g0001.lab_certifications == (Coded("010"), Coded("110"))
    assert g0001.cross_references == ("36415",)
    assert g0001.coverage == Coded("I")
    assert g0001.processing_note_number == "0088"
    assert g0001.betos == Coded("T1H")
    assert g0001.types_of_service == (Coded("5"),)
    assert g0001.anesthesia_base_units == 0
    assert g0001.code_added_date == dt.date(1986, 1, 1)
    assert g0001.termination_date == dt.date(2005, 1, 1)
    assert g0001.action == Coded("D")
    assert g0001.extra == {}


def test_modifier_behind_three_blanks_is_a_modifier_record():
    records, _ = _read(_doc(_release()))

    assert records[0].hcpcs_code == "A1"
    assert records[0].record_type == "modifier"
    assert records[0].long_description == "Dressing for one wound"


@pytest.mark.parametrize("width", [91, 316, 320])
def test_continuation_lines_trimmed_or_padded_join_the_long_description(width):
    records, report = _read(_doc(_release(continuation_width=width)))

    assert records[1].long_description == (
        G0001["LONG DESCRIPTION"] + " " + G0001_MORE
    )
    assert report.problems == []


def test_source_names_the_line_of_the_code_line():
    records, _ = _read(_doc(DISCLAIMER + _release()))

    assert [r.source.line for r in records] == [5, 6]
    assert records[0].source.format == "cms-text"


def test_disclaimer_block_with_tabs_and_a0_bytes_is_one_warning_with_its_lines():
    records, report = _read(_doc(DISCLAIMER + _release()))

    assert len(records) == 2
    assert [p.reason for p in report.problems] == [
        "lines not ANWEB records, passed over: 1-4"
        " (4 in all; first: '***Disclaimers')"
    ]
    assert report.problems[0].line == 1


def test_blank_lines_at_the_end_are_not_reported():
    records, report = _read(_doc(_release() + ["", ""]))

    assert len(records) == 2
    assert report.problems == []


def test_a_line_of_another_shape_inside_the_data_is_reported_with_its_line():
    lines = _release()
    lines.insert(1, "garbage that is not a record")
    _, report = _read(_doc(lines))

    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "lines not ANWEB records, passed over: 2"
            " (1 in all; first: 'garbage that is not a record')")
    ]


def test_latin1_byte_in_a_record_line_is_decoded_and_reported_once():
    values = dict(G0001, **{"SHORT DESCRIPTION": "Caf\xe9 blood draw"})
    records, report = _read(_doc([anweb_line(values)]))

    assert records[0].short_description == "Caf\xe9 blood draw"
    assert [p.reason for p in report.problems] == [
        "record lines not UTF-8: 1 (first at line 1); decoded as Windows-1252"
    ]


def test_text_past_column_91_of_a_continuation_line_is_reported():
    more = continuation_line("G0001", "00200", G0001_MORE)
    more = more[:100] + "STRAY" + more[105:]
    _, report = _read(_doc([anweb_line(G0001), more]))

    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "text past column 91 not read: 'STRAY'")
    ]


def test_short_code_line_reads_as_padded_and_is_reported():
    short = anweb_line(G0001).rstrip()
    records, report = _read(_doc([short]))

    assert records[0].action == Coded("D")
    assert [p.reason for p in report.problems] == [
        "code lines shorter than 320 characters: 1 (first at line 1);"
        " read as if padded with blanks"
    ]


def test_cut_line_keys_are_cms_columns():
    row = cut_line(anweb_line(G0001))

    assert row["PROCNOTE"] == "0088"
    assert row["HCPC"] == "G0001"
    assert len(row) == len(LAYOUT)


def test_sniff_reads_content_not_the_name():
    reader = CmsTextReader()

    assert reader.sniff(_doc(DISCLAIMER + _release(), name="anything.dat")) == 2
    assert reader.sniff(_doc(["just some notes"], name="notes.txt")) == 0
    assert reader.sniff(_doc(["Read me first"], name="HCPC2019_README.txt")) == 1


@pytest.mark.parametrize("name, kind", [
    ("HCPC2019_README.txt", "a README"),
    ("HCPCS2019_recordlayout.txt", "a record layout"),
    ("proc_notes_2019.txt", "processing notes"),
    ("NOC_Codes_2019.prn", "a list of NOC codes"),
    ("HCPC2019_Corrections_ALPHA.prn", "a corrections list"),
    ("Changes_by_ActionCode.prn", "a transaction report"),
])
def test_bundle_companions_are_skipped_with_what_they_are(name, kind):
    doc = _doc(["  CMS RIF REPORT", "A0021  something else"], name=name)

    result = read_document(doc)

    assert result.status == "skipped"
    assert result.records == []
    assert result.reason == (f"{kind}, not a HCPCS release (320-character ANWEB"
                             " records not found); not read as records")


def test_named_companion_fails_like_any_file_the_user_asked_for():
    result = read_document(_doc(["Read me"], name="HCPC2019_README.txt", named=True))

    assert result.status == "failed"
    assert result.reason.startswith("a README, not a HCPCS release")


def test_release_named_file_without_records_fails_with_the_reason():
    result = read_document(_doc(["nothing here"], name=NAME))

    assert result.status == "failed"
    assert result.reason == ("no ANWEB records (320-character lines with RECID 3,"
                             f" 4, 7 or 8) in {NAME}")


def test_find_reader_picks_the_text_reader_for_a_release():
    assert find_reader(_doc(_release())).format == "cms-text"


def test_a_file_cut_inside_its_last_record_leaves_that_code_out_with_an_error():
    whole = _doc(_release()).data
    cut = Document(NAME, whole[:-150])

    result = read_document(cut)

    assert [r.hcpcs_code for r in result.records] == ["A1"]
    assert result.status == "failed"
    assert [(p.line, p.code) for p in result.problems if p.severity == "error"] == [
        (3, "G0001"),
    ]
    assert result.reason.startswith("the file ends inside line 3 (")
