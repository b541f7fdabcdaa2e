"""A full disk is a 507 with a reason, and leaves no temporary file behind."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import SAMPLE_DOCS


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB tmpfs: room for an index of the sample documents, not for a 10 MB upload.
    Mounting needs privileges a CI machine may lack: then the test is skipped."""
    mount = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_an_upload_that_fills_the_disk_is_507_and_leaves_nothing(small_disk):
    from app.container import Container
    from app.settings import Settings
    from tests.fakes import HashingEmbeddings

    settings = Settings(data_dir=small_disk / "data", ingest_workers=0, reranker="none")
    container = Container(settings, embeddings=HashingEmbeddings())
    with TestClient(create_app(container=container)) as client:
        ok = client.post(
            "/collections/company/documents",
            files=[("files", ("faq.md", (SAMPLE_DOCS / "finance-faq.md").read_bytes()))],
        )
        assert ok.status_code == 200, ok.text
        big = ("A line of text about nothing in particular.\n" * 250_000).encode()  # 11 MB
        r = client.post("/collections/company/documents", files=[("files", ("big.txt", big))])
        assert r.status_code == 507, r.text
        assert "disk is full" in r.json()["detail"]
        uploads = small_disk / "data" / "uploads" / "company"
        assert sorted(p.name for p in uploads.iterdir()) == ["faq.md"]  # no .upload-* left
        # what was there still answers
        assert client.get("/collections/company/documents").status_code == 200
