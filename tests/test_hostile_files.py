"""Broken and odd files: each is read or refused with a reason, never a crash."""

from __future__ import annotations

import builtins
import codecs
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from hcpcs_extract.batch import Options, read_all, read_document
from hcpcs_extract.document import Document
from hcpcs_extract.inputs import Limits
from tests.support.bundles import markdown_sheet, sample_record

RECORD = sample_record(7)
SHEET = markdown_sheet(RECORD)


def _no_internal_errors(result) -> None:
    assert not any("internal error" in p.reason for p in result.problems)


@pytest.mark.parametrize("name", ["empty.md", "empty.html", "empty.pdf"])
def test_empty_file_fails_with_a_reason(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")

    [result] = read_all([str(tmp_path / name)])

    assert result.status == "failed" and result.reason
    _no_internal_errors(result)


@pytest.mark.parametrize("name", ["junk.md", "junk.html", "junk.pdf"])
def test_binary_junk_named_as_a_sheet_fails_with_a_reason(
        tmp_path: Path, name: str) -> None:
    junk = bytes(range(256)) * 64
    (tmp_path / name).write_bytes(junk)
    (tmp_path / "good.md").write_text(SHEET)

    results = {r.path.rsplit("/", 1)[-1]: r for r in read_all([str(tmp_path)])}

    assert results[name].status == "failed" and results[name].reason
    assert results["good.md"].status == "converted"
    _no_internal_errors(results[name])


@pytest.mark.parametrize("name", ["sheet.txt", "sheet.pdf", "sheet"])
def test_sheet_with_a_wrong_extension_is_read_by_its_content(
        tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(SHEET)

    [result] = read_all([str(tmp_path / name)])

    assert (result.status, result.format) == ("converted", "markdown")
    assert result.records[0].without_source() == RECORD


def test_unreadable_file_fails_and_the_batch_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom file modes do not deny reading: simulate it.
    locked = tmp_path / "locked.md"
    locked.write_text(SHEET)
    (tmp_path / "open.md").write_text(markdown_sheet(sample_record(8)))
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)

    results = list(read_all([str(tmp_path)]))

    assert [(r.path.rsplit("/", 1)[-1], r.status, r.reason) for r in results] == [
        ("locked.md", "failed", "cannot read: Permission denied"),
        ("open.md", "converted", None),
    ]


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(SHEET.encode() * 2000)

    tracemalloc.start()
    try:
        [result] = read_all([str(big)], Options(limits=Limits(max_file_bytes=10_000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.status == "failed"
    assert "over the limit of 10000 bytes (--max-file-bytes)" in result.reason
    assert peak < big.stat().st_size / 4


def test_very_long_line_is_read_in_bounded_time() -> None:
    line = "<i>" + "x" * 4_000_000
    data = (SHEET + line + "\n" + "|" + " " * 200_000 + "|\n").encode()

    started = time.monotonic()
    result = read_document(Document("long.md", data))

    assert time.monotonic() - started < 5
    assert result.status == "failed"
    _no_internal_errors(result)


def test_utf8_with_byte_order_mark_reads_cleanly() -> None:
    result = read_document(Document("bom.md", codecs.BOM_UTF8 + SHEET.encode()))

    assert result.status == "converted" and result.problems == []
    assert result.records[0].without_source() == RECORD


@pytest.mark.parametrize("encoding, text", [
    ("cp1252", "Catheter \u201cFoley\u201d type \u2013 each"),
    ("latin-1", "Cath\u00e9ter, \u00e9tui de prot\u00e8ge, each"),
    ("cp1252", "Cath\u00e9ter, \u00e9tui de prot\u00e8ge, each"),
])
def test_legacy_encodings_decode_to_the_right_letters(encoding: str,
                                                      text: str) -> None:
    record = replace(RECORD, long_description=text)
    data = markdown_sheet(record).encode(encoding)

    result = read_document(Document("legacy.md", data))

    assert result.status == "converted"
    assert result.records[0].without_source() == record
    [warning] = result.problems
    assert warning.line == 4 and warning.reason.startswith("not UTF-8")


def test_sheet_whose_code_row_is_not_a_code_gives_no_record() -> None:
    data = SHEET.replace(f"\t{RECORD.hcpcs_code}\t", "\t\x01S935\t").encode()

    result = read_document(Document("mangled.md", data))

    assert result.status == "failed" and result.records == []
    assert result.reason == "code row holds '\\x01S935', not an HCPCS code"
    assert result.problems[0].line == 3


def _with_meaning(meaning: str) -> bytes:
    return SHEET.replace("A code denoting Medicare coverage status.", meaning).encode()


def test_deeply_nested_markup_fails_with_a_reason_not_a_crash() -> None:
    limit = Limits().max_html_depth
    at_limit = _with_meaning("<b>" * limit + "deep" + "</b>" * limit)
    over = _with_meaning("<b>" * 50_000 + "deep" + "</b>" * 50_000)

    fine = read_document(Document("fine.md", at_limit))
    deep = read_document(Document("deep.md", over))

    assert fine.status == "converted"
    assert deep.status == "failed" and deep.problems[0].line == 8
    assert deep.reason == (f"HTML nested 50000 elements deep, over the limit of"
                           f" {limit} (--max-html-depth)")


def test_markup_in_sheets_opens_no_network_and_expands_no_external_entity(
        secret_file: Path) -> None:
    secret = secret_file
    hostile = (f'<!DOCTYPE p [<!ENTITY leak SYSTEM "file://{secret}">'
               '<!ENTITY far SYSTEM "http://127.0.0.1:9/x">]>'
               '<p>Coverage &leak; &far;<img src="http://127.0.0.1:9/pixel.png">'
               '<link rel="stylesheet" href="http://127.0.0.1:9/s.css"></p>')

    result = read_document(Document("hostile.md", _with_meaning(hostile)))

    assert result.status == "converted"
    texts = [d.text for d in result.definitions]
    assert not any("TOP-SECRET" in text for text in texts)


def test_links_inside_folders_are_skipped_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.md").write_text(markdown_sheet(sample_record(9)))
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "real.md").write_text(SHEET)
    (folder / "linked.md").symlink_to(outside / "private.md")
    (folder / "linked-dir").symlink_to(outside)

    results = list(read_all([str(folder)]))

    assert [(Path(r.path).name, r.status, r.reason) for r in results] == [
        ("linked-dir", "skipped", "symbolic link not followed"),
        ("linked.md", "skipped", "symbolic link not followed"),
        ("real.md", "converted", None),
    ]


def test_folder_that_cannot_be_listed_fails_with_a_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    folder = tmp_path / "bundle"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.md").write_text(SHEET)
    (folder / "open.md").write_text(SHEET)
    real_scandir = os.scandir

    def guarded(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)

    results = list(read_all([str(folder)]))

    assert [(Path(r.path).name, r.status, r.reason) for r in results] == [
        ("open.md", "converted", None),
        ("locked", "failed", "cannot list folder: Permission denied"),
    ]


def test_workbook_with_damaged_compressed_data_fails_not_raises() -> None:
    import io
    import zipfile

    from hcpcs_extract.columns import CMS_COLUMNS
    from tests.support import cms_release as cms

    data = bytearray(cms.workbook_bytes([list(CMS_COLUMNS),
                                         cms.table_row(cms.G0001)]))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for at in range(start + 10, start + info.compress_size - 10):
        data[at] ^= 0x55

    result = read_document(Document("HCPC2023_JAN_ANWEB.xlsx", bytes(data),
                                    named=True))

    assert result.status == "failed" and result.reason
    _no_internal_errors(result)


def test_release_row_whose_code_is_not_a_code_is_an_error() -> None:
    from hcpcs_extract.columns import CMS_COLUMNS
    from tests.support import cms_release as cms

    rows = [list(CMS_COLUMNS), cms.table_row(cms.G0001),
            cms.table_row({**cms.MODIFIER_A1, "HCPC": "RESSINGFORONEWOUND"})]
    data = cms.csv_text(rows).encode()

    result = read_document(Document("HCPC2023_JAN_ANWEB_v3.csv", data))

    assert [r.hcpcs_code for r in result.records] == ["G0001"]
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.line, p.reason) for p in errors] == [
        (3, "HCPC 'RESSINGFORONEWOUND' is not an HCPCS code; row left out")]


class _QuotingReader:
    """A reader whose error quotes the input raw, as any reader might."""

    format = "quoting"

    def sniff(self, doc: Document) -> int:
        return 2

    def read(self, doc: Document, report):
        from hcpcs_extract.errors import InputError

        raise InputError("unexpected text: " + doc.data.decode())
        yield


def test_reasons_quoting_input_cannot_steer_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from hcpcs_extract import readers
    from hcpcs_extract.cli import main

    monkeypatch.setattr(readers, "READERS", [_QuotingReader()])
    sheet = tmp_path / "escape.md"
    sheet.write_text("\x1b[2J\x1b]0;owned\x07")

    status = main(["convert", str(sheet), "--out", str(tmp_path / "out"),
                   "--jobs", "1"])

    err = capsys.readouterr().err
    assert status == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "unexpected text: \\u001b[2J\\u001b]0;owned\\u0007" in err
