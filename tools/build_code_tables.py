"""Builds hcpcs_extract/data/*.json from CMS's record layouts and processing notes.

Reads `HCPCS*_recordlayout.txt` and `proc_notes_*.txt` of every release folder
under the real data (default ../shared/realdata) and writes one JSON file per
code table. Each meaning is kept with the releases that print it, so a change of
wording between releases shows as two entries for one code.

    python tools/build_code_tables.py [--realdata DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REALDATA = REPO.parent / "shared" / "realdata"
DEFAULT_OUT = REPO / "hcpcs_extract" / "data"

# Record layout field title -> (table name, canonical fields it decodes).
LAYOUT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "HCPCS Pricing Indicator Code": ("pricing_indicator", ("pricing_indicators",)),
    "HCPCS Multiple Pricing Indicator Code": (
        "multiple_pricing_indicator", ("multiple_pricing_indicator",)),
    "HCPCS Lab Certification Code": ("lab_certification", ("lab_certifications",)),
    "HCPCS Coverage Code": ("coverage", ("coverage",)),
    "HCPCS Action Code": ("action", ("action",)),
}
# Appendix table name -> (table name, canonical fields it decodes).
APPENDIX_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "BETOS_TB": ("betos", ("betos",)),
    "CMS_TYPE_SRVC_TB": ("type_of_service", ("types_of_service",)),
}

_FIELD_TITLE = re.compile(r"^\s{1,4}\d+\.\s+(\S.*?)\s*$")
_CODES_START = re.compile(r"^\s*CODES\s*:\s*$")
_ENTRY = re.compile(r"^(\s*)([0-9A-Z]{1,3})\s*=\s*(\S.*?)\s*$")
_BLOCK_END = re.compile(r"^\s*(OCCURS|DB2|SAS|STANDARD|TITLE|LENGTH|EDIT|COMMENTS)\b")
_APPENDIX_TITLE = re.compile(r"^\s?([A-Z_]+_TB)\s{2,}(\S.*?)\s*$")
_NOTE = re.compile(r"^\s*(\d{4})--(.*)$")
_RULE = re.compile(r"^\s*-{3,}\s*$")


@dataclass
class Entry:
    code: str
    words: list[str]

    @property
    def meaning(self) -> str:
        return " ".join(self.words)


def layout_lines(path: Path) -> list[str]:
    # Tabs are expanded so that indentation can tell a wrapped meaning from a
    # group heading; CMS mixes tabs and spaces in a few lines.
    text = path.read_bytes().decode("latin-1")
    return [line.expandtabs(8).rstrip() for line in text.splitlines()]


def code_entries(lines: list[str]) -> Iterator[Entry]:
    """`code = meaning` entries of one block; a meaning wraps onto lines indented
    deeper than the block's codes; a line no deeper (a group heading such as
    `Clinical Lab Fee Schedule`) ends the entry."""
    # The column most codes of the block start in: a code that CMS indented
    # with stray tabs must not change where its wrapped meaning is looked for.
    indents = Counter(len(m.group(1)) for m in map(_ENTRY.match, lines) if m)
    column = indents.most_common(1)[0][0] if indents else 0
    entry: Entry | None = None
    for line in lines:
        match = _ENTRY.match(line)
        if match:
            if entry is not None:
                yield entry
            _, code, text = match.groups()
            entry = Entry(code, text.split())
            continue

        stripped = line.strip()
        if not stripped or _RULE.match(line):
            continue
        indent = len(line) - len(line.lstrip())
        if entry is not None and indent > column:
            entry.words.extend(stripped.split())
        elif entry is not None:
            yield entry
            entry = None
    if entry is not None:
        yield entry


def layout_blocks(lines: list[str]) -> dict[str, list[str]]:
    """The lines of each field's CODES block, by field title."""
    blocks: dict[str, list[str]] = {}
    title: str | None = None
    inside = False
    for line in lines:
        field_title = _FIELD_TITLE.match(line)
        if field_title:
            title, inside = field_title.group(1), False
            continue
        if title is not None and _CODES_START.match(line):
            inside = True
            blocks[title] = []
            continue
        if inside and (_BLOCK_END.match(line) or "TABLE OF CODES" in line
                       or line.strip().startswith("***")):
            inside = False
        if inside and title is not None:
            blocks[title].append(line)
    return blocks


def appendix_blocks(lines: list[str]) -> dict[str, list[str]]:
    """The lines of each table in the layout's TABLE OF CODES APPENDIX."""
    blocks: dict[str, list[str]] = {}
    name: str | None = None
    for line in lines:
        title = _APPENDIX_TITLE.match(line)
        if title:
            name = title.group(1)
            blocks[name] = []
        elif name is not None:
            blocks[name].append(line)
    return blocks


