"""Groundwork against a Chroma server started with ``chroma run`` on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.conftest import copy_samples

pytestmark = [pytest.mark.integration, pytest.mark.server]


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
