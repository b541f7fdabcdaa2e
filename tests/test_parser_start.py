"""Parser processes start while the collection opens, and none outlive an ingest."""

from __future__ import annotations

import multiprocessing

import pytest

from ingest.executors import LocalExecutor
from retrieval.errors import EmbeddingMismatchError
from tests.conftest import copy_samples


class CountingExecutor(LocalExecutor):
    def __init__(self) -> None:
        super().__init__(workers=2, batch_chunks=8)
        self.prepared = 0

    def prepare(self) -> None:
        self.prepared += 1
        super().prepare()


def container_with(settings, executor, dim: int = 256):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    c = Container(settings, embeddings=HashingEmbeddings(dim=dim, name=f"hashing-{dim}"))
    c.ingestor.executor = executor
    return c


def test_parsers_start_only_for_work_and_none_are_left(settings, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    executor = CountingExecutor()
    c = container_with(settings, executor)
    first = c.ingestor.ingest_folder(docs, "company")
    assert first.chunks_written > 0
    assert [f["source"] for f in first.failed] == ["board-minutes-damaged.pdf"]  # on purpose
    assert executor.prepared == 1
    assert multiprocessing.active_children() == []
    again = c.ingestor.ingest_folder(docs, "company")  # nothing changed: no parser starts
    assert again.chunks_written == 0 and again.unchanged > 0 and executor.prepared == 1
    assert multiprocessing.active_children() == []


def test_a_model_mismatch_stops_the_started_parsers_and_writes_nothing(settings, tmp_path):
    docs = copy_samples(tmp_path / "docs")
    container_with(settings, LocalExecutor(workers=0)).ingestor.ingest_folder(docs, "company")
    (docs / "new.md").write_text("# New\n\nA new policy about bicycles.\n", encoding="utf-8")
    executor = CountingExecutor()
    other = container_with(settings, executor, dim=128)  # another model
    with pytest.raises(EmbeddingMismatchError):
        other.ingestor.ingest_folder(docs, "company")
    assert executor.prepared == 1
    assert multiprocessing.active_children() == []
    assert all(r.source != "new.md" for r in other.records.list("company"))
