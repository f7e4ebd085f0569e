"""Property tests and fuzzing: records survive JSON and CSV round trips, and no
mutation of a sheet makes a reader raise anything but the project's own errors.

The budget is small for CI; a longer hunt is
`HCPCS_FUZZ_EXAMPLES=20000 HCPCS_FUZZ_SECONDS=600 python -m pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcpcs_extract.batch import DocumentResult, read_document
from hcpcs_extract.columns import FLAT_COLUMNS, record_from_flat, record_to_flat
from hcpcs_extract.document import Document
from hcpcs_extract.readers import READERS
from hcpcs_extract.record import (
    CODED_FIELDS,
    CODED_LIST_FIELDS,
    LIST_LIMITS,
    RECORD_TYPES,
    Coded,
    HcpcsRecord,
    Source,
)
from hcpcs_extract.writers import csv_text, dump_json, write_records_json
from tests.conftest import SEED, check_schema
from tests.support.bundles import sample_record

EXAMPLES = int(os.environ.get("HCPCS_FUZZ_EXAMPLES", "100"))
SECONDS = float(os.environ.get("HCPCS_FUZZ_SECONDS", "2"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Text as a cell holds it: an empty cell is a missing value, so values are not
# empty. A bare carriage return is left out: the CSV writer ends lines with LF and
# does not quote a lone CR, which readers never put in a value (names are escaped).
_chars = st.characters(blacklist_characters="\r", blacklist_categories=("Cs",))
_text = st.text(_chars, min_size=1, max_size=40)
_maybe_text = st.none() | _text
_coded = st.builds(Coded, code=_text, description=_maybe_text)
_date = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
_count = st.none() | st.integers(min_value=0, max_value=10**6)
_filled = st.lists(st.sampled_from(sorted(CODED_FIELDS | CODED_LIST_FIELDS)),
                   unique=True, max_size=3).map(tuple)
_source = st.none() | st.builds(
    Source, path=_text, format=_text, sha256=st.none() | st.text("0123456789abcdef",
                                                                  min_size=64,
                                                                  max_size=64),
    member=_maybe_text, line=_count, page=_count, row=_count, filled=_filled,
)


def _listed(key: str, item: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(item, max_size=LIST_LIMITS[key]).map(tuple)


records = st.builds(
    HcpcsRecord,
    hcpcs_code=_text,
    record_type=st.sampled_from(RECORD_TYPES),
    long_description=st.text(_chars, max_size=200),
    short_description=_maybe_text,
    pricing_indicators=_listed("pricing_indicators", _coded),
    multiple_pricing_indicator=st.none() | _coded,
    cim_references=_listed("cim_references", _text),
    mcm_references=_listed("mcm_references", _text),
    statute_number=_maybe_text,
    lab_certifications=_listed("lab_certifications", _coded),
    cross_references=_listed("cross_references", _text),
    coverage=st.none() | _coded,
    asc_payment_group_code=_maybe_text,
    asc_payment_group_effective_date=st.none() | _date,
    mog_payment_group_code=_maybe_text,
    mog_payment_policy_indicator=_maybe_text,
    mog_effective_date=st.none() | _date,
    processing_note_number=_maybe_text,
    betos=st.none() | _coded,
    types_of_service=_listed("types_of_service", _coded),
    anesthesia_base_units=st.none() | st.integers(min_value=0, max_value=999),
    code_added_date=st.none() | _date,
    action_effective_date=st.none() | _date,
    termination_date=st.none() | _date,
    action=st.none() | _coded,
    status=_maybe_text,
    last_update=_maybe_text,
    extra=st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4),
    source=_source,
)


@FUZZ
@given(records)
def test_record_survives_json_round_trip(record: HcpcsRecord) -> None:
    text = json.dumps(record.to_dict(), ensure_ascii=False)

    assert HcpcsRecord.from_dict(json.loads(text)) == record


@FUZZ
@given(records)
def test_record_survives_csv_round_trip(record: HcpcsRecord) -> None:
    text = csv_text(FLAT_COLUMNS, [record_to_flat(record)])

    [row] = csv.DictReader(io.StringIO(text, newline=""))

    assert record_from_flat(row) == record


@settings(max_examples=max(10, EXAMPLES // 4), deadline=None,
          suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.function_scoped_fixture])
@given(st.lists(records, max_size=3))
def test_records_json_written_a_record_at_a_time_is_the_whole_document(
        tmp_path: Path, batch: list[HcpcsRecord]) -> None:
    path = tmp_path / "records.json"

    write_records_json(path, batch, "9.9")

    assert path.read_text(encoding="utf-8") == dump_json({
        "record_schema": "record.schema.json", "tool_version": "9.9",
        "count": len(batch), "records": [r.to_dict() for r in batch],
    })


def _samples() -> dict[str, list[tuple[str, bytes]]]:
    """Sheets per format, as each renderer draws them; the seed
    sheet besides. A format whose renderer is absent is not fuzzed here, which
    the test below points out when its reader is registered."""
    from tests.support import renderers

    samples: dict[str, list[tuple[str, bytes]]] = {}
    for build in (renderers._markdown, renderers._html, renderers._pdf):
        for renderer in build()[:3]:
            data = renderer.render_many([sample_record(len(samples) + 1)])
            name = renderer.layout.replace("/", "-") + renderer.extension
            samples.setdefault(renderer.format, []).append((name, data))
    if SEED.is_file():
        samples.setdefault("markdown", []).append((SEED.name, SEED.read_bytes()))
    samples.update(_cms_samples())
    return samples


def _cms_samples() -> dict[str, list[tuple[str, bytes]]]:
    """A small CMS release in each of its file formats."""
    from hcpcs_extract.columns import CMS_COLUMNS
    from tests.support import cms_release as cms

    lines = [cms.anweb_line(cms.G0001),
             cms.continuation_line("G0001", "00200", cms.G0001_MORE),
             cms.anweb_line(cms.MODIFIER_A1)]
    rows = [list(CMS_COLUMNS), cms.table_row(cms.G0001),
            cms.table_row(cms.MODIFIER_A1)]
    return {
        "cms-text": [("HCPC2019_CONTR_ANWEB.txt", "\r\n".join(lines).encode())],
        "cms-xlsx": [("HCPC2023_JAN_ANWEB.xlsx", cms.workbook_bytes(rows))],
        "cms-csv": [("HCPC2023_JAN_ANWEB_v3.csv", cms.csv_text(rows).encode())],
    }


SAMPLES = _samples()
_NAMES = (".md", ".html", ".pdf", ".txt", ".xlsx", ".csv", "")


def _mutate(data: bytes, steps: list[tuple[int, int, int, bytes]]) -> bytes:
    buffer = bytearray(data)
    for kind, at, length, noise in steps:
        at = at % (len(buffer) + 1)
        if kind == 0:
            buffer[at:at + len(noise)] = noise
        elif kind == 1:
            buffer[at:at] = noise
        elif kind == 2:
            del buffer[at:at + length]
        elif kind == 3:
            del buffer[at:]
        else:
            buffer[at:at] = buffer[at:at + length] * 3
    return bytes(buffer)


_steps = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10**6),
                            st.integers(0, 400), st.binary(min_size=1, max_size=12)),
                  min_size=1, max_size=6)


def _assert_handled(result: DocumentResult) -> None:
    assert result.status in ("converted", "skipped", "failed")
    internal = [p for p in result.problems if "internal error" in p.reason]
    assert not internal, internal[0]
    if result.status == "failed":
        assert result.reason
    for record in result.records:
        check_schema(record)


def test_every_reader_has_fuzz_samples_or_is_named_here() -> None:
    assert {reader.format for reader in READERS} <= set(SAMPLES) | {"misbehaving"}


@FUZZ
@given(sample=st.sampled_from([s for group in SAMPLES.values() for s in group]),
       steps=_steps, suffix=st.sampled_from(_NAMES))
def test_mutated_sheets_raise_nothing_but_own_errors(
        sample: tuple[str, bytes], steps: list, suffix: str) -> None:
    name, data = sample
    doc = Document(name.rsplit(".", 1)[0] + suffix, _mutate(data, steps))

    _assert_handled(read_document(doc))


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(_NAMES))
def test_random_bytes_under_any_name_are_handled(data: bytes, suffix: str) -> None:
    _assert_handled(read_document(Document("random" + suffix, data)))


def test_mutation_fuzzer_for_its_time_budget() -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    pool = [s for group in SAMPLES.values() for s in group]
    deadline = time.monotonic() + SECONDS
    runs = 0
    while time.monotonic() < deadline:
        name, data = rng.choice(pool)
        steps = [(rng.randrange(5), rng.randrange(len(data) + 1), rng.randrange(400),
                  rng.randbytes(rng.randrange(1, 12)))
                 for _ in range(rng.randrange(1, 8))]
        stem = name.rsplit(".", 1)[0]
        doc = Document(stem + rng.choice(_NAMES), _mutate(data, steps))
        try:
            _assert_handled(read_document(doc))
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, run {runs}: {exc}") from exc
        runs += 1
    assert runs > 0
