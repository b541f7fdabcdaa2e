"""Hybrid search with the support model's closest sentence blended in
(GROUNDWORK_SENTENCE_SEARCH_WEIGHT), and the sentence splits stored at ingest."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document
from pydantic import ValidationError

from app.container import Container
from app.settings import Settings
from retrieval import sentences
from retrieval.search.sentence_rescoring import SentenceRescorer
from tests.conftest import copy_samples
from tests.fakes import HashingEmbeddings

QUESTION = "How many vacation days can I carry over?"


def unit(texts: list[str]) -> np.ndarray:
    v = np.array(HashingEmbeddings().encode(texts), dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


class Vectorize:
    """Unit vectors from the hashing fake; remembers what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[str]]] = []

    def __call__(self, collection: str, texts: list[str]) -> np.ndarray:
        self.asked.append((collection, texts))
        return unit(texts)


CHUNKS = {
    "a": Document(id="a", page_content="Parental leave lasts sixteen weeks for birth parents."),
    "b": Document(id="b", page_content="Up to 5 unused vacation days can carry over each year."),
    "c": Document(id="c", page_content="The office opens at nine in the morning on weekdays."),
    "d": Document(id="d", page_content="See table."),  # no sentence of three words
}
FUSED = [("a", 0.9), ("c", 0.8), ("b", 0.7), ("d", 0.1)]


def test_the_chunk_whose_sentence_answers_moves_up_and_weight_zero_changes_nothing():
    vectorize = Vectorize()
    order = SentenceRescorer(vectorize, weight=0.5).rescore("hr", QUESTION, FUSED, CHUNKS)
    assert [cid for cid, _ in order][0] == "b"
    assert vectorize.asked[0][0] == "hr" and vectorize.asked[0][1][0] == QUESTION
    assert "See table." not in vectorize.asked[0][1]  # too short to be scored
    scores = [s for _, s in order]
    assert scores == sorted(scores, reverse=True) and len(order) == len(FUSED)

    unchanged = Vectorize()
    assert SentenceRescorer(unchanged, weight=0.0).rescore("hr", QUESTION, FUSED, CHUNKS) == FUSED
    assert unchanged.asked == []


def test_only_the_pool_is_read_and_the_rest_keep_their_order():
    vectorize = Vectorize()
    order = SentenceRescorer(vectorize, weight=0.5, pool=2).rescore("hr", QUESTION, FUSED, CHUNKS)
    read = set(vectorize.asked[0][1][1:])
    assert read == {CHUNKS["a"].page_content, CHUNKS["c"].page_content}
    # b was not read: it cannot overtake on similarity; the tail keeps the fused order
    ids = [cid for cid, _ in order]
    assert ids.index("b") < ids.index("d") and ids[-1] == "d"


@pytest.mark.parametrize(("weight", "pool"), [(-0.1, 30), (1.5, 30), (0.3, 0)])
def test_bad_parameters_are_refused(weight, pool):
    with pytest.raises(ValueError):
        SentenceRescorer(Vectorize(), weight=weight, pool=pool)


def test_the_setting_needs_sentence_vectors_stored_at_ingest(tmp_path):
    with pytest.raises(ValidationError, match="GROUNDWORK_SENTENCE_VECTORS=ingest"):
        Settings(data_dir=tmp_path, sentence_search_weight=0.3)
    ok = Settings(data_dir=tmp_path, sentence_search_weight=0.3, sentence_vectors="ingest")
    assert ok.sentence_search_pool == 30


def test_remember_takes_a_split_back_and_refuses_offsets_that_do_not_fit():
    text = "First sentence here. Second one follows it. Third closes."
    split = sentences.split_sentences(text)
    other = text.replace("First", "Fresh")
    assert sentences.remember(other, sentences.offsets(split))
    assert sentences.split_sentences(other) == [
        sentences.Span(s.start, s.end, other[s.start : s.end]) for s in split
    ]
    for bad in ([(0, 500)], [(5, 2)], [(0, 22)], [(22, 40), (0, 21)]):  # untrimmed, order
        assert not sentences.remember("x" + text, bad)


def searching(tmp_path, weight: float) -> Container:
    settings = Settings(
        data_dir=tmp_path / f"data-{weight}",
        ingest_workers=0,
        reranker="none",
        sentence_vectors="ingest",
        sentence_search_weight=weight,
    )
    return Container(
        settings,
        embeddings=HashingEmbeddings(),
        support_embeddings=HashingEmbeddings(name="support"),
    )


def test_search_reads_stored_sentences_and_splits_and_embeds_only_the_question(
    tmp_path, monkeypatch
):
    docs = copy_samples(tmp_path / "docs")
    on, off = searching(tmp_path, 0.3), searching(tmp_path, 0.0)
    on.ingestor.ingest_folder(docs, "company")
    off.ingestor.ingest_folder(docs, "company")

    split_calls = []
    real_split = sentences._split
    monkeypatch.setattr(sentences, "_CACHE", sentences._Recent(4096))  # as after a restart
    monkeypatch.setattr(sentences, "_split", lambda t: split_calls.append(t) or real_split(t))

    support = on.support_embeddings
    before = len(support.seen)
    hits = on.retriever("company", k=5).search(QUESTION)
    assert support.seen[before:] == [QUESTION]  # the sentences' vectors were stored
    assert split_calls == []  # and so were the chunks' splits
    assert len(hits) == 5 and all(h.metadata["score"] <= 1.0 for h in hits)
    plain = off.retriever("company", k=5).search(QUESTION)
    assert {h.id for h in hits} & {h.id for h in plain}

    # answering finds both in memory: nothing is split or embedded again but its claims
    answer = on.answers.ask(QUESTION, "company")
    assert answer.answer.startswith("Up to 5 unused vacation days carry over")
    chunk_texts = {
        c.page_content
        for r in on.records.list("company")
        for c in on.chunk_store.document_chunks("company", r.document_id)
    }
    assert not set(split_calls) & chunk_texts


def test_splits_go_with_their_document(tmp_path, monkeypatch):
    docs = copy_samples(tmp_path / "docs")
    c = searching(tmp_path, 0.3)
    c.ingestor.ingest_folder(docs, "company")
    chunks = c.retriever("company", k=50, mode="keyword").search("vacation leave office")
    texts = [d.page_content for d in chunks]
    monkeypatch.setattr(sentences, "_CACHE", sentences._Recent(4096))
    assert c.sentence_vectors.prime_splits("company", texts) == len(set(texts))
    assert c.sentence_vectors.prime_splits("company", texts) == 0  # already in the cache

    for path in docs.iterdir():
        path.unlink()
    c.ingestor.ingest_folder(docs, "company", prune=True)
    monkeypatch.setattr(sentences, "_CACHE", sentences._Recent(4096))
    assert c.sentence_vectors.prime_splits("company", texts) == 0
