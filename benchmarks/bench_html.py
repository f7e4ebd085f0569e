"""Sheets per second for HTML: lxml.html's bare parse as the baseline, then the
reader on its reference engine (bs4 over lxml) and its fast engine (lxml), timed
side by side in one run on the same pages, with ratios to the baseline.

Pages come from the project's renderers, one sheet a page as vendor bundles have
them, from the records of CMS's 2023 release when ../shared is there, otherwise
from the golden records under fixtures/. CPU time of this one process: sheets per
second per core; each measure runs `--repeat` times in turn and the fastest run
counts, as other work on the machine only ever slows a run down.

    python -m benchmarks.bench_html [--sheets 3000] [--layouts vendor,portal]
                                    [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Callable

import lxml.html

from hcpcs_extract.cms_rows import normalise_header, records_from_rows
from hcpcs_extract.document import Document, Report
from hcpcs_extract.readers.html import HtmlReader
from hcpcs_extract.record import HcpcsRecord
from tests.support.render_html import LAYOUTS, render

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO.parent / "shared" / "realdata" / "cms-2023-jan" / \
    "HCPC2023_JAN_ANWEB_v3.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sheets", type=int, default=3000,
                        help="pages per layout (default 3000)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measure; the fastest counts (default 3)")
    args = parser.parse_args(argv)

    records, origin = _records()
    print(f"# HTML sheets per second per core ({origin}; best of"
          f" {args.repeat})\n")
    print("| layout | sheets | lxml.html parse | bs4 engine | fast engine |"
          " bs4 / parse | fast / parse | fast / bs4 |")
    print("|---|---|---|---|---|---|---|---|")
    for layout in args.layouts.split(","):
        pages = [render(r, layout).encode("utf-8")
                 for r in islice(cycle(records), args.sheets)]
        jobs = (_parse, _reader("bs4"), _reader("lxml"))
        # Measures take turns, so a burst of load on a shared machine is less
        # likely to fall on one of them only.
        best = [0.0, 0.0, 0.0]
        for _ in range(args.repeat):
            for n, job in enumerate(jobs):
                best[n] = max(best[n], _rate(pages, job))
        parse, soup, fast = best
        print(f"| {layout} | {len(pages)} | {parse:,.0f} | {soup:,.0f} |"
              f" {fast:,.0f} | {soup / parse:.3f} | {fast / parse:.3f} |"
              f" {fast / soup:.1f} |", flush=True)
    return 0


def _records() -> tuple[list[HcpcsRecord], str]:
    if RELEASE.is_file():
        doc = Document(str(RELEASE), RELEASE.read_bytes())
        rows = csv.reader(io.StringIO(doc.data.decode("utf-8", errors="replace")))
        header = [normalise_header(name) for name in next(rows)]
        numbered = ((n, dict(zip(header, row))) for n, row in enumerate(rows, 2))
        records = list(records_from_rows(numbered, Report(doc), "csv"))
        return records, f"{len(records):,} records of CMS's 2023 release"
    records = []
    for path in sorted((REPO / "fixtures" / "golden").rglob("*.json")):
        records.extend(HcpcsRecord.from_dict(d)
                       for d in json.loads(path.read_text("utf-8")))
    return records, f"{len(records)} golden fixture records"


def _parse(page: bytes) -> None:
    lxml.html.document_fromstring(page)


def _reader(engine: str) -> Callable[[bytes], None]:
    reader = HtmlReader(engine)

    def read(page: bytes) -> None:
        doc = Document("sheet.html", page)
        for _ in reader.read(doc, Report(doc)):
            pass

    return read


def _rate(pages: list[bytes], job: Callable[[bytes], None]) -> float:
    started = time.process_time()
    for page in pages:
        job(page)
    return len(pages) / (time.process_time() - started)


if __name__ == "__main__":
    sys.exit(main())
