"""The support model's sentence cache, filled at start-up for a small collection."""

from __future__ import annotations

from langchain_core.documents import Document

from retrieval.answer.support import SupportScorer
from tests.fakes import HashingEmbeddings

CHUNKS = [
    Document(
        page_content="Up to five unused vacation days carry over. The rest lapse in March.",
        metadata={"source": "handbook.pdf"},
    ),
    Document(
        page_content="Parental leave lasts sixteen weeks for every parent. Pay is full.",
        metadata={"source": "leave.md"},
    ),
]


def test_a_small_collection_is_embedded_once_and_answers_find_it_cached():
    embeddings = HashingEmbeddings()
    scorer = SupportScorer(embeddings)
    assert scorer.prefill(CHUNKS) == 4
    before = len(embeddings.seen)
    ranked = scorer.rank_for_question("How many vacation days carry over?", CHUNKS)
    assert ranked and "vacation days carry over" in ranked[0].text
    # the answer embedded its question only: every sentence came from the cache
    assert embeddings.seen[before:] == ["How many vacation days carry over?"]


def test_a_collection_larger_than_half_the_cache_is_left_alone():
    embeddings = HashingEmbeddings()
    scorer = SupportScorer(embeddings)
    scorer.cache_size = 6  # the two chunks hold four sentences: more than half
    assert scorer.prefill(CHUNKS) == 0
    assert embeddings.seen == []


def test_the_api_warm_up_embeds_a_small_collections_sentences_before_ready(settings, tmp_path):
    """The first answer after start-up finds its sentences cached, as the tenth would."""
    import re
    import time

    from fastapi.testclient import TestClient

    from app.api import create_app
    from app.container import Container
    from tests.conftest import copy_samples

    support = HashingEmbeddings()
    container = Container(settings, embeddings=HashingEmbeddings(), support_embeddings=support)
    container.ingestor.ingest_folder(copy_samples(tmp_path / "docs"), "company")
    with TestClient(create_app(container=container)) as client:
        for _ in range(300):
            if client.get("/ready").status_code == 200:
                break
            time.sleep(0.1)
        before = len(support.seen)
        assert before > 50  # the warm-up read the whole small collection
        question = "How many vacation days carry over?"
        answer = client.post("/ask", json={"question": question, "collection": "company"})
        assert answer.status_code == 200 and "vacation" in answer.json()["answer"].lower()
        # embedded now: the question, and the answer's own sentences when it is checked;
        # no source sentence
        text = re.sub(r"\s*\[\d+\]", "", answer.json()["answer"])
        extra = [t for t in support.seen[before:] if t != question and t not in text]
        assert extra == [], text
