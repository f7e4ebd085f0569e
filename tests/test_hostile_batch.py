"""Batches with bad inputs: none stops the rest, each is accounted for, conflicts
are named, hung readers are stopped, and the output does not depend on --jobs or
on the order inputs are given in."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from hcpcs_extract import readers
from hcpcs_extract.batch import Options, read_all
from hcpcs_extract.cli import main
from hcpcs_extract.document import Document, Report
from hcpcs_extract.inputs import Limits
from hcpcs_extract.readers.markdown import MarkdownReader
from hcpcs_extract.record import HcpcsRecord
from tests.conftest import FIXTURES
from tests.support.bundles import markdown_sheet, sample_record, write_zip, zip_bytes

def _outputs(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _errors(out: Path) -> list[dict]:
    lines = (out / "errors.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _records(out: Path) -> list[HcpcsRecord]:
    return [HcpcsRecord.from_dict(json.loads(line))
            for line in (out / "records.jsonl").read_text().splitlines()]


class _Misbehaving:
    """A reader for `.hang` files that misbehaves in the way its name says."""

    format = "misbehaving"

    def __init__(self, how: str) -> None:
        self.how = how

    def sniff(self, doc: Document) -> int:
        return 2 if doc.name.endswith(".hang") else 0

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        if self.how == "sleeps":
            time.sleep(60)
        elif self.how == "ignores interrupts":
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    time.sleep(60)
                # A parser that will not stop: it swallows the interrupt.
                except BaseException:  # noqa: BLE001, S112
                    continue
        elif self.how == "dies":
            os._exit(3)
        elif self.how == "raises":
            raise KeyError("a reader bug")
        yield from ()


@pytest.fixture
def misbehaving(monkeypatch: pytest.MonkeyPatch):
    def install(how: str) -> None:
        monkeypatch.setattr(readers, "READERS", [MarkdownReader(), _Misbehaving(how)])
    return install


def _mixed_folder(root: Path) -> Path:
    root.mkdir()
    (root / "a.md").write_text(markdown_sheet(sample_record(1)))
    (root / "b.md").write_text(markdown_sheet(sample_record(2)))
    (root / "README.txt").write_text("Sheets from the vendor.\n")
    (root / "stuck.hang").write_text("anything")
    (root / "z.md").write_text(markdown_sheet(sample_record(3)))
    return root


def test_reader_bug_fails_its_document_and_the_rest_are_read(
        tmp_path: Path, misbehaving) -> None:
    misbehaving("raises")
    folder = _mixed_folder(tmp_path / "in")

    results = list(read_all([str(folder)], jobs=2))

    by_name = {r.path.rsplit("/", 1)[-1]: r for r in results}
    assert by_name["stuck.hang"].status == "failed"
    assert "internal error in the misbehaving reader: KeyError" in \
        by_name["stuck.hang"].reason
    assert [by_name[n].status for n in ("a.md", "b.md", "z.md")] == ["converted"] * 3


def test_every_input_is_in_the_manifest_with_its_status_and_reason(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(markdown_sheet(sample_record(1)))
    (folder / "README.txt").write_text("Sheets from the vendor.\n")
    (folder / "broken.md").write_bytes(b"\x00\x01\x02 not text")
    write_zip(folder / "bundle.zip", [("in-zip.md", markdown_sheet(sample_record(2))
                                       .encode()), ("logo.png", b"\x89PNG\r\n\x1a\n")])
    out = tmp_path / "out"

    status = main(["convert", str(folder), "--out", str(out), "-q", "--jobs", "2"])

    entries = [(Path(e["path"]).name, e["member"], e["status"], bool(e["reason"]))
               for e in _manifest(out)["inputs"]]
    assert status == 1
    assert entries == [
        ("README.txt", None, "skipped", True),
        ("broken.md", None, "failed", True),
        ("bundle.zip", "in-zip.md", "converted", False),
        ("bundle.zip", "logo.png", "skipped", True),
        ("good.md", None, "converted", False),
    ]


def _conflicting(root: Path) -> tuple[Path, Path, Path]:
    root.mkdir()
    base = sample_record(4)
    paths = []
    for name, text in (("a.md", "first wording"), ("b.md", "second wording"),
                       ("c.md", "third wording")):
        record = replace(base, long_description=f"Dressing, {text}, each")
        paths.append(root / name)
        paths[-1].write_text(markdown_sheet(record))
    return tuple(paths)  # type: ignore[return-value]


@pytest.mark.parametrize("policy, kept, status", [
    ("first", "Dressing, first wording, each", 0),
    ("last", "Dressing, third wording, each", 0),
    ("fail", None, 1),
])
def test_conflicting_records_are_reported_with_both_sources(
        tmp_path: Path, policy: str, kept: str | None, status: int) -> None:
    a, b, c = _conflicting(tmp_path / "in")
    out = tmp_path / "out"

    code = main(["convert", str(c), str(a), str(b), "--out", str(out), "-q",
                 "--jobs", "1", "--on-conflict", policy])

    records = _records(out)
    assert code == status
    assert [r.long_description for r in records] == ([kept] if kept else [])
    conflicts = [e for e in _errors(out) if e["reason"].startswith("conflict")]
    assert [(Path(e["path"]).name, e["code"]) for e in conflicts] == [
        ("b.md", "J0000"), ("c.md", "J0000")]
    assert conflicts[0]["reason"].startswith(
        f"conflict: J0000 differs in long_description from the record in"
        f" {a.as_posix()}, line 1; ")
    severity = "error" if policy == "fail" else "warning"
    assert {e["severity"] for e in conflicts} == {severity}


def test_identical_records_from_two_inputs_are_no_conflict(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        (folder / name).write_text(markdown_sheet(sample_record(5)))
    out = tmp_path / "out"

    code = main(["convert", str(folder), "--out", str(out), "-q", "--jobs", "1",
                 "--on-conflict", "fail"])

    assert code == 0
    [record] = _records(out)
    assert record.source.path == (folder / "a.md").as_posix()


def test_reader_that_hangs_is_stopped_and_reported(tmp_path: Path,
                                                   misbehaving) -> None:
    misbehaving("sleeps")
    folder = _mixed_folder(tmp_path / "in")
    options = Options(limits=Limits(max_document_seconds=0.5))

    started = time.monotonic()
    results = list(read_all([str(folder)], options))

    assert time.monotonic() - started < 5
    stuck = next(r for r in results if r.path.endswith("stuck.hang"))
    assert stuck.status == "failed"
    assert stuck.reason == ("stopped: reading took longer than 0.5 seconds"
                            " (--max-seconds)")
    assert sum(r.status == "converted" for r in results) == 3


def test_reader_that_will_not_stop_has_its_worker_killed(tmp_path: Path,
                                                         misbehaving) -> None:
    misbehaving("ignores interrupts")
    folder = _mixed_folder(tmp_path / "in")
    options = Options(limits=Limits(max_document_seconds=0.5))

    started = time.monotonic()
    results = list(read_all([str(folder)], options, jobs=2))

    assert time.monotonic() - started < 10
    statuses = {r.path.rsplit("/", 1)[-1]: (r.status, r.reason) for r in results}
    assert statuses["stuck.hang"] == (
        "failed", "stopped: reading took longer than 0.5 seconds (--max-seconds)")
    assert [statuses[n][0] for n in ("a.md", "b.md", "z.md")] == ["converted"] * 3


def test_worker_that_dies_fails_its_document_only(tmp_path: Path,
                                                  misbehaving) -> None:
    misbehaving("dies")
    folder = _mixed_folder(tmp_path / "in")

    results = list(read_all([str(folder)], jobs=2))

    statuses = {r.path.rsplit("/", 1)[-1]: (r.status, r.reason) for r in results}
    assert statuses["stuck.hang"] == (
        "failed", "the process reading this document died (exit status 3)")
    assert [statuses[n][0] for n in ("a.md", "b.md", "z.md")] == ["converted"] * 3


def _varied_inputs(root: Path) -> list[str]:
    """Sheets, a bundle, broken files and conflicts, as separate inputs."""
    root.mkdir()
    names = []
    for n in range(12):
        path = root / f"sheet-{n:02d}.md"
        path.write_text(markdown_sheet(sample_record(n % 9)))
        names.append(str(path))
    conflict = replace(sample_record(3), short_description="Other short text")
    (root / "conflict.md").write_text(markdown_sheet(conflict))
    (root / "junk.md").write_bytes(os.urandom(3000))
    write_zip(root / "bundle.zip", [
        (f"s/{n}.md", markdown_sheet(sample_record(20 + n)).encode())
        for n in range(30)
    ] + [("nested.zip", zip_bytes([("deep.md", markdown_sheet(sample_record(3))
                                    .encode())]))])
    names += [str(root / "conflict.md"), str(root / "junk.md"),
              str(root / "bundle.zip")]
    if FIXTURES.is_dir():
        names.append(str(FIXTURES))
    return names


def test_output_is_byte_identical_for_any_jobs_and_input_order(
        tmp_path: Path) -> None:
    inputs = _varied_inputs(tmp_path / "in")
    runs = {
        "jobs1": (inputs, "1"),
        "jobs2": (inputs, "2"),
        "jobs2-reversed": (inputs[::-1], "2"),
        "jobs3-shuffled": (inputs[1::2] + inputs[::2], "3"),
    }
    outputs = {}
    for name, (given, jobs) in runs.items():
        out = tmp_path / name
        main(["convert", *given, "--out", str(out), "-q", "--jobs", jobs])
        outputs[name] = _outputs(out)

    assert _manifest(tmp_path / "jobs1")["records"] > 30
    for name in runs:
        assert outputs[name] == outputs["jobs1"], name


def test_jobs_1_and_2_give_byte_identical_files_on_the_fixtures(
        tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"

    main(["convert", str(FIXTURES), "--out", str(one), "-q", "--jobs", "1"])
    main(["convert", str(FIXTURES), "--out", str(two), "-q", "--jobs", "2"])

    assert _manifest(one)["records"] > 0
    assert _outputs(one) == _outputs(two)


def _thousand_sheet_bundle(path: Path) -> tuple[list[HcpcsRecord], dict[str, str]]:
    """A zip of 950 good sheets and 50 broken ones; returns the good records and
    the reason each broken member should be reported with."""
    members: list[tuple[str, bytes]] = []
    good = [sample_record(n) for n in range(950)]
    members += [(f"sheets/{r.hcpcs_code}.md", markdown_sheet(r).encode())
                for r in good]
    broken: dict[str, str] = {}
    for n in range(950, 1000):
        record = sample_record(n)
        sheet = markdown_sheet(record)
        kind = n % 5
        name = f"sheets/{record.hcpcs_code}.md"
        if kind == 0:
            data = os.urandom(2000)
            broken[name] = "binary data that no reader knows"
        elif kind == 1:
            data = b""
            broken[name] = "empty file: no HCPCS sheet found"
        elif kind == 2:
            data = sheet[:sheet.index("<i>Short Description") + 8].encode()
            broken[name] = "cut-off row: '<i>Short'"
        elif kind == 3:
            data = "\n".join(line for line in sheet.splitlines()
                             if "HCPCS Code" not in line and "**" not in line
                             ).encode()
            broken[name] = "sheet without a code"
        else:
            name = f"sheets/{record.hcpcs_code}.zip"
            data = zip_bytes([("inner.md", sheet.encode())])[:-40]
            broken[name] = "corrupt or truncated zip"
        members.append((name, data))
    members.sort()
    write_zip(path, members)
    return good, broken


def test_thousand_sheet_bundle_converts_the_good_and_reports_the_broken(
        tmp_path: Path) -> None:
    bundle = tmp_path / "vendor-bundle.zip"
    good, broken = _thousand_sheet_bundle(bundle)
    out = tmp_path / "out"

    status = main(["convert", str(bundle), "--out", str(out), "-q", "--jobs", "2"])

    assert status == 1
    records = _records(out)
    assert [r.without_source() for r in records] == sorted(good, key=lambda r: r.key)
    manifest = _manifest(out)
    assert len(manifest["inputs"]) == 1000
    failed = {e["member"]: e for e in manifest["inputs"] if e["status"] != "converted"}
    assert sorted(failed) == sorted(broken)
    for member, entry in failed.items():
        assert entry["path"] == bundle.as_posix() and entry["status"] == "failed"
        assert broken[member] in entry["reason"], (member, entry["reason"])
    errors = {e["member"]: e for e in _errors(out) if e["severity"] == "error"}
    assert sorted(errors) == sorted(broken)
    assert all(e["path"] == bundle.as_posix() for e in errors.values())


class _BrokenSniff:
    format = "broken-sniff"

    def sniff(self, doc: Document) -> int:
        raise ValueError("sniffing went wrong")

    def read(self, doc: Document, report: Report) -> Iterator[HcpcsRecord]:
        yield from ()


def test_reader_whose_sniff_raises_fails_the_document_not_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "READERS", [_BrokenSniff(), MarkdownReader()])
    (tmp_path / "a.md").write_text(markdown_sheet(sample_record(1)))
    (tmp_path / "b.md").write_text(markdown_sheet(sample_record(2)))

    results = list(read_all([str(tmp_path)]))

    assert [(r.status, r.reason) for r in results] == [
        ("failed", "internal error while recognising the format: ValueError:"
                   " sniffing went wrong")] * 2
