"""Groundwork against a Chroma server started with ``chroma run`` on 127.0.0.1."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import BIN, copy_samples, free_port, stop, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.server]


@pytest.fixture
def chroma_url(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "chroma"),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/api/v2/heartbeat", 60, proc)
        yield url
    finally:
        stop(proc)


def test_ingest_and_ask_through_a_chroma_server(chroma_url, real_embeddings, tmp_path):
    from app.container import Container
    from app.settings import Settings

    docs = copy_samples(tmp_path / "docs")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url, ingest_workers=0)
    container = Container(settings, embeddings=real_embeddings)
    summary = container.ingestor.ingest_folder(docs, "company")
    assert summary.new == 5
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
    answer = container.answers.ask("How long is parental leave for non-birth parents?", "company")
    assert "10 weeks" in answer.answer
    assert answer.citations[0].page == 3
    again = Container(settings, embeddings=real_embeddings).ingestor.ingest_folder(docs, "company")
    assert again.unchanged == 5 and again.chunks_embedded == 0
