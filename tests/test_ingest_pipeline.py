"""Batch ingestion against a real embedded Chroma, with a counting hashing embedder."""

from __future__ import annotations

import re

import pytest

from retrieval.errors import EmbeddingMismatchError
from tests.conftest import copy_samples
from tests.fakes import FailingEmbeddings, HashingEmbeddings


def chroma_ids(container, collection="company") -> list[str]:
    return container.chunk_store.collection(collection).get(include=[])["ids"]


def test_first_ingest_indexes_every_good_file_and_reports_the_bad_one(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    (docs / "slides.ppt").write_bytes(b"\xd0\xcf\x11\xe0 legacy")
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert summary.new == 5 and summary.unchanged == 0
    assert summary.failed == [
        {"source": "board-minutes-damaged.pdf", "reason": summary.failed[0]["reason"]}
    ]
    assert "corrupt" in summary.failed[0]["reason"]
    assert summary.skipped[0]["source"] == "slides.ppt"
    assert "save it as .pptx" in summary.skipped[0]["reason"]
    assert summary.chunks_written == summary.chunks_embedded == len(chroma_ids(fake_container))
    assert fake_container.keyword_index.count("company") == summary.chunks_written
    records = {r.source: r for r in fake_container.records.list("company")}
    assert records["board-minutes-damaged.pdf"].status == "failed"
    assert records["employee-handbook.pdf"].page_count == 5


def test_reingesting_unchanged_folder_embeds_and_writes_nothing(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    emb = fake_container.embeddings
    calls_before = emb.calls
    stamps = {r.document_id: r.updated_at for r in fake_container.records.list("company")}
    ids_before = sorted(chroma_ids(fake_container))
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert emb.calls == calls_before  # zero embedding calls
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 5)
    assert summary.chunks_written == summary.chunks_embedded == 0
    assert len(summary.failed) == 1  # still reported, not retried
    assert {r.document_id: r.updated_at for r in fake_container.records.list("company")} == stamps
    assert sorted(chroma_ids(fake_container)) == ids_before


def test_changed_file_replaces_its_chunks_without_stale_ones(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    before = len(chroma_ids(fake_container))
    (docs / "office-guide-lisbon.txt").write_text("The Lisbon office moved to Porto in 2027.")
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 4)
    assert summary.chunks_embedded == 1
    assert len(chroma_ids(fake_container)) == before  # 1 chunk replaced 1 chunk
    hits = fake_container.keyword_index.search("company", "parking basement", 10)
    assert all("Lisbon" not in d.metadata["source"] for d, _ in hits)
    lisbon = fake_container.records.find_by_source("company", "office-guide-lisbon.txt")
    chunks = fake_container.chunk_store.document_chunks("company", lisbon.document_id)
    assert [c.page_content for c in chunks] == ["The Lisbon office moved to Porto in 2027."]


def test_files_read_by_an_older_loader_or_other_reading_options_are_read_again(
    fake_container, tmp_path, monkeypatch
):
    from ingest.loaders.markdown import MarkdownLoader
    from ingest.loaders.options import LoadOptions

    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    monkeypatch.setattr(MarkdownLoader, "revision", MarkdownLoader.revision + 1)
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 4)
    assert summary.chunks_embedded > 0 and len(summary.failed) == 1
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert (summary.updated, summary.unchanged) == (0, 5)  # read again once, not each run
    ingestor = fake_container.ingestor
    ingestor.load_options = LoadOptions(pdf_tables=False)
    summary = ingestor.ingest_folder(docs, "company")
    assert (summary.updated, summary.unchanged) == (1, 4)  # the handbook, the one good PDF
    assert [f["source"] for f in summary.failed] == ["board-minutes-damaged.pdf"]


