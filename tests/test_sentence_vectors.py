"""Sentence vectors embedded at ingest (GROUNDWORK_SENTENCE_VECTORS=ingest): stored with
their documents, read by answers instead of embedding, removed with what they belong to."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from pydantic import ValidationError

from app.container import Container
from app.settings import Settings
from retrieval.search.sentence_vectors import SentenceVectors, sentence_texts
from tests.conftest import copy_samples
from tests.fakes import HashingEmbeddings

QUESTIONS = [
    "How many vacation days can I carry over?",
    "How long is parental leave for birth parents?",
    "Who must approve a fully remote work arrangement?",
    "What is the capital of Australia?",
]


def container(data, mode: str) -> Container:
    settings = Settings(data_dir=data, ingest_workers=0, reranker="none", sentence_vectors=mode)
    return Container(
        settings,
        embeddings=HashingEmbeddings(),
        support_embeddings=HashingEmbeddings(name="support"),
    )


def answers(c: Container) -> list[tuple]:
    out = []
    for q in QUESTIONS:
        a = c.answers.ask(q, "company")
        out.append((a.answer, a.refused, [(x.source, x.start, x.end) for x in a.citations]))
    return out


def test_answers_read_stored_sentence_vectors_and_embed_only_the_question(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    live, stored = container(tmp_path / "live", "answer"), container(tmp_path / "stored", "ingest")
    assert live.ingestor.ingest_folder(docs, "company").sentences_embedded == 0
    summary = stored.ingestor.ingest_folder(docs, "company")
    assert summary.sentences_embedded == stored.sentence_vectors.count("company") > 20

    support = stored.support_embeddings
    before = len(support.seen)
    got = answers(stored)
    embedded = support.seen[before:]
    # the questions and the answers' own claims; no stored sentence is embedded again
    assert set(QUESTIONS) <= set(embedded) and len(embedded) <= 3 * len(QUESTIONS)
    assert stored.sentence_vectors.lookup("company", embedded) == {}
    assert live.support_embeddings.texts_embedded == 0
    assert answers(live) == got  # the same answers, citations and refusals
    assert live.support_embeddings.texts_embedded > 10 * len(QUESTIONS)
    assert got[0][0].startswith("Up to 5 unused vacation days carry over")
    assert got[-1][1]  # still refused


def test_turning_it_on_fills_in_documents_indexed_before(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    data = tmp_path / "data"
    container(data, "answer").ingestor.ingest_folder(docs, "company")
    on = container(data, "ingest")
    first = on.ingestor.ingest_folder(docs, "company")
    assert (first.new, first.updated, first.unchanged) == (0, 0, 5)
    assert first.chunks_embedded == 0 and first.sentences_embedded > 20
    assert on.sentence_vectors.count("company") == first.sentences_embedded
    again = on.ingestor.ingest_folder(docs, "company")
    assert again.sentences_embedded == 0
    assert on.support_embeddings.texts_embedded == first.sentences_embedded


def test_a_changed_or_deleted_document_takes_its_sentence_vectors_with_it(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    c = container(tmp_path / "data", "ingest")
    c.ingestor.ingest_folder(docs, "company")
    store, total = c.sentence_vectors, c.sentence_vectors.count("company")
    guide = docs / "office-guide-lisbon.txt"
    old = sentence_texts([Document(page_content=guide.read_text())])
    assert len(store.lookup("company", old)) == len(old) > 1

    guide.write_text("The Lisbon office moved to Porto in 2027.")
    summary = c.ingestor.ingest_folder(docs, "company")
    assert summary.updated == 1 and summary.sentences_embedded == 1
    assert store.lookup("company", old) == {}
    assert store.count("company") == total - len(old) + 1

    record = c.records.find_by_source("company", "office-guide-lisbon.txt")
    c.ingestor.delete_document("company", record.document_id)
    assert store.count("company") == total - len(old)
    c.ingestor.delete_collection("company")
    assert store.count("company") == 0
    assert not list((tmp_path / "data" / "sentences").glob("company*"))


def test_an_update_with_the_setting_off_drops_the_old_vectors(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    data = tmp_path / "data"
    container(data, "ingest").ingestor.ingest_folder(docs, "company")
    guide = docs / "office-guide-lisbon.txt"
    old = sentence_texts([Document(page_content=guide.read_text())])
    guide.write_text("The Lisbon office moved to Porto in 2027.")
    off = container(data, "answer")
    off.ingestor.ingest_folder(docs, "company")
    assert off.sentence_vectors.lookup("company", old) == {}


def test_a_sentence_two_documents_share_stays_until_both_are_gone(tmp_path):
    emb = HashingEmbeddings()
    store = SentenceVectors(tmp_path, "hashing", emb.encode)
    shared = "Every office closes at six in the evening."
    a = [Document(page_content=f"{shared} The Lisbon office has a roof terrace.")]
    b = [Document(page_content=f"The Porto office is new. {shared}")]
    assert store.replace_documents("team", {"a": a}) == 2
    assert store.replace_documents("team", {"b": b}) == 1  # the shared one is not embedded again
    store.delete_document("team", "a")
    assert set(store.lookup("team", [shared, "The Porto office is new."])) == {
        shared,
        "The Porto office is new.",
    }
    store.delete_document("team", "b")
    store.delete_document("team", "b")  # deleting what is gone is not an error
    assert store.count("team") == 0
    # a vector is found only for the model that made it
    store.replace_documents("team", {"a": a})
    assert SentenceVectors(tmp_path, "another-model").lookup("team", [shared]) == {}
    assert SentenceVectors(tmp_path, "hashing").lookup("other", [shared]) == {}  # nor elsewhere


def damage(path) -> None:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    path.write_bytes(b"not a database " * 100)


def test_a_damaged_sentence_file_is_ignored_when_answering(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    live = container(tmp_path / "live", "answer")
    live.ingestor.ingest_folder(docs, "company")
    expected = answers(live)
    c = container(tmp_path / "stored", "ingest")
    c.ingestor.ingest_folder(docs, "company")
    damage(tmp_path / "stored" / "sentences" / "company.sqlite3")
    fresh = container(tmp_path / "stored", "ingest")  # a new process: no open connection
    assert answers(fresh) == expected


def test_a_damaged_sentence_file_is_rebuilt_and_never_fails_an_ingest_or_a_delete(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    data = tmp_path / "data"
    path = data / "sentences" / "company.sqlite3"
    expected = answers_after_ingest(container(tmp_path / "live", "answer"), docs)
    container(data, "ingest").ingestor.ingest_folder(docs, "company")

    damage(path)  # with the setting on: one file changes, the others are filled in again
    (docs / "office-guide-lisbon.txt").write_text("The Lisbon office moved to Porto in 2027.")
    c = container(data, "ingest")
    summary = c.ingestor.ingest_folder(docs, "company")
    assert failed(summary) == ["board-minutes-damaged.pdf"] and summary.updated == 1
    assert summary.sentences_embedded == c.sentence_vectors.count("company") > 20
    assert set(c.sentence_vectors.covered("company")) == {
        r.document_id for r in c.records.list("company") if r.status == "ok"
    }
    record = c.records.find_by_source("company", "office-guide-lisbon.txt")
    assert c.ingestor.delete_document("company", record.document_id)

    damage(path)  # with the setting off: updates and deletes still go through
    off = container(data, "answer")
    (docs / "finance-faq.md").write_text("# Finance\n\nExpenses are paid within ten days.")
    summary = off.ingestor.ingest_folder(docs, "company")
    assert failed(summary) == ["board-minutes-damaged.pdf"] and summary.updated == 1
    record = off.records.find_by_source("company", "finance-faq.md")
    assert off.ingestor.delete_document("company", record.document_id)
    assert answers(container(data, "answer"))[:2] == expected[:2]  # the handbook's answers


def failed(summary) -> list[str]:
    return sorted(f["source"] for f in summary.failed)


def answers_after_ingest(c: Container, docs) -> list[tuple]:
    c.ingestor.ingest_folder(docs, "company")
    return answers(c)


def test_an_unknown_mode_fails_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDWORK_SENTENCE_VECTORS", "always")
    with pytest.raises(ValidationError, match="sentence_vectors"):
        Settings(data_dir=tmp_path)
