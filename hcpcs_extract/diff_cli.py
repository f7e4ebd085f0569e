"""The `diff` command: compare two releases, as diff(1) compares files.

Exit status: 0 the releases are equal, 1 they differ, 2 an error (a side could
not be read in full, an unknown field name).
"""

from __future__ import annotations

import argparse
import sys

from .batch import Options
from .change_report import read_change_report
from .diff import COMPARABLE_FIELDS, UnknownField, diff, select_fields
from .diff_report import csv_report, json_text, markdown_report, text_report

EXIT_EQUAL, EXIT_DIFFER, EXIT_TROUBLE = 0, 1, 2

FORMATS = {
    "text": text_report,
    "json": json_text,
    "csv": csv_report,
    "markdown": markdown_report,
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    from .cli import add_common, add_limits

    parser = commands.add_parser(
        "diff", help="compare two releases record by record",
        description="Compare OLD and NEW, each anything convert reads or a folder"
        " convert wrote, by (record_type, hcpcs_code). Exit status: 0 equal,"
        " 1 different, 2 trouble.",
    )
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("--only", action="append", default=[], metavar="FIELD",
                        help="compare only this field (repeatable)")
    parser.add_argument("--ignore", action="append", default=[], metavar="FIELD",
                        help="do not compare this field (repeatable); fields: "
                        + ", ".join(COMPARABLE_FIELDS))
    parser.add_argument("--against", metavar="REPORT",
                        help="hold the derived action codes against CMS's change"
                        " report (Changes by Action Code) instead of NEW's own")
    parser.add_argument("--no-fill", action="store_true",
                        help="compare coded values' meanings as the inputs print"
                        " them (default: fill missing ones from CMS's code tables,"
                        " as convert does)")
    form = parser.add_mutually_exclusive_group()
    for name in ("json", "csv", "markdown"):
        form.add_argument(f"--{name}", dest="format", action="store_const",
                          const=name, help=f"write the diff as {name}")
    parser.set_defaults(format="text")
    add_limits(parser)
    add_common(parser)
    parser.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from .cli import UsageError, limits_from

    try:
        fields = select_fields(args.only, args.ignore)
    except UnknownField as exc:
        raise UsageError(str(exc)) from None

    against, label = None, ""
    if args.against:
        report = read_change_report(args.against)
        _tell(args, report.problems)
        against, label = report.actions, f"the change report {args.against}"

    options = Options(limits=limits_from(args), debug=args.debug,
                      fill_descriptions=not args.no_fill)
    result = diff(args.old, args.new, fields, options, against=against,
                  against_label=label)
    sys.stdout.write(FORMATS[args.format](result))

    _tell(args, result.problems)
    if result.failed:
        return EXIT_TROUBLE
    return EXIT_EQUAL if result.equal else EXIT_DIFFER


def _tell(args: argparse.Namespace, problems: list) -> None:
    for problem in problems:
        if problem.severity == "error" or not args.quiet:
            print(f"hcpcs-extract: {problem}", file=sys.stderr)
