"""The ANWEB workbook reader on small workbooks made here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from hcpcs_extract.batch import read_all, read_document
from hcpcs_extract.columns import CMS_COLUMNS
from hcpcs_extract.document import Document, Report
from hcpcs_extract.readers import find_reader
from hcpcs_extract.readers.cms_xlsx import CmsXlsxReader, cell_text
from hcpcs_extract.record import Coded
from tests.support.cms_release import G0001, MODIFIER_A1, table_row, workbook_bytes

NAME = "HCPC2019_CONTR_ANWEB.xlsx"
NOTES = [
    ["***Disclaimers"],
    [None],
    ["*Inclusion or exclusion of a procedure does not imply coverage."],
]


def _doc(rows, name: str = NAME, named: bool = False) -> Document:
    return Document(name, workbook_bytes(rows), named=named)


def _read(doc: Document):
    report = Report(doc)
    return list(CmsXlsxReader().read(doc, report)), report


def test_header_below_notes_is_found_and_the_notes_reported():
    rows = NOTES + [list(CMS_COLUMNS), table_row(MODIFIER_A1), table_row(G0001)]

    records, report = _read(_doc(rows))

    assert [r.hcpcs_code for r in records] == ["A1", "G0001"]
    assert [r.source.row for r in records] == [5, 6]
    assert [(p.row, p.reason) for p in report.problems] == [
        (1, "rows 1-3 above the header are notes, not codes; passed over"
            " (first: '***Disclaimers')")
    ]


def test_numbers_in_cells_become_the_text_cms_means():
    row = table_row(dict(
        G0001, SEQNUM=10, PRICE1=0, LABCERT1=10, PROCNOTE=88.0, XREF1=15030,
        ANEST_BU="  0", **{"ADD DT": 19860101, "ACT EFF DT": dt.datetime(2005, 1, 1),
                           "TERM DT": 20050101.0},
    ))
    records, report = _read(_doc([list(CMS_COLUMNS), row]))

    g0001 = records[0]
    assert report.problems == []
    assert g0001.pricing_indicators == (Coded("00"),)
    assert g0001.lab_certifications == (Coded("010"), Coded("110"))
    assert g0001.processing_note_number == "0088"
    assert g0001.cross_references == ("15030",)
    assert g0001.anesthesia_base_units == 0
    assert g0001.code_added_date == dt.date(1986, 1, 1)
    assert g0001.action_effective_date == dt.date(2005, 1, 1)
    assert g0001.termination_date == dt.date(2005, 1, 1)


@pytest.mark.parametrize("value, column, text", [
    (10.0, "STATUTE", "10"),
    (10.5, "STATUTE", "10.5"),
    (7, "RECID", "7"),
    (0, "PRICE1", "00"),
    (88, "PROCNOTE", "0088"),
    (10, "SEQNUM", "0010"),
    (20080101, "ASC_DT", "20080101"),
    (dt.datetime(2019, 1, 1), "ADD DT", "20190101"),
    ("   A1", "HCPC", "   A1"),
    (None, "COV", ""),
])
def test_cell_text(value, column, text):
    assert cell_text(value, column) == text


def test_stray_continuation_row_is_joined_and_reported():
    first = dict(G0001, **{"LONG DESCRIPTION": "Care management with the"})
    stray = {"HCPC": "G0001", "SEQNUM": "0020", "RECID": "4",
             "LONG DESCRIPTION": "goals and are prepared for discharge"}
    records, report = _read(_doc([list(CMS_COLUMNS), table_row(first),
                                  table_row(stray)]))

    assert records[0].long_description == (
        "Care management with the goals and are prepared for discharge"
    )
    assert [(p.row, p.code, p.reason) for p in report.problems] == [
        (3, "G0001", "G0001: long description continues on a continuation row"
                     " ('goals and are prepared for discharge'); joined to the"
                     " code's row")
    ]


def test_missing_and_unknown_columns_are_reported():
    header = [c for c in CMS_COLUMNS if c != "BETOS"] + ["REMARK"]
    row = [G0001.get(c) for c in header[:-1]] + ["checked"]
    records, report = _read(_doc([header, row]))

    assert records[0].betos is None
    assert records[0].extra == {"REMARK": "checked"}
    assert [p.reason for p in report.problems] == [
        "header lacks CMS columns BETOS",
        "columns not in CMS's layout kept in extra: REMARK",
    ]


TRANSACTION_REPORT = [
    ["HCPC", "ACTION CD", "SHORT DESCRIPTION", "LONG DESCRIPTION"],
    ["C9053", "ADD", "Inj, crizanlizumab-tmca", "Injection, crizanlizumab-tmca, 1 mg"],
]


def test_transaction_report_in_a_bundle_is_skipped_with_the_reason(tmp_path):
    bundle = tmp_path / "2020-April-HCPCS.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("trans_alpha.xlsx", workbook_bytes(TRANSACTION_REPORT))
        archive.writestr("anweb.xlsx", workbook_bytes(
            [list(CMS_COLUMNS), table_row(G0001)]))

    results = {r.member: r for r in read_all([str(bundle)])}

    assert results["anweb.xlsx"].status == "converted"
    assert len(results["anweb.xlsx"].records) == 1
    skipped = results["trans_alpha.xlsx"]
    assert (skipped.status, skipped.records) == ("skipped", [])
    assert skipped.reason == (
        "a transaction report, not a HCPCS release (the ANWEB header HCPC,"
        " SEQNUM, RECID not found); not read as records"
    )


def test_corrections_workbook_with_the_48_columns_reads_fine():
    doc = _doc([list(CMS_COLUMNS), table_row(G0001)],
               name="HCPC2019_Corrections_ALPHA.xlsx")

    result = read_document(doc)

    assert result.status == "converted"
    assert [r.hcpcs_code for r in result.records] == ["G0001"]


def test_sniff_looks_for_the_anweb_header_in_the_workbook():
    reader = CmsXlsxReader()
    anweb = workbook_bytes([list(CMS_COLUMNS), table_row(G0001)])
    other = workbook_bytes([["Name", "Value"], ["a", 1]])

    assert reader.sniff(Document("book.xlsx", anweb)) == 2
    assert reader.sniff(Document("book.xlsx", other)) == 0
    assert reader.sniff(Document("NOC_Codes_2019.xlsx", other)) == 1
    assert find_reader(Document("book.xlsx", anweb)).format == "cms-xlsx"


def test_broken_workbook_named_as_release_fails_with_a_reason():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    result = read_document(Document(NAME, data.getvalue()))

    assert result.status == "failed"
    assert result.reason.startswith("cannot open the workbook")
