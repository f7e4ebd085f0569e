"""Time and peak memory of diffing two full releases, against baselines.

In the same run, each in a fresh process so that its peak memory is its own:
- `read both`: every record of both releases read once and dropped (the least
  any diff must do);
- `hold both`: both releases read into lists of records, as a diff that keeps
  whole releases would;
- `diff`: `hcpcs_extract.diff.diff` (hashes first, whole records only for keys
  that differ; each side read twice).
Seconds and the maximum resident set size come from a plain run; the peak of
Python allocations from a second run under tracemalloc, which slows it too much
to time.

    python benchmarks/bench_diff.py [OLD NEW]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REALDATA = REPO.parent / "shared" / "realdata"
DEFAULT_OLD = REALDATA / "cms-2018" / "HCPC2018_CONTR_ANWEB_disc.txt"
DEFAULT_NEW = REALDATA / "cms-2019" / "HCPC2019_CONTR_ANWEB.txt"


def read_both(old: str, new: str) -> str:
    from hcpcs_extract.diff import read_side

    counts = [sum(1 for _ in read_side(side)) for side in (old, new)]
    return f"{counts[0]} + {counts[1]} records"


def hold_both(old: str, new: str) -> str:
    from hcpcs_extract.diff import read_side

    releases = [list(read_side(side)) for side in (old, new)]
    return f"{len(releases[0])} + {len(releases[1])} records held"


def run_diff(old: str, new: str) -> str:
    from hcpcs_extract.diff import diff

    summary = diff(old, new).summary()
    return (f"{summary['added']} added, {summary['removed']} removed,"
            f" {summary['changed']} changed")


MEASURES: dict[str, Callable[[str, str], str]] = {
    "read both": read_both,
    "hold both": hold_both,
    "diff": run_diff,
}


def _measure(name: str, old: str, new: str, traced: bool,
             queue: multiprocessing.Queue) -> None:
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    outcome = MEASURES[name](old, new)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((seconds, peak, rss, outcome))


def _in_process(name: str, old: str, new: str, traced: bool) -> tuple:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure,
                              args=(name, old, new, traced, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", nargs="?", default=str(DEFAULT_OLD))
    parser.add_argument("new", nargs="?", default=str(DEFAULT_NEW))
    args = parser.parse_args(argv)

    print(f"OLD {args.old}\nNEW {args.new}")
    print(f"{'measure':<10} {'seconds':>8} {'peak MiB':>9} {'max RSS MiB':>12}"
          "  outcome")
    for name in MEASURES:
        seconds, _, rss, outcome = _in_process(name, args.old, args.new, False)
        peak = _in_process(name, args.old, args.new, True)[1]
        print(f"{name:<10} {seconds:>8.2f} {peak / 2**20:>9.1f} {rss / 2**10:>12.1f}"
              f"  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
