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


def test_a_missing_collection_and_a_stopped_server_are_told_apart(chroma_server, tmp_path):
    """ "Not found" only when Chroma says so; a server that is down is an outage."""
    from app.container import Container
    from app.settings import Settings
    from retrieval.errors import CollectionNotFoundError, StoreUnavailableError
    from tests.conftest import stop
    from tests.fakes import HashingEmbeddings

    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_server.url)
    store = Container(settings, embeddings=HashingEmbeddings()).chunk_store
    with pytest.raises(CollectionNotFoundError, match="'nowhere' does not exist"):
        store.collection("nowhere")
    stop(chroma_server.proc)
    with pytest.raises(StoreUnavailableError, match="unreachable"):
        store.collection("nowhere")
    with pytest.raises(StoreUnavailableError, match="unreachable"):
        store.delete_collection("nowhere")
