"""Hostile and broken zip bundles: nothing escapes, nothing explodes, every member
is accounted for."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from hcpcs_extract import inputs
from hcpcs_extract.batch import read_all
from hcpcs_extract.cli import main
from hcpcs_extract.document import Document
from hcpcs_extract.inputs import Limits, Skipped, expand
from tests.support.bundles import (
    markdown_sheet,
    sample_record,
    write_zip,
    zip_bytes,
)

SHEET = markdown_sheet(sample_record(1)).encode()
OTHER = markdown_sheet(sample_record(2)).encode()


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _items(path: Path, limits: Limits | None = None) -> list[Document | Skipped]:
    return list(expand([str(path)], limits or Limits()))


def test_members_named_outside_are_read_in_memory_and_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("a zip member was extracted to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", no_extraction)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_extraction)
    work = tmp_path / "work"
    work.mkdir()
    bundle = write_zip(work / "bundle.zip", [
        ("../escaped.md", SHEET),
        ("/tmp/absolute-escape.md", OTHER),
        ("..\\..\\windows.md", markdown_sheet(sample_record(3)).encode()),
    ])
    before = _tree(tmp_path)

    status = main(["convert", str(bundle), "--out", str(work / "out"), "-q",
                   "--jobs", "1"])

    added = _tree(tmp_path) - before
    assert status == 0
    assert all(name.startswith("work/out") for name in added), added
    assert not (tmp_path / "escaped.md").exists()
    assert not Path("/tmp/absolute-escape.md").exists()
    members = [d.member for d in _items(bundle) if isinstance(d, Document)]
    assert members == ["../escaped.md", "..\\..\\windows.md",
                       "/tmp/absolute-escape.md"]


def test_symlink_member_is_skipped_not_followed(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("sheet-link.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    bundle = write_zip(tmp_path / "b.zip", [(link, b"/etc/passwd"),
                                            ("real.md", SHEET)])

    items = _items(bundle)

    assert [type(i).__name__ for i in items] == ["Document", "Skipped"]
    skipped = items[1]
    assert isinstance(skipped, Skipped)
    assert (skipped.member, skipped.status) == ("sheet-link.md", "skipped")
    assert "symbolic link" in skipped.reason


def test_zip_over_total_size_is_refused(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "b.zip", [("a.md", SHEET), ("b.md", OTHER)])

    items = _items(bundle, Limits(max_zip_total_bytes=len(SHEET) + 10))

    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert "--max-zip-bytes" in items[0].reason


def test_zip_bomb_refused_by_ratio_before_unpacking(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "bomb.zip", [("zeros.md", bytes(40 * 1024 * 1024))])

    items = _items(bundle)

    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert "--max-zip-ratio" in items[0].reason
    assert bundle.stat().st_size < 100_000


def test_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "b.zip",
                       [(f"s{n}.md", SHEET) for n in range(11)])

    items = _items(bundle, Limits(max_zip_members=10))

    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert "11 members" in items[0].reason and "--max-zip-members" in items[0].reason


def test_zips_nested_deeper_than_the_limit_are_refused(tmp_path: Path) -> None:
    inner = zip_bytes([("deep.md", SHEET)])
    for _ in range(3):
        inner = zip_bytes([("inner.zip", inner)])
    bundle = tmp_path / "nest.zip"
    bundle.write_bytes(inner)

    deep = _items(bundle, Limits(max_zip_depth=3))
    enough = _items(bundle, Limits(max_zip_depth=4))

    assert len(deep) == 1 and isinstance(deep[0], Skipped)
    assert "--max-zip-depth" in deep[0].reason
    assert deep[0].member == "inner.zip :: inner.zip :: inner.zip"
    assert [d.member for d in enough] == [
        "inner.zip :: inner.zip :: inner.zip :: deep.md"]


def test_zips_inside_zips_are_read_with_joined_member_names(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "outer.zip", [
        ("top.md", SHEET),
        ("sub/inner.zip", zip_bytes([("nested.md", OTHER)])),
    ])

    results = list(read_all([str(bundle)]))

    assert [(r.member, r.status) for r in results] == [
        ("sub/inner.zip :: nested.md", "converted"), ("top.md", "converted")]
    assert results[0].records[0].source.member == "sub/inner.zip :: nested.md"


def _lie_about_size(data: bytes, name: bytes, declared: int) -> bytes:
    """The zip with `name`'s uncompressed size set to `declared` in both headers."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04" + b"\x14\x00")
    while local != -1:
        length = struct.unpack_from("<H", patched, local + 26)[0]
        if patched[local + 30:local + 30 + length] == name:
            struct.pack_into("<I", patched, local + 22, declared)
        local = patched.find(b"PK\x03\x04", local + 4)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46:central + 46 + length] == name:
            struct.pack_into("<I", patched, central + 24, declared)
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def test_member_whose_declared_size_lies_is_not_trusted(tmp_path: Path) -> None:
    honest = zip_bytes([("big.md", b"x" * 5000), ("ok.md", SHEET)])
    bundle = tmp_path / "liar.zip"
    bundle.write_bytes(_lie_about_size(honest, b"big.md", 10))

    items = _items(bundle)

    big, ok = items
    assert isinstance(big, Skipped) and big.member == "big.md"
    assert "cannot read zip member" in big.reason
    assert isinstance(ok, Document) and ok.data == SHEET


