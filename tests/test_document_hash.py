"""A document's hash is worked out once, not once per record read from it."""

from __future__ import annotations

import hashlib

import pytest

from hcpcs_extract import document
from hcpcs_extract.document import Document


def test_document_hashes_its_bytes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    sha256 = hashlib.sha256

    def counting(data: bytes):
        calls.append(len(data))
        return sha256(data)

    monkeypatch.setattr(document.hashlib, "sha256", counting)
    doc = Document("release.txt", b"x" * 1000)

    digests = {doc.sha256 for _ in range(50)}

    assert digests == {sha256(b"x" * 1000).hexdigest()}
    assert calls == [1000]
