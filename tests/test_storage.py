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


@pytest.fixture
def read_only_data(tmp_path):
    """A data folder with an index in it, mounted read-only (skipped without privileges)."""
    import os

    from tests.conftest import BIN, copy_samples, read_only_mount

    data = tmp_path / "data"
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data), "GROUNDWORK_INGEST_WORKERS": "0"}
    docs = copy_samples(tmp_path / "docs")
    subprocess.run(
        [str(BIN / "groundwork"), "ingest", str(docs), "--collection", "company", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    with read_only_mount(data, tmp_path / "ro") as ro:
        yield ro


@pytest.mark.integration
def test_a_read_only_data_folder_still_answers_from_the_cli(read_only_data):
    import os

    from tests.conftest import BIN

    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(read_only_data)}
    asked = subprocess.run(
        [str(BIN / "groundwork"), "ask", "How many vacation days carry over?", "-c", "company"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr
    assert "5 unused vacation days" in asked.stdout
    assert "read-only" in asked.stderr  # the user is told why changes would be refused
    ingested = subprocess.run(
        [str(BIN / "groundwork"), "ingest", str(SAMPLE_DOCS), "-c", "company"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingested.returncode != 0
    assert "Traceback" not in ingested.stderr
    assert "read-only" in ingested.stderr.lower()


@pytest.mark.integration
def test_a_read_only_data_folder_is_served_for_questions_and_refuses_changes(read_only_data):
    import os

    import httpx

    from tests.conftest import start_api, stop

    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(read_only_data)}
    proc, url = start_api(env)
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            answer = client.post(
                "/ask",
                json={"question": "How many vacation days carry over?", "collection": "company"},
            )
            assert answer.status_code == 200, answer.text
            assert "5 unused vacation days" in answer.json()["answer"]
            assert client.get("/ready").json()["checks"]["data"] == "read-only"
            listed = client.get("/collections/company/documents")
            assert listed.status_code == 200 and len(listed.json()) == len(
                list(SAMPLE_DOCS.iterdir())
            )
            upload = client.post(
                "/collections/company/documents", files=[("files", ("a.txt", b"Some text."))]
            )
            removed = client.delete("/collections/company")
            job = client.post("/jobs", json={"path": "company", "collection": "company"})
            for refused in (upload, removed, job):
                assert refused.status_code == 403, refused.text
                assert "read-only" in refused.json()["detail"]
            assert client.get("/collections/company/documents").status_code == 200
    finally:
        stop(proc)
    import tempfile
    from pathlib import Path

    # the copy of the index it answered from is removed when it stops
    assert not list(Path(tempfile.gettempdir()).glob(f"groundwork-readonly-{proc.pid}-*"))