def test_reading_stops_at_the_cap_whatever_the_stream_holds() -> None:
    endless = io.BytesIO(b"z" * 3_000_000)

    with pytest.raises(inputs._TooLarge):
        inputs._read_capped(endless, 1_000_000)

    assert endless.tell() <= 1_000_001
    assert inputs._read_capped(io.BytesIO(b"abc"), 3) == b"abc"


def test_member_over_the_document_limit_is_refused_before_reading(
        tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "big.zip", [("big.md", b"y" * 50_000),
                                              ("ok.md", SHEET)])

    items = _items(bundle, Limits(max_file_bytes=10_000))

    assert isinstance(items[0], Skipped) and items[0].member == "big.md"
    assert items[0].reason == ("document is 50000 bytes, over the limit of 10000"
                               " bytes (--max-file-bytes)")
    assert isinstance(items[1], Document)


def test_nested_zips_share_one_size_budget(tmp_path: Path) -> None:
    inner = zip_bytes([("s.md", b"w" * 4000)], zipfile.ZIP_STORED)
    bundle = write_zip(tmp_path / "b.zip",
                       [(f"in{n}.zip", inner) for n in range(3)], zipfile.ZIP_STORED)

    items = _items(bundle, Limits(max_zip_total_bytes=3 * len(inner) + 9000))

    assert [type(i).__name__ for i in items] == ["Document", "Document", "Skipped"]
    assert items[2].member == "in2.zip"
    assert "--max-zip-bytes" in items[2].reason


