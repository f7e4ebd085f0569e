"""The HTML benchmark runs and prints its table (a few sheets, not a measurement)."""

from __future__ import annotations

import pytest

from benchmarks.bench_html import main


def test_html_benchmark_prints_a_row_per_layout(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sheets", "3", "--layouts", "vendor,div_pairs"]) == 0

    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith(("| vendor", "| div_pairs"))]
    assert [row.split(" | ")[1] for row in rows] == ["3", "3"]
