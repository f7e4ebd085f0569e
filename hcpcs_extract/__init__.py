"""hcpcs_extract: HCPCS reference sheets and CMS releases into one canonical record
per code, written as JSON, JSON Lines and CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    HcpcsExtractError,
    InputError,
    MissingDependency,
    NoSheetFound,
    Problem,
    UnsupportedFormat,
)
from .record import Coded, HcpcsRecord, Source  # noqa: E402


def extract(path: str | Path, *, strict: bool = False) -> Iterator[HcpcsRecord]:
    """Records from one file, folder or zip, in the order the input gives them.

    Problems do not raise: use `convert` to see them, or `strict=True` to raise
    `InputError` on the first document that fails.
    """
    from .batch import Options, read_all

    for result in read_all([str(path)], Options(strict=strict)):
        if strict and result.status == "failed":
            raise InputError(f"{result.path}: {result.reason}")
        yield from result.records


def convert(inputs: Iterable[str | Path], out_dir: str | Path, **options: object):
    """Does what `hcpcs-extract convert` does; returns the batch's result."""
    from .batch import Options, merge, read_all, write_outputs

    settings = Options(**options)  # type: ignore[arg-type]
    out = Path(out_dir)
    result = merge(read_all([str(i) for i in inputs], settings, skip_dir=str(out)),
                   settings)
    write_outputs(out, result, settings)
    return result


__all__ = [
    "Coded",
    "HcpcsExtractError",
    "HcpcsRecord",
    "InputError",
    "MissingDependency",
    "NoSheetFound",
    "Problem",
    "Source",
    "UnsupportedFormat",
    "__version__",
    "convert",
    "extract",
]