def test_duplicate_member_names_are_both_read_and_reported(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        bundle = write_zip(tmp_path / "dup.zip", [("sheet.md", SHEET),
                                                  ("sheet.md", OTHER)])

    results = list(read_all([str(bundle)]))

    assert [r.status for r in results] == ["converted", "converted"]
    codes = [r.records[0].hcpcs_code for r in results]
    assert codes == [sample_record(1).hcpcs_code, sample_record(2).hcpcs_code]
    notes = [p.reason for r in results for p in r.problems]
    assert notes == [
        "the zip holds 2 members named 'sheet.md'; each is read, this is number 1",
        "the zip holds 2 members named 'sheet.md'; each is read, this is number 2",
    ]


def test_member_name_not_in_utf8_is_read_and_reported(tmp_path: Path) -> None:
    name = "caf\u00e9.md"
    data = bytearray(zip_bytes([(name, SHEET)]))
    encoded = name.encode("utf-8")
    # Write the name as latin-1 bytes, unflagged, the way old zip tools did.
    latin = name.encode("latin-1") + b"_"
    assert len(latin) == len(encoded)
    data = bytearray(bytes(data).replace(encoded, latin))
    for header, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(header)
        flags = struct.unpack_from("<H", data, at + flag_at)[0]
        struct.pack_into("<H", data, at + flag_at, flags & ~0x800)
    bundle = tmp_path / "names.zip"
    bundle.write_bytes(bytes(data))

    results = list(read_all([str(bundle)]))

    assert len(results) == 1 and results[0].status == "converted"
    assert results[0].member == latin.decode("cp437")
    assert any("not marked as UTF-8" in p.reason for p in results[0].problems)


def test_member_name_flagged_utf8_but_invalid_fails_the_zip(tmp_path: Path) -> None:
    name = "bad\u00e9.md"
    data = zip_bytes([(name, SHEET)])
    broken = data.replace(name.encode("utf-8"), b"bad\xff\xfe.md")
    bundle = tmp_path / "flagged.zip"
    bundle.write_bytes(broken)

    results = list(read_all([str(bundle)]))

    assert [(r.status, r.member) for r in results] == [("failed", None)]
    assert "not UTF-8" in results[0].reason


@pytest.mark.parametrize("cut", [10, 0.5, -30])
def test_truncated_zip_fails_with_a_reason(tmp_path: Path, cut: float) -> None:
    data = zip_bytes([("a.md", SHEET), ("b.md", OTHER)])
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    bundle = tmp_path / "cut.zip"
    bundle.write_bytes(data[:end])

    results = list(read_all([str(bundle)]))

    assert results and all(r.status == "failed" for r in results)
    assert all(r.path == bundle.as_posix() and r.reason for r in results)


def test_corrupt_member_fails_alone_and_the_rest_are_read(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("a.md", SHEET), ("b.md", OTHER)]))
    start = data.find(b"PK\x03\x04") + 30 + len("a.md")
    data[start:start + 20] = bytes(range(20))
    bundle = tmp_path / "corrupt.zip"
    bundle.write_bytes(bytes(data))

    results = list(read_all([str(bundle)]))

    assert [(r.member, r.status) for r in results] == [
        ("a.md", "failed"), ("b.md", "converted")]
    assert "cannot read zip member" in results[0].reason


def test_encrypted_member_fails_with_a_reason(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("a.md", SHEET)]))
    for header, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(header)
        flags = struct.unpack_from("<H", data, at + flag_at)[0]
        struct.pack_into("<H", data, at + flag_at, flags | 0x1)
    bundle = tmp_path / "locked.zip"
    bundle.write_bytes(bytes(data))

    results = list(read_all([str(bundle)]))

    assert [(r.member, r.status) for r in results] == [("a.md", "failed")]
    assert "encrypted" in results[0].reason


def test_large_bundle_is_read_a_member_at_a_time(tmp_path: Path) -> None:
    import os
    import tracemalloc

    members = [(f"m{n:03d}.md", SHEET + os.urandom(256 * 1024)) for n in range(80)]
    bundle = write_zip(tmp_path / "large.zip", members, zipfile.ZIP_STORED)
    assert bundle.stat().st_size > 20 * 1024 * 1024

    tracemalloc.start()
    try:
        count = sum(1 for _ in expand([str(bundle)]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 80
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for a 20 MiB bundle"


def test_options_of_limits_reach_the_run(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "b.zip", [(f"s{n}.md", SHEET) for n in range(3)])
    out = tmp_path / "out"

    status = main(["convert", str(bundle), "--out", str(out), "-q", "--jobs", "1",
                   "--max-zip-members", "2"])

    assert status == 1
    manifest = (out / "manifest.json").read_text()
    assert '"max_zip_members": 2' in manifest and "--max-zip-members" in manifest


def test_member_names_with_control_characters_are_escaped(tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "b.zip", [("evil\r\x1b[2Jname.md", SHEET)])
    out = tmp_path / "out"

    status = main(["convert", str(bundle), "--out", str(out), "-q", "--jobs", "1"])

    assert status == 0
    import csv
    with open(out / "records.csv", newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["source_member"] == "evil\\u000d\\u001b[2Jname.md"
    errors = (out / "errors.jsonl").read_text()
    assert "unprintable characters; shown escaped" in errors


def test_bundle_larger_than_the_document_limit_is_read_member_by_member(
        tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "b.zip", [(f"s{n}.md", SHEET) for n in range(20)],
                       zipfile.ZIP_STORED)
    limits = Limits(max_file_bytes=len(SHEET) + 1)
    assert bundle.stat().st_size > limits.max_file_bytes

    items = _items(bundle, limits)

    assert len(items) == 20 and all(isinstance(i, Document) for i in items)
