"""The `load` command: read inputs as `convert` does, or folders `convert` wrote,
and load the records into a SQLite database as one release."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, Iterator

from . import __version__
from .batch import CONFLICT_POLICIES, DocumentResult, Options, merge, read_all
from .cli import EXIT_FAILED, EXIT_OK, UsageError, add_common, add_limits, limits_from
from .converted import is_converted_folder, read_converted_folder
from .sqlite_load import ReleaseInput, load_release


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="load records into a SQLite database as one release",
        description="Read every INPUT (what convert reads, or a folder convert"
        " wrote) and load the records into --db under --release. Loading the"
        " same records under the same label again changes nothing.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--db", required=True, type=Path, metavar="PATH",
                        help="SQLite database; made when it does not exist")
    parser.add_argument("--release", required=True, metavar="LABEL",
                        help="the release's label, e.g. 2019 or 2020-04")
    parser.add_argument("--release-date", type=_iso_date, metavar="YYYY-MM-DD",
                        help="orders the release in code_history (default: the"
                        " label orders it)")
    parser.add_argument("--replace", action="store_true",
                        help="replace a release of the same label that holds"
                        " other records")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors")
    parser.add_argument("--on-conflict", choices=CONFLICT_POLICIES, default="first",
                        help="which record to keep when two inputs disagree on a"
                        " code (default: first)")
    add_limits(parser)
    add_common(parser)
    parser.set_defaults(run=run_load)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD")


def run_load(args: argparse.Namespace) -> int:
    if not args.release.strip():
        raise UsageError("--release needs a label")
    options = Options(strict=args.strict, on_conflict=args.on_conflict,
                      limits=limits_from(args), debug=args.debug)

    definitions: dict[str, Any] = {}
    result = merge(_results(args.inputs, options, definitions), options)
    for name, entry in result.dictionary.to_dict().items():
        definitions.setdefault(name, entry)
    # Errors are shown even with --quiet: unlike convert's errors.jsonl, the
    # database keeps no record of an input that could not be read.
    for problem in result.problems:
        if problem.severity == "error":
            print(f"hcpcs-extract: {problem}", file=sys.stderr)

    if not result.ok or not result.records:
        reason = "no records were read" if result.ok else "some input failed"
        print(f"hcpcs-extract: {reason}; release {args.release!r} not loaded",
              file=sys.stderr)
        return EXIT_FAILED

    outcome = load_release(
        args.db, args.release, result.records,
        inputs=_inputs(result.documents), definitions=definitions,
        release_date=args.release_date, replace=args.replace,
        tool_version=__version__,
    )
    if not args.quiet:
        print(f"hcpcs-extract: release {outcome.label!r} {outcome.status}:"
              f" {outcome.records} records -> {args.db}", file=sys.stderr)
    return EXIT_OK


def _results(inputs: list[str], options: Options,
             definitions: dict[str, Any]) -> Iterator[DocumentResult]:
    """Document results in input order; a folder `convert` wrote is one
    document, its field definitions gathered into `definitions`."""
    for given in inputs:
        if not is_converted_folder(given):
            yield from read_all([given], options)
            continue
        folder = read_converted_folder(given)
        for name, entry in folder.definitions.items():
            definitions.setdefault(name, entry)
        yield DocumentResult(folder.records_path, None, folder.sha256,
                             "hcpcs-extract output", "converted",
                             records=folder.records)


def _inputs(documents: list[DocumentResult]) -> list[ReleaseInput]:
    return [ReleaseInput(d.path, d.sha256, d.format, d.member, len(d.records))
            for d in documents if d.status == "converted"]
