"""Hostile HTML and PDF documents. These run once the HTML and PDF readers are
registered; until then they skip, saying so."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_extract.batch import DocumentResult, Options, read_document
from hcpcs_extract.document import Document
from hcpcs_extract.inputs import Limits
from hcpcs_extract.readers import READERS


def _needs(fmt: str) -> None:
    # The hostile cases below are only meaningful with the reader registered.
    assert fmt in {reader.format for reader in READERS}, f"no {fmt} reader"


def _handled(result: DocumentResult) -> None:
    assert not any("internal error" in p.reason for p in result.problems)


def _pdf(pages: int, encrypted: bool = False) -> bytes:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.cell(text=f"A{4200 + number:04d}")
        pdf.ln()
        pdf.cell(text="HCPCS Code    " + f"A{4200 + number:04d}")
    if encrypted:
        pdf.set_encryption(owner_password="owner", user_password="user")
    return bytes(pdf.output())


def test_pdf_over_the_page_limit_fails_with_the_limit_named() -> None:
    _needs("pdf")
    options = Options(limits=Limits(max_pdf_pages=2))

    result = read_document(Document("long.pdf", _pdf(3)), options)

    assert result.status == "failed"
    assert "limit of 2" in result.reason
    _handled(result)


@pytest.mark.parametrize("how", ["encrypted", "truncated", "garbled"])
def test_broken_pdf_fails_with_a_reason(how: str) -> None:
    _needs("pdf")
    data = _pdf(2, encrypted=how == "encrypted")
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "garbled":
        data = data[:200] + bytes(range(256)) * 4 + data[1224:]

    result = read_document(Document(f"{how}.pdf", data))

    assert result.status == "failed" and result.reason
    _handled(result)


def test_html_opens_no_network_and_expands_no_external_entity(
        secret_file: Path) -> None:
    _needs("html")
    secret = secret_file
    page = (f'<!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">'
            '<!ENTITY far SYSTEM "http://127.0.0.1:9/x">]>'
            '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/s.css">'
            '</head><body><p>&leak; &far;</p><img src="http://127.0.0.1:9/p.png">'
            '<table><tr><td><i>HCPCS Code</i></td><td>A4206</td><td>&leak;</td></tr>'
            '</table></body></html>').encode()

    result = read_document(Document("hostile.html", page))

    _handled(result)
    texts = [d.text for d in result.definitions]
    texts += [r.long_description for r in result.records]
    assert not any("TOP-SECRET" in text for text in texts)


def test_html_nested_past_the_limit_fails_with_a_reason() -> None:
    _needs("html")
    depth = 20_000
    page = ("<html><body>" + "<div>" * depth + "<table><tr><td><i>HCPCS Code</i>"
            "</td><td>A4206</td></tr></table>" + "</div>" * depth
            + "</body></html>").encode()

    result = read_document(Document("deep.html", page))

    assert result.status == "failed" and result.reason
    _handled(result)


def test_html_over_the_size_limit_fails_with_the_limit_named() -> None:
    _needs("html")
    page = ("<html><body><table><tr><td><i>HCPCS Code</i></td><td>A4206</td></tr>"
            "</table><p>" + "x" * 5000 + "</p></body></html>").encode()
    options = Options(limits=Limits(max_html_bytes=1000))

    result = read_document(Document("big.html", page), options)

    assert result.status == "failed"
    assert "--max-html-bytes" in result.reason
    _handled(result)