def test_prune_removes_documents_whose_files_are_gone(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    (docs / "finance-faq.md").unlink()
    kept = fake_container.ingestor.ingest_folder(docs, "company")
    assert kept.pruned == 0 and "finance-faq.md" in {
        r.source for r in fake_container.records.list("company")
    }
    summary = fake_container.ingestor.ingest_folder(docs, "company", prune=True)
    assert summary.pruned == 1
    assert "finance-faq.md" not in {r.source for r in fake_container.records.list("company")}
    assert (
        fake_container.chunk_store.collection("company").get(where={"source": "finance-faq.md"})[
            "ids"
        ]
        == []
    )
    hits = fake_container.keyword_index.search("company", "expense claim Ledgerly", 5)
    assert "finance-faq.md" not in {d.metadata["source"] for d, _ in hits}


def test_interrupted_job_finishes_on_rerun_without_duplicates(settings, tmp_path):
    from app.container import Container

    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(12):
        (docs / f"note-{i:02d}.txt").write_text(f"Note {i}. " + f"Topic {i} sentence. " * 80)
    settings.ingest_batch_chunks = 4
    broken = Container(settings, embeddings=FailingEmbeddings(fail_after=3))
    with pytest.raises(KeyboardInterrupt):
        broken.ingestor.ingest_folder(docs, "company")
    partial = len(chroma_ids(broken))
    assert partial > 0
    fresh = Container(settings, embeddings=HashingEmbeddings())
    summary = fresh.ingestor.ingest_folder(docs, "company")
    assert summary.new + summary.unchanged == 12 and summary.unchanged > 0
    ids = chroma_ids(fresh)
    assert len(ids) == len(set(ids))
    total = sum(r.chunk_count for r in fresh.records.list("company"))
    assert len(ids) == total == fresh.keyword_index.count("company")
    again = fresh.ingestor.ingest_folder(docs, "company")
    assert again.unchanged == 12


def test_parallel_workers_give_the_same_index(settings, tmp_path):
    from app.container import Container

    docs = copy_samples(tmp_path / "docs")
    settings.ingest_workers = 2
    container = Container(settings, embeddings=HashingEmbeddings())
    summary = container.ingestor.ingest_folder(docs, "company")
    assert summary.new == 5 and len(summary.failed) == 1
    assert len(chroma_ids(container)) == summary.chunks_written


def test_other_embedding_model_is_refused_at_open(settings, tmp_path):
    from app.container import Container

    docs = copy_samples(tmp_path / "docs")
    Container(settings, embeddings=HashingEmbeddings()).ingestor.ingest_folder(docs, "company")
    other = Container(settings, embeddings=HashingEmbeddings(dim=128, name="other-model"))
    with pytest.raises(EmbeddingMismatchError, match="hashing-256"):
        other.ingestor.ingest_folder(docs, "company")
    with pytest.raises(EmbeddingMismatchError):
        other.answers.ask("vacation", "company")


def test_deleting_a_document_and_a_missing_one(fake_container, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    fake_container.ingestor.ingest_folder(docs, "company")
    rec = fake_container.records.find_by_source("company", "finance-faq.md")
    assert fake_container.ingestor.delete_document("company", rec.document_id)
    assert not fake_container.ingestor.delete_document("company", rec.document_id)
    assert fake_container.records.find_by_source("company", "finance-faq.md") is None


def test_a_folder_that_does_not_exist(fake_container, tmp_path):
    with pytest.raises(FileNotFoundError):
        fake_container.ingestor.ingest_folder(tmp_path / "nope", "company")


def test_planning_writes_nothing_and_settles_unchanged_files(fake_container, tmp_path):
    from ingest.planning import Planner, scan_folder
    from ingest.summary import IngestSummary

    docs = copy_samples(tmp_path / "docs")
    (docs / "tool.exe").write_bytes(b"MZ")
    ingestor = fake_container.ingestor
    planner = Planner(
        fake_container.records, ingestor.chunking, ingestor.config_fingerprint, 60.0, 10**8
    )
    summary = IngestSummary("company")
    plan = planner.plan(scan_folder(docs), "company", summary)
    assert fake_container.records.list("company") == []  # planning wrote no record
    assert len(plan.work) == 6 and summary.skipped[0]["source"] == "tool.exe"
    ingestor.ingest_folder(docs, "company")
    (docs / "finance-faq.md").write_text("# Finance\n\nExpense claims go through Ledgerly.\n")
    again = IngestSummary("company")
    plan = planner.plan(scan_folder(docs), "company", again)
    assert [w.task.source for w in plan.work] == ["finance-faq.md"]
    assert plan.work[0].existed and again.unchanged == 4
    assert again.failed[0]["source"] == "board-minutes-damaged.pdf"  # known bad bytes


def test_records_carry_a_schema_version_and_read_old_files(tmp_path):
    import sqlite3

    from ingest.records import SCHEMA_VERSION, RecordStore, SchemaTooNewError

    # a file written before versions were kept: the same table, user_version 0
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.executescript(
        """CREATE TABLE documents (collection TEXT NOT NULL, document_id TEXT NOT NULL,
        source TEXT NOT NULL, title TEXT, content_hash TEXT, config TEXT, status TEXT NOT NULL,
        reason TEXT, chunk_count INTEGER NOT NULL DEFAULT 0, page_count INTEGER,
        size_bytes INTEGER, updated_at REAL NOT NULL, PRIMARY KEY (collection, document_id));
        INSERT INTO documents VALUES ('c','d1','a.txt','A','h','cfg','ok',NULL,3,NULL,10,1.0);"""
    )
    conn.close()
    store = RecordStore(old)
    record = store.get("c", "d1")
    assert (record.source, record.status, record.chunk_count, record.size_bytes) == (
        "a.txt",
        "ok",
        3,
        10,
    )
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    newer = sqlite3.connect(old)
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(SchemaTooNewError, match="upgrade Groundwork"):
        RecordStore(old)


def test_a_file_with_more_chunks_than_chroma_takes_in_one_call_goes_in(fake_container, tmp_path):
    docs = tmp_path / "big"
    docs.mkdir()
    (docs / "long.txt").write_text(
        "\n\n".join(f"Paragraph {i} says something about topic {i}. " * 20 for i in range(40))
    )
    fake_container.chunk_store._max_batch = 7  # as if Chroma took 7 records per call
    summary = fake_container.ingestor.ingest_folder(docs, "company")
    assert summary.new == 1 and summary.chunks_written > 7 * 3
    assert len(chroma_ids(fake_container)) == summary.chunks_written


@pytest.mark.parametrize(
    ("limit", "value", "text", "reason"),
    [
        ("max_file_mb", 0.1, "word " * 50_000, r"the file is 0\.2 MB, over the 0\.1 MB limit"),
        (
            "max_chunks_per_file",
            50,
            "A sentence about nothing much at all. " * 2000,
            r"the file makes \d+ chunks, over the limit of 50 per file "
            r"\(GROUNDWORK_MAX_CHUNKS_PER_FILE\)",
        ),
    ],
    ids=["size, before parsing", "chunks"],
)
def test_a_file_over_a_limit_fails_alone(settings, tmp_path, limit, value, text, reason):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    docs = copy_samples(tmp_path / "docs")
    (docs / "big.txt").write_text(text)
    setattr(settings, limit, value)
    summary = Container(settings, embeddings=HashingEmbeddings()).ingestor.ingest_folder(
        docs, "company"
    )
    reasons = {f["source"]: f["reason"] for f in summary.failed}
    assert re.fullmatch(reason, reasons["big.txt"]), reasons["big.txt"]
    assert summary.new == 5


def test_a_batch_that_cannot_be_written_fails_its_files_and_leaves_none_pending(settings, tmp_path):
    from app.container import Container
    from ingest.records import PENDING
    from tests.fakes import PoisonedEmbeddings

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.md", "b-poison.md", "c.md"):
        (docs / name).write_text(f"# {name}\n\nText of {name} about the canteen menu.\n")
    (docs / "b-poison.md").write_text("# B\n\nPOISON makes vectors of another size.\n")
    settings.ingest_batch_chunks = 1  # one file per batch
    container = Container(settings, embeddings=PoisonedEmbeddings())
    summary = container.ingestor.ingest_folder(docs, "company")
    assert summary.new == 2
    assert [f["source"] for f in summary.failed] == ["b-poison.md"]
    assert "could not be written to the index" in summary.failed[0]["reason"]
    assert PENDING not in {r.status for r in container.records.list("company")}
    assert len(chroma_ids(container)) == summary.chunks_written
