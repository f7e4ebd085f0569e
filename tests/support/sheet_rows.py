"""The rows a vendor sheet prints for a record: test-support code shared by the
markdown, HTML and PDF renderers that make fixtures and drive the fidelity harness.

Two label styles are seen in the wild:
- `vendor`: the seed sheet's, titles of CMS's record layout without `HCPCS`, decoded
  rows labelled `... Code #1 Description`, dates as `20020101`;
- `portal`: labels prefixed `HCPCS `, decoded rows with short labels (`Pricing
  Indicator #1`), dates as `01/01/2002`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from hcpcs_extract.record import Coded, HcpcsRecord

STYLES = ("vendor", "portal")


@dataclass(frozen=True)
class SheetRow:
    label: str
    value: str
    meaning: str = ""


# Field -> (vendor label, short decoded label or None, meaning).
_FIELDS: list[tuple[str, str, str | None, str]] = [
    ("hcpcs_code", "HCPCS Code", None,
     "A code that represents a procedure, supply, product or service."),
    ("long_description", "Code Description", None,
     "Contains all text of procedure or modifier long descriptions."),
    ("short_description", "Short Description", None,
     "Short descriptive text of procedure or modifier code (28 characters or"
     " less)."),
    ("pricing_indicators", "Pricing Indicator Code #{n}", "Pricing Indicator #{n}",
     "Code used to identify the appropriate methodology for developing unique"
     " pricing amounts under part B."),
    ("multiple_pricing_indicator", "Multiple Pricing Indicator Code",
     "Multiple Pricing Indicator",
     "Code used to identify instances where a procedure could be priced under"
     " multiple methodologies."),
    ("cim_references", "Coverage Issues Manual Reference Section Number #{n}", None,
     "Number identifying the reference section of the coverage issues manual."),
    ("mcm_references", "Medicare Carriers Manual Reference Section Number #{n}",
     None,
     "Number identifying a section of the Medicare carriers manual."),
    ("statute_number", "Statute Number", None,
     "Number identifying statute reference for coverage or noncoverage of"
     " procedure or service."),
    ("lab_certifications", "Lab Certification Code #{n}", "Lab Certification #{n}",
     "Code used to classify laboratory procedures according to the specialty"
     " certification categories."),
    ("cross_references", "Cross Reference Code #{n}", None,
     "An explicit reference crosswalking a deleted code or a code that is not"
     " valid for Medicare to a valid current code."),
    ("coverage", "Coverage Code", "Coverage",
     "A code denoting Medicare coverage status."),
    ("asc_payment_group_code", "ASC Payment Group Code", None,
     "The ambulatory surgical center payment group code."),
    ("asc_payment_group_effective_date", "ASC Payment Group Effective Date", None,
     "The date the procedure is assigned to the ASC payment group."),
    ("mog_payment_group_code", "MOG Payment Group Code", None,
     "The Medicare outpatient groups payment group code."),
    ("mog_payment_policy_indicator", "MOG Payment Policy Indicator", None,
     "The Medicare outpatient groups payment policy indicator."),
    ("mog_effective_date", "MOG Effective Date", None,
     "The date the procedure is assigned to the MOG payment group."),
    ("processing_note_number", "Processing Note Number", None,
     "Number identifying the processing note contained in Appendix A of the"
     " HCPCS manual."),
    ("betos", "Berenson-Eggers Type Of Service Code",
     "Berenson-Eggers Type Of Service",
     "The Berenson-Eggers Type of Service (BETOS) for the procedure code."),
    ("types_of_service", "Type Of Service Code #{n}", "Type Of Service #{n}",
     "The carrier assigned CMS type of service which describes the particular"
     " kind(s) of service represented by the procedure code."),
    ("anesthesia_base_units", "Anesthesia Base Unit Quantity", None,
     "The base unit represents the level of intensity for anesthesia procedure"
     " services that reflects all activities except time."),
    ("code_added_date", "Code Added Date", None,
     "The year the HCPCS code was added to the Healthcare common procedure"
     " coding system."),
    ("action_effective_date", "Action Effective Date", None,
     "Effective date of action to a procedure or modifier code."),
    ("termination_date", "Termination Date", None,
     "Last date for which a procedure or modifier code may be used by Medicare"
     " providers."),
    ("action", "Action Code", "Action",
     "A code denoting the change made to a procedure or modifier code within the"
     " HCPCS system."),
    ("status", "Status", None, ""),
    ("last_update", "Last Update Date", None, ""),
]

DATE_FORMATS: dict[str, Callable[[dt.date], str]] = {
    "vendor": lambda d: d.strftime("%Y%m%d"),
    "portal": lambda d: d.strftime("%m/%d/%Y"),
}


def sheet_rows(record: HcpcsRecord, style: str = "vendor") -> list[SheetRow]:
    """Every row the sheet of `record` prints, in the vendor's order; fields the
    record leaves empty are left out, as vendors do; `extra` rows come last."""
    rows: list[SheetRow] = []
    for key, label, short, meaning in _FIELDS:
        value = getattr(record, key)
        if isinstance(value, tuple):
            for n, item in enumerate(value, start=1):
                rows.extend(_rows(label, short, meaning, item, style, n))
        elif value is not None:
            rows.extend(_rows(label, short, meaning, value, style, None))
    rows.extend(SheetRow(label, value) for label, value in record.extra.items())
    return rows


def _rows(label: str, short: str | None, meaning: str, value: object, style: str,
          n: int | None) -> list[SheetRow]:
    name = label.format(n=n) if n is not None else label
    if style == "portal" and not name.startswith("HCPCS"):
        name = f"HCPCS {name}"
    if isinstance(value, Coded):
        rows = [SheetRow(name, value.code, meaning)]
        if value.description is not None:
            rows.append(SheetRow(_decoded_label(label, short, style, n),
                                 value.description,
                                 f"Description of {label.format(n=n)}"))
        return rows
    if isinstance(value, dt.date):
        return [SheetRow(name, DATE_FORMATS[style](value), meaning)]
    return [SheetRow(name, str(value), meaning)]


def _decoded_label(label: str, short: str | None, style: str, n: int | None) -> str:
    if style == "portal" and short is not None:
        return short.format(n=n) if n is not None else short
    return f"{label.format(n=n)} Description" if n is not None else \
        f"{label} Description"
