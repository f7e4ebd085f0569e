"""Writes the golden records of the HTML fixture pages, read by the reference
engine. Run from the repo root after changing a fixture, then review the diff:
a golden is only as good as the reading of it.

    python -m tools.write_html_goldens
"""

from __future__ import annotations

import sys
from pathlib import Path

from hcpcs_extract.document import Document, Report
from hcpcs_extract.errors import NoSheetFound
from hcpcs_extract.readers.html import HtmlReader
from hcpcs_extract.writers import dump_json

PAGES = Path("fixtures/html")
GOLDEN = Path("fixtures/golden/html")


def main() -> int:
    reader = HtmlReader("bs4")
    for page in sorted(PAGES.rglob("*.html")):
        doc = Document(page.as_posix(), page.read_bytes())
        try:
            records = list(reader.read(doc, Report(doc)))
        except NoSheetFound:
            continue
        target = GOLDEN / page.relative_to(PAGES).with_suffix(".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_json([r.to_dict() for r in records]), encoding="utf-8")
        sys.stdout.write(f"{target}: {len(records)} records\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
