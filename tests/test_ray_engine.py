"""The Ray engine (``--engine ray``) against the local engine, on a real Ray runtime and
a simulated two-node cluster: the same index, the same guarantees, faults survived."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from langchain_core.documents import Document

from retrieval import sentences
from retrieval.search.sentence_vectors import sentence_texts
from tests import format_files as ff
from tests.conftest import copy_samples
from tests.fakes import CrashOnceEmbeddings, HashingEmbeddings, crash_parsing

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_ray():
    """One local runtime for the module (the engine reuses a runtime it did not start)."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        _node_ip_address="127.0.0.1",
    )
    yield
    ray.shutdown()


def container(data: Path, engine: str, embeddings=None, support=None, **settings):
    from app.container import Container
    from app.settings import Settings

    s = Settings(data_dir=data, ingest_engine=engine, ingest_workers=2, **settings)
    return Container(s, embeddings=embeddings or HashingEmbeddings(), support_embeddings=support)


def index(c, collection: str = "share") -> dict:
    got = c.chunk_store.collection(collection).get(include=["metadatas", "embeddings"])
    texts = c.keyword_index.texts(collection, got["ids"])  # chunk texts are kept there
    return {
        i: (texts.get(i), m, np.asarray(e))
        for i, m, e in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
    }


def same(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(
        a[k][0] == b[k][0] and a[k][1] == b[k][1] and np.allclose(a[k][2], b[k][2], atol=1e-6)
        for k in a
    )


def share(root: Path) -> Path:
    docs = copy_samples(root)  # one of them is a corrupt PDF
    ff.write_pptx(docs / "review.pptx")
    ff.write_csv(docs / "parts.csv")
    ff.write_eml(docs / "office-move.eml")
    return docs


def test_ray_and_local_engines_build_the_same_index(local_ray, tmp_path):
    docs = share(tmp_path / "docs")
    local = container(tmp_path / "local", "local")
    remote = container(tmp_path / "ray", "ray")
    a = local.ingestor.ingest_folder(docs, "share")
    b = remote.ingestor.ingest_folder(docs, "share")
    assert (a.new, a.failed) == (b.new, b.failed) == (8, a.failed)
    assert "corrupt" in b.failed[0]["reason"]  # a hostile file fails alone, with its reason
    assert same(index(local), index(remote))
    assert b.to_dict().keys() == a.to_dict().keys()

    again = remote.ingestor.ingest_folder(docs, "share")
    assert again.unchanged == 8 and again.chunks_embedded == 0

    (docs / "finance-faq.md").write_text("# Finance\n\nExpense claims are due within 30 days.\n")
    (docs / "parts.csv").unlink()
    for c in (local, remote):
        s = c.ingestor.ingest_folder(docs, "share", prune=True)
        assert (s.updated, s.pruned) == (1, 1)
    assert same(index(local), index(remote))
    assert local.keyword_index.count("share") == remote.keyword_index.count("share")


def test_the_actors_embed_the_sentences_when_they_are_stored_at_ingest(
    local_ray, tmp_path, monkeypatch
):
    """With sentence vectors stored at ingest, the actors split and embed the sentences:
    the writer stores them and the chunks' splits without splitting or embedding
    anything, and the store is the local one."""
    docs = share(tmp_path / "docs")
    stored = {}
    real_split = sentences._split
    for engine in ("local", "ray"):
        support = HashingEmbeddings(name="support")
        c = container(tmp_path / engine, engine, support=support, sentence_vectors="ingest")
        split_calls: list[str] = []
        monkeypatch.setattr(sentences, "_CACHE", sentences._Recent(4096))
        monkeypatch.setattr(
            sentences, "_split", lambda t, calls=split_calls: calls.append(t) or real_split(t)
        )
        summary = c.ingestor.ingest_folder(docs, "share")
        assert summary.new == 8 and summary.sentences_embedded > 30
        assert bool(split_calls) == (engine == "local")
        chunk_texts = {d[0] for d in index(c).values()}
        monkeypatch.setattr(sentences, "_CACHE", sentences._Recent(4096))
        assert c.sentence_vectors.prime_splits("share", chunk_texts) == len(chunk_texts)
        texts = [s for d in index(c).values() for s in sentence_texts([Document(d[0])])]
        stored[engine] = c.sentence_vectors.lookup("share", texts)
        assert len(stored[engine]) == len(set(texts)) == summary.sentences_embedded
        if engine == "ray":  # this process embedded no sentence
            assert support.texts_embedded == 0
            again = c.ingestor.ingest_folder(docs, "share")
            assert again.unchanged == 8 and again.sentences_embedded == 0
        else:
            assert support.texts_embedded == summary.sentences_embedded
    assert stored["local"].keys() == stored["ray"].keys()
    assert all(np.allclose(stored["local"][t], stored["ray"][t], atol=1e-6) for t in stored["ray"])


def test_a_dead_embedding_actor_and_a_dead_parse_worker_lose_nothing(local_ray, tmp_path):
    docs = share(tmp_path / "docs")
    (docs / "crash.txt").write_text("The parser of this file dies once. Its retry reads it.")
    reference = container(tmp_path / "local", "local")
    reference.ingestor.ingest_folder(docs, "share")

    emb = CrashOnceEmbeddings(str(tmp_path / "actor-died"))
    c = container(tmp_path / "ray", "ray", embeddings=emb, ingest_batch_chunks=8)
    c.ingestor.executor.parse = functools.partial(
        crash_parsing, marker=str(tmp_path / "parser-died")
    )
    summary = c.ingestor.ingest_folder(docs, "share")
    assert (tmp_path / "actor-died").exists() and (tmp_path / "parser-died").exists()
    assert summary.new == 9 and len(summary.failed) == 1
    assert same(index(reference), index(c))  # no chunk missing, none twice


def test_a_file_that_kills_its_worker_every_time_fails_alone(local_ray, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "crash.txt").write_text("This file kills every parser that reads it.")
    (docs / "fine.txt").write_text("This one is fine and goes in.")
    c = container(tmp_path / "ray", "ray")
    c.ingestor.executor.parse = crash_parsing
    summary = c.ingestor.ingest_folder(docs, "share")
    assert summary.new == 1
    assert summary.failed[0]["source"] == "crash.txt"
    assert "worker died" in summary.failed[0]["reason"]


class StopAfter:
    """A progress display whose user presses Ctrl-C after ``batches`` batches."""

    def __init__(self, batches: int) -> None:
        self.left = batches

    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: int, chunks: int) -> None:
        self.left -= 1
        if self.left <= 0:
            raise KeyboardInterrupt

    def finish(self) -> None:
        pass


def test_stopping_mid_job_leaves_a_consistent_index_that_a_rerun_completes(local_ray, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        (docs / f"memo-{i:02d}.txt").write_text(
            " ".join(f"Memo {i} paragraph {j} on topic {i * j}." for j in range(40))
        )
    c = container(tmp_path / "ray", "ray", ingest_batch_chunks=4)
    with pytest.raises(KeyboardInterrupt):
        c.ingestor.ingest_folder(docs, "share", progress=StopAfter(3))
    records = c.records.list("share")
    done = [r for r in records if r.status == "ok"]
    assert 0 < len(done) < 40
    assert len(index(c)) == sum(r.chunk_count for r in records)  # nothing half-written
    summary = c.ingestor.ingest_folder(docs, "share")
    assert summary.unchanged == len(done) and summary.new + summary.unchanged == 40
    reference = container(tmp_path / "local", "local")
    reference.ingestor.ingest_folder(docs, "share")
    assert same(index(reference), index(c))