def notes(path: Path) -> dict[str, str]:
    """Processing note number -> text; the notes file ends each line with a `*`
    in a right margin, which is not part of the text."""
    text = path.read_bytes().decode("latin-1")
    found: dict[str, list[str]] = {}
    number: str | None = None
    for raw in text.splitlines():
        line = re.sub(r"\s*\*\s*$", "", raw.expandtabs(8)).rstrip()
        match = _NOTE.match(line)
        if match:
            number = match.group(1)
            found[number] = match.group(2).split()
        elif number is not None and line.strip():
            found[number].extend(line.split())
    return {n: " ".join(words) for n, words in found.items()}


def release_of(folder: Path) -> str:
    """`cms-2019` -> `2019`; `cms-2020-apr` -> `2020-apr`."""
    return folder.name.removeprefix("cms-")


class Table:
    """One code table being gathered over releases."""

    def __init__(self, name: str, fields: tuple[str, ...], title: str,
                 source: str) -> None:
        self.name = name
        self.fields = fields
        self.title = title
        self.source = source
        self.files: list[str] = []
        self.codes: dict[str, list[dict]] = {}

    def add(self, release: str, file: str, meanings: dict[str, str]) -> None:
        self.files.append(file)
        for code, meaning in meanings.items():
            variants = self.codes.setdefault(code, [])
            for variant in variants:
                if variant["meaning"] == meaning:
                    variant["releases"].append(release)
                    break
            else:
                variants.append({"meaning": meaning, "releases": [release]})

    def to_dict(self) -> dict:
        releases = sorted({r for v in self.codes.values() for x in v
                           for r in x["releases"]})
        return {
            "table": self.name,
            "title": self.title,
            "fields": list(self.fields),
            "source": self.source,
            "files": self.files,
            "releases": releases,
            "codes": {code: self.codes[code] for code in sorted(self.codes)},
        }


def unique(entries: Iterable[Entry], where: str) -> dict[str, str]:
    meanings: dict[str, str] = {}
    for entry in entries:
        if entry.code in meanings and meanings[entry.code] != entry.meaning:
            raise SystemExit(f"{where}: code {entry.code} printed twice")
        meanings[entry.code] = entry.meaning
    return meanings


def build(realdata: Path) -> list[Table]:
    tables: dict[str, Table] = {}
    for title, (name, fields) in LAYOUT_TABLES.items():
        tables[name] = Table(name, fields, title,
                             f"CODES block of '{title}' in CMS's HCPCS record layout")
    for tb, (name, fields) in APPENDIX_TABLES.items():
        tables[name] = Table(name, fields, tb,
                             f"{tb} in the TABLE OF CODES APPENDIX of CMS's HCPCS"
                             " record layout")
    tables["processing_note"] = Table(
        "processing_note", ("processing_note_number",), "HCPCS Processing Notes",
        "CMS processing notes file (Appendix A of the HCPCS manual)")

    for folder in sorted(realdata.glob("cms-*")):
        release = release_of(folder)
        for layout in sorted(folder.glob("HCPCS*_recordlayout.txt")):
            _add_layout(tables, release, layout, realdata)
        for note_file in sorted(folder.glob("proc_notes_*.txt")):
            tables["processing_note"].add(release, _name(note_file, realdata),
                                          notes(note_file))
    return list(tables.values())


def _add_layout(tables: dict[str, Table], release: str, layout: Path,
                realdata: Path) -> None:
    lines = layout_lines(layout)
    file = _name(layout, realdata)
    blocks = layout_blocks(lines)
    for title, (name, _) in LAYOUT_TABLES.items():
        if title not in blocks:
            raise SystemExit(f"{file}: no CODES block for {title}")
        tables[name].add(release, file, unique(code_entries(blocks[title]), file))

    appendix = appendix_blocks(lines)
    for tb, (name, _) in APPENDIX_TABLES.items():
        if tb not in appendix:
            raise SystemExit(f"{file}: no {tb} in the appendix")
        tables[name].add(release, file, unique(code_entries(appendix[tb]), file))


def _name(path: Path, realdata: Path) -> str:
    return path.relative_to(realdata).as_posix()


def write(tables: list[Table], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table in tables:
        text = json.dumps(table.to_dict(), indent=1, ensure_ascii=False)
        (out / f"{table.name}.json").write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=DEFAULT_REALDATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.realdata.is_dir():
        print(f"build_code_tables: no real data at {args.realdata}", file=sys.stderr)
        return 2

    tables = build(args.realdata)
    write(tables, args.out)
    for table in tables:
        print(f"{table.name}: {len(table.codes)} codes from {len(table.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
