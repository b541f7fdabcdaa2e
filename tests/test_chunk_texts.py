"""Chunk texts are kept once, in the keyword index; Chroma holds vectors and metadata.

Every reader (dense search, the documents API, the warm-up) must still see each chunk's
text; collections written by older versions (texts in Chroma) must still be read."""

from __future__ import annotations

import numpy as np
from langchain_core.documents import Document

from tests.conftest import copy_samples


def test_chroma_keeps_no_chunk_text_yet_every_reader_gets_it(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    stored = fake_container.chunk_store.collection("company").get(include=["documents"])
    assert stored["ids"] and all(text is None for text in stored["documents"])

    record = fake_container.records.find_by_source("company", "office-guide-lisbon.txt")
    chunks = fake_container.chunk_store.document_chunks("company", record.document_id)
    assert chunks and all(c.page_content.strip() for c in chunks)
    assert "Lisbon" in " ".join(c.page_content for c in chunks)

    dense = fake_container.retriever("company", mode="dense", k=50).search("Lisbon office")
    assert len(dense) == len(stored["ids"])  # every chunk, each with its text
    assert all(d.page_content.strip() for d in dense)
    by_id = fake_container.keyword_index.texts("company", [d.id for d in dense])
    assert all(d.page_content == by_id[d.id] for d in dense)
    assert all(c.page_content for c in fake_container.chunk_store.first_chunks("company", 5))


def _old_write(container, collection: str, texts: list[str]) -> list[str]:
    """Chunks written as versions before session 16 wrote them: texts in Chroma, and
    (here) none in the keyword index."""
    store = container.chunk_store
    col = store.collection(collection, create=True)
    ids = [f"old:{i}" for i in range(len(texts))]
    vectors = np.asarray(store.embeddings.embed_documents(texts), dtype=np.float32)
    metas = [
        {"document_id": "old", "source": "old.txt", "chunk_index": i} for i in range(len(texts))
    ]
    col.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=vectors)
    return ids


def test_a_collection_written_with_texts_in_chroma_is_still_read(fake_container):
    texts = ["Parking is in the basement.", "The canteen opens at noon."]
    _old_write(fake_container, "legacy", texts)
    hits = fake_container.retriever("legacy", mode="dense", k=2).search("canteen noon")
    assert sorted(d.page_content for d in hits) == sorted(texts)
    chunks = fake_container.chunk_store.document_chunks("legacy", "old")
    assert [c.page_content for c in chunks] == texts


def test_a_vector_whose_text_is_not_stored_yet_is_left_out(fake_container):
    """Between the two writes of a batch (Chroma, then the keyword index), a dense hit
    without its text is skipped rather than shown as an empty passage."""
    store = fake_container.chunk_store
    done = Document(
        id="d1:0",
        page_content="Expense reports are due on the fifth.",
        metadata={"document_id": "d1", "source": "a.txt", "chunk_index": 0},
    )
    pending = {"document_id": "d2", "source": "b.txt", "chunk_index": 0}
    vectors = np.asarray(
        store.embeddings.embed_documents([done.page_content, "Expense reports pending"]),
        dtype=np.float32,
    )
    store.upsert("company", ["d1:0", "d2:0"], [done.metadata, pending], vectors)
    fake_container.keyword_index.replace_documents("company", ["d1"], [done])
    hits = fake_container.retriever("company", mode="dense", k=5).search("expense reports")
    assert [d.id for d in hits] == ["d1:0"]
    assert hits[0].page_content == done.page_content
    assert [c.id for c in store.first_chunks("company", 10)] == ["d1:0"]
