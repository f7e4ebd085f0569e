"""The ANWEB csv reader on small files made here."""

from __future__ import annotations

from hcpcs_extract.batch import read_document
from hcpcs_extract.columns import CMS_COLUMNS
from hcpcs_extract.document import Document, Report
from hcpcs_extract.readers import find_reader
from hcpcs_extract.readers.cms_csv import CmsCsvReader
from hcpcs_extract.record import Coded
from tests.support.cms_release import G0001, MODIFIER_A1, csv_text, table_row

NAME = "HCPC2023_JAN_ANWEB_v3.csv"


def _doc(rows, name: str = NAME) -> Document:
    return Document(name, csv_text(rows).encode("utf-8"))


def _read(doc: Document):
    report = Report(doc)
    return list(CmsCsvReader().read(doc, report)), report


def test_reads_codes_as_text_with_line_numbers():
    records, report = _read(_doc([CMS_COLUMNS, table_row(MODIFIER_A1),
                                  table_row(G0001)]))

    assert report.problems == []
    assert [(r.hcpcs_code, r.source.line) for r in records] == [("A1", 2),
                                                                 ("G0001", 3)]
    g0001 = records[1]
    assert g0001.processing_note_number == "0088"
    assert g0001.pricing_indicators == (Coded("00"),)
    assert g0001.lab_certifications == (Coded("010"), Coded("110"))
    assert g0001.source.format == "cms-csv"


def test_line_numbers_count_lines_inside_quoted_descriptions():
    two_lines = dict(MODIFIER_A1, **{"LONG DESCRIPTION": "Dressing for\none wound"})
    records, _ = _read(_doc([CMS_COLUMNS, table_row(two_lines), table_row(G0001)]))

    assert [r.source.line for r in records] == [2, 4]
    assert records[0].long_description == "Dressing for one wound"


def test_notes_above_the_header_are_reported():
    records, report = _read(_doc([["Note regarding coverage"], [""], CMS_COLUMNS,
                                  table_row(G0001)]))

    assert [r.source.line for r in records] == [4]
    assert [(p.line, p.reason) for p in report.problems] == [
        (1, "lines 1-2 above the header are notes, not codes; passed over"
            " (first: 'Note regarding coverage')")
    ]


def test_sniff_reads_the_header():
    reader = CmsCsvReader()

    assert reader.sniff(_doc([CMS_COLUMNS, table_row(G0001)], "x.csv")) == 2
    assert reader.sniff(_doc([["code", "text"], ["A1", "b"]], "x.csv")) == 0
    assert find_reader(_doc([CMS_COLUMNS, table_row(G0001)])).format == "cms-csv"


def test_csv_without_the_header_fails_with_the_reason():
    result = read_document(_doc([["code", "text"], ["A1", "b"]]))

    assert result.status == "failed"
    assert result.reason.startswith("no ANWEB header")
