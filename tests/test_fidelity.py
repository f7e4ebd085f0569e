"""A sample of real releases rendered in every layout and read back exactly.

`tools/fidelity.py` runs the same comparison over whole releases and prints it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hcpcs_extract import extract

from .support.fidelity import score_layout
from .support.renderers import all_renderers

RELEASES = (
    "cms-2019/HCPC2019_CONTR_ANWEB.txt",
    "cms-2023-jan/HCPC2023_JAN_ANWEB_v3.csv",
)
# Sheets per layout beyond the richest records: PDF rendering is slow, and the
# whole-release figures come from tools/fidelity.py.
SAMPLE = {"markdown": 300, "html": 300, "pdf": 6}
RICHEST = {"markdown": 20, "html": 20, "pdf": 6}


@pytest.fixture(scope="module")
def release_records() -> dict[str, list]:
    """Each release read once for all the layouts."""
    return {}


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("renderer", all_renderers(), ids=lambda r: r.name)
def test_sampled_release_reads_back_exactly(realdata: Path, release: str, renderer,
                                            release_records: dict[str, list]):
    if release not in release_records:
        release_records[release] = list(extract(realdata / release))
    records = release_records[release]
    assert len(records) > 6000
    # Always include codes with the most fields filled, then a seeded sample.
    rich = sorted(records, key=lambda r: -len(
        [v for v in r.to_dict().values() if v not in (None, [], {})]
    ))[:RICHEST[renderer.format]]
    chosen = rich + random.Random(7).sample(records, SAMPLE[renderer.format])

    score = score_layout(renderer, chosen)

    assert score.mismatches == []
    assert score.identical == score.records == len(chosen)
