"""HTML sheets rendered from records: test-support code for fixtures, the fidelity
harness and benchmarks.

Layouts:
- `vendor`: the seed sheet's page (bold code heading, an intro, a three-column
  table with labels in `<i>` and meanings as `<p>` HTML, a contact block);
- `portal`: a page wrapped in a layout table with navigation, scripts, styles and
  comments; a header row (`Field | Value | Meaning` in `<th>`), row labels in
  `<th>` prefixed `HCPCS `, short decoded labels, values padded with `&nbsp;`,
  meanings with `<br>` and lists;
- `definition_list`: `<dt>` label, `<dd>` value, `<dd>` meaning;
- `div_pairs`: a `<div>` per field holding label, value and meaning `<span>`s;
- `two_column`: a label / value table with no meaning column.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Iterable

from hcpcs_extract.record import HcpcsRecord

from .sheet_rows import sheet_rows

LAYOUTS = ("vendor", "portal", "definition_list", "div_pairs", "two_column")

_HEAD = (
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>{title}</title>\n{extra}</head>\n<body>\n"
)
_TAIL = "</body>\n</html>\n"
_INTRO = (
    "<h2><b>Healthcare Common Procedure Coding System</b></h2>\n"
    "<p>The Healthcare Common Procedure Coding System (HCPCS) is a collection of"
    " codes that represent procedures, supplies, products and services.</p>\n"
)
_CONTACT = (
    "<div class=\"contact\">\n<p>Contact Information for HCPCS</p>\n"
    "<p>HCPCS Email Address: <a href=\"mailto:hcpcs@example.org\">"
    "hcpcs@example.org</a></p>\n</div>\n"
)
_PORTAL_HEAD = (
    "<style>th { text-align: left } .nav a { color: #036 }</style>\n"
    "<script>var sheet = { code: \"<td>not a field</td>\" };</script>\n"
)


def render(record: HcpcsRecord, layout: str = "vendor") -> str:
    """A whole page holding the sheet of one record."""
    return render_many([record], layout)


def render_many(records: Iterable[HcpcsRecord], layout: str = "vendor") -> str:
    """A whole page holding one sheet per record, in order."""
    try:
        sheet = _SHEETS[layout]
    except KeyError:
        raise ValueError(
            f"unknown HTML layout {layout!r}; use one of {LAYOUTS}"
        ) from None
    records = list(records)
    title = escape(records[0].hcpcs_code if records else "HCPCS")
    body = "".join(sheet(record) for record in records)
    if layout == "portal":
        return _HEAD.format(title=title, extra=_PORTAL_HEAD) + _portal_frame(body)
    return _HEAD.format(title=title, extra="") + body + _TAIL


def _vendor(record: HcpcsRecord) -> str:
    rows = "".join(
        f"<tr><td><i>{escape(row.label)}</i></td><td>{escape(row.value)}</td>"
        f"<td>{_paragraphs(row.meaning)}</td></tr>\n"
        for row in sheet_rows(record, "vendor")
    )
    code = escape(record.hcpcs_code)
    return (
        f"<p class=\"code\"><b>{code}</b></p>\n"
        f"<p><b>{escape(record.long_description.upper())}</b></p>\n{_INTRO}"
        f"<p><b>{code} {escape(record.long_description)}</b></p>\n"
        f"<table class=\"sheet\">\n{rows}</table>\n{_CONTACT}"
    )


def _portal(record: HcpcsRecord) -> str:
    rows = "".join(
        f"<tr><th scope=\"row\">{escape(row.label)}</th>"
        f"<td>&nbsp;{escape(row.value)}&nbsp;</td>"
        f"<td>{_broken_lines(row.meaning)}</td></tr>\n"
        for row in sheet_rows(record, "portal")
    )
    return (
        f"<h2>HCPCS Code: {escape(record.hcpcs_code)}</h2>\n"
        "<!-- <table><tr><td>HCPCS Code</td><td>XXXXX</td></tr></table> -->\n"
        "<table class=\"fields\">\n<thead><tr><th>Field</th><th>Value</th>"
        f"<th>Meaning</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
    )


def _portal_frame(body: str) -> str:
    return (
        "<table class=\"layout\" width=\"100%\"><tr>\n"
        "<td class=\"nav\"><nav><ul><li><a href=\"/\">Home</a></li>"
        "<li><a href=\"/codes\">Codes</a></li></ul></nav>\n"
        "<table><tr><td>Code</td><td>Search</td></tr></table></td>\n"
        f"<td class=\"main\">\n{body}</td>\n</tr></table>\n"
        "<script>document.title += \" | portal\";</script>\n" + _TAIL
    )


def _definition_list(record: HcpcsRecord) -> str:
    entries = "".join(
        f"<dt>{escape(row.label)}</dt><dd>{escape(row.value)}</dd>"
        + (f"<dd>{escape(row.meaning)}</dd>" if row.meaning else "") + "\n"
        for row in sheet_rows(record, "vendor")
    )
    return (
        f"<section>\n<h1>{escape(record.hcpcs_code)}</h1>\n"
        f"<dl class=\"sheet\">\n{entries}</dl>\n</section>\n"
    )


def _div_pairs(record: HcpcsRecord) -> str:
    fields = "".join(
        f"<div class=\"field\"><span class=\"label\">{escape(row.label)}:</span>"
        f" <span class=\"value\">{escape(row.value)}</span>"
        + (f" <span class=\"meaning\">{escape(row.meaning)}</span>"
           if row.meaning else "")
        + "</div>\n"
        for row in sheet_rows(record, "portal")
    )
    return (
        f"<div class=\"sheet\">\n<h3>{escape(record.hcpcs_code)}</h3>\n"
        f"<div class=\"fields\">\n{fields}</div>\n</div>\n"
    )


def _two_column(record: HcpcsRecord) -> str:
    rows = "".join(
        f"<tr><td>{escape(row.label)}</td><td>{escape(row.value)}</td></tr>\n"
        for row in sheet_rows(record, "vendor")
    )
    return (
        f"<h2>{escape(record.hcpcs_code)}</h2>\n"
        f"<table border=\"1\">\n{rows}</table>\n"
    )


def _paragraphs(meaning: str) -> str:
    return f"<p>{escape(meaning)}</p>" if meaning else ""


def _broken_lines(meaning: str) -> str:
    # A first sentence, then the rest after a <br>, as portals print definitions.
    first, dot, rest = meaning.partition(". ")
    if not rest:
        return escape(meaning)
    return f"{escape(first + dot)}<br>{escape(rest)}"


_SHEETS: dict[str, Callable[[HcpcsRecord], str]] = {
    "vendor": _vendor,
    "portal": _portal,
    "definition_list": _definition_list,
    "div_pairs": _div_pairs,
    "two_column": _two_column,
}

