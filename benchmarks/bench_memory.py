"""Peak memory of converting a large bundle, against reading the same zip's bytes.

Builds a zip of N markdown sheets (real records of a release, given distinct codes
so that none is a duplicate of another), then runs, each in its own process:
- baseline: open the zip and read every member's bytes;
- `hcpcs-extract convert BUNDLE --out DIR --jobs J`.
Prints wall time and the peak resident memory of each process (workers included).

    python benchmarks/bench_memory.py [--sheets 100000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_RELEASE = REPO.parent / "shared/realdata/cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv"
_READ_ZIP = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as bundle:
    print(sum(len(bundle.read(info)) > 0 for info in bundle.infolist()))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sheets", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--release", type=Path, default=DEFAULT_RELEASE)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        bundle = Path(scratch) / "bundle.zip"
        _build(bundle, args.release, args.sheets)
        rows = [
            ("read the zip's bytes", [sys.executable, "-c", _READ_ZIP, str(bundle)]),
            (f"convert --jobs {args.jobs}",
             [sys.executable, "-m", "hcpcs_extract", "convert", str(bundle),
              "--out", str(Path(scratch) / "out"), "--quiet",
              "--jobs", str(args.jobs)]),
        ]
        print(f"\n{args.sheets} sheets, {bundle.stat().st_size / 2**20:.0f} MB zip\n")
        print("| run | seconds | peak MB |")
        print("|---|---:|---:|")
        for name, command in rows:
            seconds, peak = _run(command)
            print(f"| {name} | {seconds:.1f} | {peak:.0f} |")
    return 0


def _build(bundle: Path, release: Path, count: int) -> None:
    from hcpcs_extract import extract
    from tests.support.render_markdown import render

    records = [r for r in extract(release) if r.record_type == "procedure"]
    started = time.perf_counter()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as out:
        for n in range(count):
            code = f"{chr(ord('A') + n // 10_000)}{n % 10_000:04d}"
            record = dataclasses.replace(records[n % len(records)], hcpcs_code=code)
            out.writestr(f"sheets/{code}.md", render(record, "vendor"))
    print(f"built {count} sheets in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)


_MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB. A fresh wrapper process runs the command,
    so the largest child it saw is this command's alone (ru_maxrss is in KiB)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], check=True,
                          cwd=REPO, capture_output=True, text=True)
    return time.perf_counter() - started, int(done.stdout.split()[-1]) / 1024


if __name__ == "__main__":
    raise SystemExit(main())
