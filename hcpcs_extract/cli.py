"""The `hcpcs-extract` command: parse arguments, call the library, report.

Exit status: 0 all went through, 1 some input failed (or, for `diff`, the
releases differ), 2 a usage error or a failure of the run itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .batch import CONFLICT_POLICIES, Options, merge, read_all, write_outputs
from .errors import HcpcsExtractError
from .inputs import Limits, printable_name

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command line that names something that cannot be used."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"hcpcs-extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (HcpcsExtractError, OSError) as exc:
        if args.debug:
            raise
        print(f"hcpcs-extract: {exc}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hcpcs-extract",
        description="HCPCS sheets, bundles and CMS releases into canonical records.",
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="COMMAND")
    _add_convert(commands)
    for add in _more_commands():
        add(commands)
    return parser


def _more_commands() -> list:
    """Commands that live in their own modules, each with `add_parser`."""
    from . import diff_cli, load_command

    return [load_command.add_parser, diff_cli.add_parser]


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar and no summary line")
    parser.add_argument("--debug", action="store_true",
                        help="log details and show tracebacks")


def add_limits(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    group = parser.add_argument_group(
        "limits on what is read (sizes in bytes, as whole numbers)")
    group.add_argument("--max-file-bytes", type=int,
                       default=defaults.max_file_bytes, help="size of one file")
    group.add_argument("--max-zip-bytes", type=int,
                       default=defaults.max_zip_total_bytes,
                       help="total uncompressed size of one zip")
    group.add_argument("--max-zip-ratio", type=float,
                       default=defaults.max_zip_ratio,
                       help="uncompressed size over packed size of one zip")
    group.add_argument("--max-zip-members", type=int,
                       default=defaults.max_zip_members,
                       help="members of one zip")
    group.add_argument("--max-zip-depth", type=int,
                       default=defaults.max_zip_depth, help="zips inside zips")
    group.add_argument("--max-seconds", type=float,
                       default=defaults.max_document_seconds,
                       help="time to read one document (0: no limit)")
    group.add_argument("--max-pdf-pages", type=int, default=defaults.max_pdf_pages,
                       help="pages read of one PDF")
    group.add_argument("--max-html-bytes", type=int,
                       default=defaults.max_html_bytes, help="size of one HTML page")
    group.add_argument("--max-html-depth", type=int,
                       default=defaults.max_html_depth,
                       help="nesting of elements in one HTML page")


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(
        max_file_bytes=args.max_file_bytes,
        max_zip_total_bytes=args.max_zip_bytes,
        max_zip_ratio=args.max_zip_ratio,
        max_zip_members=args.max_zip_members,
        max_zip_depth=args.max_zip_depth,
        max_document_seconds=args.max_seconds,
        max_pdf_pages=args.max_pdf_pages,
        max_html_bytes=args.max_html_bytes,
        max_html_depth=args.max_html_depth,
    )


def default_jobs() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _jobs(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _add_convert(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "convert", help="convert sheets, bundles and releases into records",
        description="Read every INPUT (files, folders, zip bundles) and write"
        " records.jsonl, records.json, records.csv, records.cms.csv, fields.json,"
        " datapackage.json, manifest.json and errors.jsonl into --out.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--out", "-o", required=True, type=Path, metavar="DIR",
                        help="folder for the outputs (made if missing)")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors")
    parser.add_argument("--no-fill", action="store_true",
                        help="keep coded values' meanings as the input prints them"
                        " (default: fill missing ones from CMS's code tables)")
    parser.add_argument("--on-conflict", choices=CONFLICT_POLICIES, default="first",
                        help="which record to keep when two inputs disagree on a"
                        " code (default: first; first and last in sorted order of"
                        " the input names)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=default_jobs(),
                        metavar="N", help="worker processes reading documents"
                        " (default: the CPU count); the output is the same for any N")
    parser.add_argument("--excel", action="store_true",
                        help="also write records.excel.csv, for opening in Excel:"
                        " codes kept as text, no cell run as a formula")
    add_limits(parser)
    add_pdf_options(parser)
    add_common(parser)
    parser.set_defaults(run=run_convert)


def add_pdf_options(parser: argparse.ArgumentParser) -> None:
    from .pdf_engines import ENGINES
    from .readers.pdf import PdfSettings

    defaults = PdfSettings()
    group = parser.add_argument_group("PDF sheets")
    group.add_argument("--pdf-engine", choices=ENGINES, default=defaults.engine,
                       help="pdfium is fast; pdfplumber is the slower reference"
                       f" (default: {defaults.engine})")


def configure_pdf(args: argparse.Namespace) -> None:
    from .readers import pdf

    pdf.configure(engine=args.pdf_engine)


def run_convert(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} exists and is not a folder")
    options = Options(strict=args.strict, on_conflict=args.on_conflict,
                      limits=limits_from(args), debug=args.debug,
                      excel=args.excel,
                      fill_descriptions=not args.no_fill)
    configure_pdf(args)

    results = read_all(args.inputs, options, skip_dir=str(args.out), jobs=args.jobs)
    with _progress(args.quiet) as bar:
        result = merge(results, options, on_result=lambda _: bar.update(1))
    write_outputs(args.out, result, options)

    for problem in result.problems:
        if problem.severity == "error" and not args.quiet:
            # Reasons quote input text, which must not steer the terminal.
            print(f"hcpcs-extract: {printable_name(str(problem))}", file=sys.stderr)
    if not args.quiet:
        print(f"hcpcs-extract: {result.summary()} -> {args.out}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_FAILED


def _progress(quiet: bool):
    from tqdm import tqdm

    return tqdm(unit="doc", desc="converting", file=sys.stderr, leave=False,
                disable=quiet or not sys.stderr.isatty())
