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
