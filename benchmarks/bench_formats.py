"""Sheets per second per core and peak memory, per format, against baselines.

Builds a vendor bundle of a real release (one sheet a file) in each format with the
fidelity harness's renderers, then times, on the same files and in the same run:
- the project: `hcpcs_extract.convert` over the folder, one process;
- baselines: reading the bytes (markdown), `lxml.html` parsing (HTML),
  pdfplumber's word extraction and pypdfium2's text extraction (PDF), and
  markitdown converting the same files.
Each measurement runs in a fresh process so that its peak memory is its own. CPU
time, not wall time, gives the per-core rate; ratios to the baselines are what to
read, since these machines are noisy.

    python benchmarks/bench_formats.py [--release FILE] [--sample N] [--formats ...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_RELEASE = REPO.parent / "shared/realdata/cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, default=DEFAULT_RELEASE)
    parser.add_argument("--sample", type=int, default=0,
                        help="sheets per format (default: the whole release)")
    parser.add_argument("--pdf-sample", type=int, default=500,
                        help="sheets for PDF, whose baselines are slow")
    parser.add_argument("--formats", default="markdown,html,pdf")
    parser.add_argument("--markitdown", action=argparse.BooleanOptionalAction,
                        default=True, help="time markitdown too")
    args = parser.parse_args(argv)

    from hcpcs_extract import extract
    from tests.support.renderers import renderers_for

    records = list(extract(args.release))
    print(f"release {args.release.name}: {len(records)} records")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for fmt in args.formats.split(","):
            size = args.pdf_sample if fmt == "pdf" else args.sample
            chosen = _sample(records, size)
            renderer = renderers_for([fmt])[0]
            folder = Path(scratch) / fmt
            _write_bundle(folder, renderer, chosen)
            rows += _measure_format(fmt, folder, Path(scratch) / f"{fmt}-out",
                                    args.markitdown)
    _print_table(rows)
    return 0


def _sample(records: list, size: int) -> list:
    if not size or size >= len(records):
        return records
    return random.Random(11).sample(records, size)


def _write_bundle(folder: Path, renderer, records: list) -> None:
    folder.mkdir(parents=True)
    started = time.perf_counter()
    for record in records:
        data = renderer.render_many([record])
        (folder / f"{record.hcpcs_code}{renderer.extension}").write_bytes(data)
    print(f"  built {len(records)} {renderer.name} sheets in"
          f" {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _measure_format(fmt: str, folder: Path, out: Path,
                    markitdown: bool) -> list[tuple[str, str, int, float, float]]:
    jobs: list[tuple[str, Callable[[Path, Path], int]]] = [
        ("hcpcs-extract convert", _project),
    ]
    jobs += BASELINES[fmt]
    if markitdown:
        jobs.append(("markitdown", _markitdown))
    rows = []
    for name, job in jobs:
        sheets, cpu, peak = _in_child(job, folder, out)
        rows.append((fmt, name, sheets, cpu, peak))
        print(f"  {fmt} {name}: {sheets} sheets, {cpu:.2f} s CPU", file=sys.stderr)
    return rows


def _in_child(job, folder: Path, out: Path) -> tuple[int, float, float]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_timed, (job, folder, out))


def _timed(job, folder: Path, out: Path) -> tuple[int, float, float]:
    started = time.process_time()
    sheets = job(folder, out)
    cpu = time.process_time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return sheets, cpu, peak_mb


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def _project(folder: Path, out: Path) -> int:
    from hcpcs_extract import convert

    return len(convert([folder], out).records)


def _read_bytes(folder: Path, out: Path) -> int:
    return sum(1 for path in _files(folder) if path.read_bytes())


def _lxml_html(folder: Path, out: Path) -> int:
    import lxml.html

    return sum(1 for path in _files(folder)
               if lxml.html.document_fromstring(path.read_bytes()) is not None)


def _pdfplumber_words(folder: Path, out: Path) -> int:
    import pdfplumber

    count = 0
    for path in _files(folder):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
        count += 1
    return count


def _pypdfium2_text(folder: Path, out: Path) -> int:
    import pypdfium2

    count = 0
    for path in _files(folder):
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
        count += 1
    return count


def _markitdown(folder: Path, out: Path) -> int:
    from markitdown import MarkItDown

    converter = MarkItDown()
    return sum(1 for path in _files(folder)
               if converter.convert(str(path)).text_content is not None)


BASELINES: dict[str, list[tuple[str, Callable[[Path, Path], int]]]] = {
    "markdown": [("read the bytes", _read_bytes)],
    "html": [("lxml.html parse", _lxml_html)],
    "pdf": [("pdfplumber words", _pdfplumber_words),
            ("pypdfium2 text", _pypdfium2_text)],
}


def _print_table(rows: list[tuple[str, str, int, float, float]]) -> None:
    project = {fmt: sheets / cpu for fmt, name, sheets, cpu, _ in rows
               if name == "hcpcs-extract convert" and cpu}
    print("\n| format | reader | sheets | sheets/s per core | peak MB |"
          " project / this |")
    print("|---|---|---:|---:|---:|---:|")
    for fmt, name, sheets, cpu, peak in rows:
        rate = sheets / cpu if cpu else float("inf")
        ratio = project.get(fmt, 0) / rate if rate else 0
        print(f"| {fmt} | {name} | {sheets} | {rate:,.0f} | {peak:,.0f} |"
              f" {ratio:.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
