"""Shared test fixtures: paths, the real CMS data beside the repo, schema checks."""

from __future__ import annotations

import os
from pathlib import Path

import jsonschema
import pytest

from hcpcs_extract.record import HcpcsRecord
from hcpcs_extract.writers import load_schema

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
# The shared data (real CMS releases, the seed sheet) sits beside the repo;
# HCPCS_SHARED and HCPCS_REALDATA point elsewhere.
SHARED = Path(os.environ.get("HCPCS_SHARED") or REPO.parent / "shared")
REALDATA = Path(os.environ.get("HCPCS_REALDATA") or SHARED / "realdata")
SEED = SHARED / "seeds" / "S9357-sheet.md"

_VALIDATOR = jsonschema.Draft202012Validator(
    load_schema(), format_checker=jsonschema.FormatChecker()
)


def check_schema(record: HcpcsRecord | dict) -> None:
    """Fails the test when a record does not match the shipped JSON Schema."""
    data = record.to_dict() if isinstance(record, HcpcsRecord) else record
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors
    )


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The real CMS releases beside the repo; the test skips without them."""
    if not REALDATA.is_dir():
        pytest.skip(f"real CMS data not found at {REALDATA}")
    return REALDATA


@pytest.fixture
def seed() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed sheet not found at {SEED}")
    return SEED


@pytest.fixture(autouse=True)
def _run_in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sources in records and goldens name inputs relative to the repo root.
    monkeypatch.chdir(REPO)


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local file a hostile page may try to pull in through an external entity;
    any network connection made while the test runs fails it."""
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reader opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return secret
