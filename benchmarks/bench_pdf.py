"""PDF sheets per second per core: the project's two engines against baselines.

Renders N sheets of a real release with the test renderers (both producers,
boxed layout, one sheet a file), then times on the same files, in the same run:
- baselines: pdfplumber's word extraction, pypdfium2's text extraction;
- the project: the PDF reader with the `pdfium` engine (fast path) and with the
  `pdfplumber` engine (reference).
CPU time of this process gives the per-core rate. Ratios are what to read, since
these machines are noisy. The pdfplumber-based runs take a smaller sample.

    python benchmarks/bench_pdf.py [--release FILE] [--sample N] [--slow-sample N]
                                   [--two-page]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_RELEASE = REPO.parent / "shared/realdata/cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, default=DEFAULT_RELEASE)
    parser.add_argument("--sample", type=int, default=400,
                        help="sheets for the fast measurements")
    parser.add_argument("--slow-sample", type=int, default=60,
                        help="sheets for the pdfplumber-based measurements")
    parser.add_argument("--two-page", action="store_true",
                        help="only sheets that take two pages or more")
    args = parser.parse_args(argv)

    records = _release(args.release)
    random.Random(11).shuffle(records)
    files = []
    for record in records:
        data = _render(record, len(files))
        if not args.two_page or _page_count(data) >= 2:
            files.append(data)
        if len(files) == args.sample:
            break
    pages = sum(_page_count(data) for data in files)
    print(f"{len(files)} sheets from {args.release.name}, {pages / len(files):.2f}"
          " pages a sheet, reportlab and fpdf2 alternating, boxed layout")

    slow = files[: args.slow_sample]
    rates = {
        "pypdfium2 text (baseline)": _rate(files, _pdfium_text),
        "pdfplumber words (baseline)": _rate(slow, _plumber_words),
        "hcpcs-extract, pdfium engine": _rate(files, _reader("pdfium")),
        "hcpcs-extract, pdfplumber engine": _rate(slow, _reader("pdfplumber")),
    }
    _print(rates)
    return 0


def _release(path: Path) -> list:
    from hcpcs_extract import extract

    records = list(extract(path))
    if records:
        return records
    # Without a reader for CMS's files, the CSV's rows go straight to the core.
    from hcpcs_extract.cms_rows import normalise_header, records_from_rows
    from hcpcs_extract.document import Document, Report

    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(n, {normalise_header(k): v or "" for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(handle), start=2)]
    return list(records_from_rows(rows, Report(Document(str(path), b"")), "csv"))


def _render(record, n: int) -> bytes:
    from tests.support.render_pdf import PRODUCERS, render

    return render(record, PRODUCERS[n % len(PRODUCERS)], "boxed")


def _page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(data))


def _rate(files: list[bytes], read: Callable[[bytes, int], None]) -> float:
    started = time.process_time()
    for n, data in enumerate(files):
        read(data, n)
    return len(files) / (time.process_time() - started)


def _pdfium_text(data: bytes, _: int) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for page in pdf:
        page.get_textpage().get_text_range()
    pdf.close()


def _plumber_words(data: bytes, _: int) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_words()


def _reader(engine: str) -> Callable[[bytes, int], None]:
    from hcpcs_extract.document import Document, Report
    from hcpcs_extract.readers.pdf import PdfReader, PdfSettings

    reader = PdfReader(PdfSettings(engine=engine))

    def read(data: bytes, n: int) -> None:
        doc = Document(f"{n}.pdf", data)
        records = list(reader.read(doc, Report(doc)))
        assert len(records) == 1, f"sheet {n}: {len(records)} records"

    return read


def _print(rates: dict[str, float]) -> None:
    text = rates["pypdfium2 text (baseline)"]
    words = rates["pdfplumber words (baseline)"]
    print(f"{'':34} {'sheets/s':>9} {'/ pypdfium2':>12} {'/ pdfplumber':>13}")
    for name, rate in rates.items():
        print(f"{name:34} {rate:9.1f} {rate / text:12.2f} {rate / words:13.2f}")


if __name__ == "__main__":
    sys.exit(main())
