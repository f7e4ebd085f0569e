"""Writes the PDF fixture sheets under fixtures/pdf and their golden records.

The records are the real codes of the markdown fixtures (their goldens, which
come from CMS's release); each PDF shows one case the PDF reader must handle, and
its golden is those records with the PDF as their source. Files the reader must
refuse go under fixtures/pdf/bad, with no golden.

    python tools/make_pdf_fixtures.py
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hcpcs_extract.record import HcpcsRecord, Source  # noqa: E402
from tests.support.render_pdf import render_many, sheet_pages  # noqa: E402

MARKDOWN_GOLDEN = REPO / "fixtures" / "golden" / "markdown" / "vendor"
OUT = REPO / "fixtures" / "pdf"
GOLDEN = REPO / "fixtures" / "golden" / "pdf"

# (name, producer, layout, codes): what each fixture shows is in its name.
CASES = [
    ("boxed-repeated-header-page-break", "reportlab", "boxed", ["Q0111"]),
    ("boxed-embedded-font", "fpdf2", "boxed", ["G0464"]),
    ("zebra-no-rules", "reportlab", "zebra", ["E0210"]),
    ("zebra-embedded-font", "fpdf2", "zebra", ["J7518"]),
    ("plain-no-rules-no-shading", "reportlab", "plain", ["G0124"]),
    ("plain-embedded-font", "fpdf2", "plain", ["A4216"]),
    ("portal-labels", "fpdf2", "portal", ["E0100"]),
    ("rotated-page", "reportlab", "rotated", ["G0328"]),
    ("fake-bold-drawn-twice", "reportlab", "fakebold", ["P9612"]),
    ("fake-bold-embedded-font", "fpdf2", "fakebold", ["AA"]),
    ("ligatures", "reportlab", "ligatures", ["A4611"]),
    ("ligatures-embedded-font", "fpdf2", "ligatures", ["E0970"]),
    ("letter-spaced", "reportlab", "letterspaced", ["G0431"]),
    ("letter-spaced-embedded-font", "fpdf2", "letterspaced", ["A0021"]),
    ("cells-of-a-line-in-one-text-object", "reportlab", "one-text-per-line",
     ["J7518"]),
    ("many-back-to-back", "reportlab", "boxed",
     ["A0021", "AA", "CP", "G0503", "JF", "L1", "QE"]),
    ("many-unruled-back-to-back", "fpdf2", "plain", ["A4206", "A4252", "A9527"]),
    ("many-code-per-page", "fpdf2", "paged", ["G9874", "S9357", "QE"]),
]


def main() -> None:
    records = {record.hcpcs_code: record for path in MARKDOWN_GOLDEN.glob("*.json")
               for record in _records(path)}
    for name, producer, layout, codes in CASES:
        chosen = [records[code] for code in codes]
        data = render_many(chosen, producer, layout)
        pages = sheet_pages(chosen, producer, layout)
        _write(f"{name}.pdf", data, chosen, pages)
    _write_bad(records["S9357"])


def _records(path: Path) -> list[HcpcsRecord]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [HcpcsRecord.from_dict(item).without_source() for item in data]


def _write(name: str, data: bytes, records: list[HcpcsRecord],
           pages: list[int]) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    relative = path.relative_to(REPO).as_posix()
    digest = hashlib.sha256(data).hexdigest()
    body = [replace(record, source=Source(path=relative, format="pdf",
                                          sha256=digest, page=page)).to_dict()
            for record, page in zip(records, pages)]
    target = (GOLDEN / name).with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n",
                      encoding="utf-8")


def _write_bad(record: HcpcsRecord) -> None:
    bad = OUT / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    sheet = render_many([record], "fpdf2", "boxed")
    (bad / "no-text-layer.pdf").write_bytes(_scanned())
    (bad / "encrypted.pdf").write_bytes(_encrypted(record))
    # Without ToUnicode maps the embedded font's glyphs have no text.
    (bad / "unmapped-glyphs.pdf").write_bytes(sheet.replace(b"/ToUnicode",
                                                            b"/ToUnicodX"))
    (bad / "truncated.pdf").write_bytes(sheet[: len(sheet) // 2])
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8
                                      + b"\n%%EOF\n")
    (bad / "not-a-sheet.pdf").write_bytes(_letter())
    (bad / "sideways-text.pdf").write_bytes(_letter(turned=True))


def _scanned() -> bytes:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(image).text((20, 20), "HCPCS Code S9357", fill=0)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    pdf.drawImage(ImageReader(image), 54, 500, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _encrypted(record: HcpcsRecord) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    lock = pdfencrypt.StandardEncryption("secret", canPrint=0)
    pdf = canvas.Canvas(out, encrypt=lock, invariant=1)
    pdf.drawString(54, 700, f"HCPCS Code {record.hcpcs_code}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _letter(turned: bool = False) -> bytes:
    """A page of prose; `turned`: shown a quarter turned, its text unturned, so
    that it reads sideways."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    if turned:
        pdf.setPageRotation(90)
    lines = ["Dear customer,", "", "your HCPCS bundle for 2024 is ready.",
             "Codes such as A0021 and S9357 are in it.", "", "Regards"]
    for n, line in enumerate(lines):
        pdf.drawString(72, 700 - 14 * n, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


if __name__ == "__main__":
    main()
