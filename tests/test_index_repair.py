"""An ingest puts back what the index lost: the records say a file is indexed and
unchanged, but a store no longer holds its chunks (a folder removed, or restored from an
older copy). Without this, the file would be skipped as unchanged forever."""

from __future__ import annotations

import shutil

from tests.conftest import copy_samples


def test_a_lost_keyword_folder_is_written_again_by_the_next_ingest(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    first = fake_container.ingestor.ingest_folder(docs, "company")
    indexed = first.new
    shutil.rmtree(fake_container.keyword_index.path("company"))
    assert fake_container.retriever("company", mode="dense").search("vacation days") == []

    again = fake_container.ingestor.ingest_folder(docs, "company")
    assert again.repaired == indexed and again.updated == indexed and again.unchanged == 0
    assert fake_container.keyword_index.count("company") == first.chunks_written
    hits = fake_container.retriever("company").search("vacation days carry over")
    assert hits and all(d.page_content for d in hits)

    settled = fake_container.ingestor.ingest_folder(docs, "company")
    assert settled.repaired == 0 and settled.unchanged == indexed


def test_only_the_document_that_lost_its_vectors_is_embedded_again(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    lisbon = fake_container.records.find_by_source("company", "office-guide-lisbon.txt")
    fake_container.chunk_store.delete_document("company", lisbon.document_id)
    calls = fake_container.embeddings.calls

    again = fake_container.ingestor.ingest_folder(docs, "company")
    assert again.repaired == 1 and again.updated == 1
    assert [d["source"] for d in again.documents] == ["office-guide-lisbon.txt"]
    assert fake_container.embeddings.calls == calls + 1  # one batch: that file's chunks
    chunks = fake_container.chunk_store.document_chunks("company", lisbon.document_id)
    assert len(chunks) == lisbon.chunk_count


def test_chunks_of_a_document_without_a_record_are_removed(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    first = fake_container.ingestor.ingest_folder(docs, "company")
    lisbon = fake_container.records.find_by_source("company", "office-guide-lisbon.txt")
    fake_container.records.delete("company", lisbon.document_id)  # its record lost
    (docs / "office-guide-lisbon.txt").unlink()

    again = fake_container.ingestor.ingest_folder(docs, "company")
    assert again.repaired == 0
    left = first.chunks_written - lisbon.chunk_count
    assert fake_container.chunk_store.count("company") == left
    assert fake_container.keyword_index.count("company") == left
    hits = fake_container.retriever("company", k=50).search("Lisbon office Porto")
    assert all(d.metadata["source"] != "office-guide-lisbon.txt" for d in hits)
