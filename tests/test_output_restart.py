"""A run killed with SIGKILL while writing, then started again, leaves exactly the
files an uninterrupted run writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hcpcs_extract.cli import main
from tests.conftest import REPO
from tests.support.bundles import markdown_sheet, sample_record

# Runs the CLI in a child that kills itself with SIGKILL at the chosen moment of
# writing: after `after` files are in place, or in the middle of the next one.
_KILLER = """
import os, signal, sys
from hcpcs_extract import writers
after, moment = int(sys.argv[1]), sys.argv[2]
done = 0
real_replace, real_fsync = os.replace, os.fsync

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def replace(src, dst):
    global done
    if done == after and moment == "before-rename":
        kill()
    real_replace(src, dst)
    done += 1

def fsync(fd):
    if done == after and moment == "mid-write":
        os.write(fd, b"half a line")
        kill()
    real_fsync(fd)

writers.os.replace = replace
writers.os.fsync = fsync
from hcpcs_extract.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _folder(root: Path, numbers: range) -> Path:
    root.mkdir()
    for n in numbers:
        (root / f"s{n:03d}.md").write_text(markdown_sheet(sample_record(n)))
    (root / "junk.md").write_bytes(b"\x00junk")
    return root


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("after, moment", [
    (3, "mid-write"), (6, "before-rename"),
])
def test_run_killed_while_writing_then_rerun_matches_an_unbroken_run(
        tmp_path: Path, after: int, moment: str) -> None:
    inputs = _folder(tmp_path / "in", range(20))
    old_inputs = _folder(tmp_path / "old", range(100, 105))
    clean, out = tmp_path / "clean", tmp_path / "out"
    args = ["convert", str(inputs), "--out", str(out), "-q", "--jobs", "1"]
    main(["convert", str(inputs), "--out", str(clean), "-q", "--jobs", "1"])
    main(["convert", str(old_inputs), "--out", str(out), "-q", "--jobs", "1"])

    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, str(after), moment, *args], cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, check=False,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    assert _files(out) != _files(clean)
    main(args)

    assert _files(out) == _files(clean)
