"""Fidelity of the sheet readers against a real CMS release.

Renders every record of RELEASE as sheets in every layout of every format, reads
them back and compares field by field. Prints accuracy per format, per layout and
per field, then every mismatch.

    python tools/fidelity.py ../shared/realdata/cms-2019/HCPC2019_CONTR_ANWEB.txt
    python tools/fidelity.py RELEASE --formats pdf --sample 500
    python tools/fidelity.py RELEASE --layouts pdf/reportlab-boxed,pdf/fpdf2-zebra
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hcpcs_extract import extract  # noqa: E402
from tests.support.fidelity import (  # noqa: E402
    LayoutScore,
    format_fields,
    format_table,
    score_layout,
)
from tests.support.renderers import renderers_for  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("release", type=Path)
    parser.add_argument("--formats", default="markdown,html,pdf",
                        help="comma-separated formats (default: all)")
    parser.add_argument("--sample", type=int, default=0,
                        help="records per layout, drawn at random (default: all)")
    parser.add_argument("--layouts", default="",
                        help="comma-separated format/layout names to keep"
                        " (default: every layout)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    records = list(extract(args.release))
    print(f"{args.release}: {len(records)} records")
    scores = []
    keep = set(filter(None, args.layouts.split(",")))
    for renderer in renderers_for(args.formats.split(",")):
        if keep and renderer.name not in keep:
            continue
        chosen = _sample(records, args.sample, args.seed)
        started = time.perf_counter()
        scores.append(score_layout(renderer, chosen))
        seconds = time.perf_counter() - started
        print(f"  {renderer.name}: {len(chosen)} sheets in {seconds:.1f} s",
              file=sys.stderr)

    _report(scores)
    return 0 if all(s.identical == s.records for s in scores) else 1


def _sample(records: list, size: int, seed: int) -> list:
    if not size or size >= len(records):
        return records
    return random.Random(seed).sample(records, size)


def _report(scores: list[LayoutScore]) -> None:
    print("\n## Per format\n")
    print("| format | records | identical records | fields right |")
    print("|---|---:|---:|---:|")
    by_format: dict[str, list[LayoutScore]] = defaultdict(list)
    for score in scores:
        by_format[score.name.split("/")[0]].append(score)
    for name, group in by_format.items():
        records = sum(s.records for s in group)
        identical = sum(s.identical for s in group)
        fields = sum(s.fields for s in group)
        right = sum(s.fields_right for s in group)
        print(f"| {name} | {records} | {100 * identical / records:.2f}% |"
              f" {100 * right / fields:.2f}% |")

    print("\n## Per layout\n")
    print(format_table(scores))
    print("\n## Per field\n")
    print(format_fields(scores))
    mismatches = [m for s in scores for m in s.mismatches]
    print(f"\n## Mismatches ({len(mismatches)})\n")
    for m in mismatches:
        print(f"- {m.layout} {m.code} {m.field}: expected {m.expected!r},"
              f" got {m.got!r}")


if __name__ == "__main__":
    raise SystemExit(main())
