"""Reads two inputs (files, zips) and prints how their records differ, field by
field: `python tools/compare_files.py A B [--json]`.

Used to hold CMS's text file of a release against its xlsx; the expected
differences of the real releases are pinned in fixtures/cms/text_vs_xlsx.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hcpcs_extract.batch import read_all  # noqa: E402
from hcpcs_extract.compare import compare_records  # noqa: E402


def records_of(path: str) -> list:
    records = []
    for result in read_all([path]):
        if result.status == "failed":
            raise SystemExit(f"{path}: {result.reason}")
        records.extend(result.records)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("left")
    parser.add_argument("right")
    parser.add_argument("--json", action="store_true",
                        help="one JSON list of [code, field, left, right]")
    args = parser.parse_args(argv)

    differences = compare_records(records_of(args.left), records_of(args.right))
    if args.json:
        rows = [[d.code, d.field, d.left, d.right] for d in differences]
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for difference in differences:
            print(difference)
        print(f"{len(differences)} differences", file=sys.stderr)
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
