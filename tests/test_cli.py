"""The ``groundwork`` command as a user runs it (real model, real embedded Chroma)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import ANSWER_FIELDS, BIN, copy_samples

pytestmark = pytest.mark.integration


def run(args, data_dir, check=True, **env):
    environ = {**os.environ, "GROUNDWORK_DATA_DIR": str(data_dir), **env}
    proc = subprocess.run(
        [str(BIN / "groundwork"), *args], capture_output=True, text=True, env=environ, timeout=300
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_ingest_ask_list_rm_round_trip(tmp_path):
    docs = copy_samples(tmp_path / "docs")
    data = tmp_path / "data"
    first = json.loads(run(["ingest", str(docs), "-c", "company", "--json"], data).stdout)
    assert {
        "collection",
        "new",
        "updated",
        "unchanged",
        "pruned",
        "failed",
        "chunks_written",
        "chunks_embedded",
        "seconds",
    } <= set(first)
    assert first["new"] == 5 and first["failed"][0]["source"] == "board-minutes-damaged.pdf"

    again = json.loads(run(["ingest", str(docs), "-c", "company", "--json"], data).stdout)
    assert again["unchanged"] == 5 and again["chunks_embedded"] == 0

    proc = run(["ask", "How many vacation days carry over?", "-c", "company", "--json"], data)
    answer = json.loads(proc.stdout)
    assert set(answer) == ANSWER_FIELDS
    t = answer["timings_ms"]
    assert set(t) == {
        "retrieve",
        "generate",
        "verify",
        "total",
        "search",
        "rerank",
        "support",
        "answer",
    }
    # the stages add up to the totals a client already reads
    assert abs(t["retrieve"] - (t["search"] + t["rerank"])) <= 0.2
    assert abs(t["generate"] - (t["support"] + t["answer"])) <= 0.2
    assert t["rerank"] > 0 and t["support"] > 0  # the default configuration reranks
    c = answer["citations"][0]
    assert set(c) == {
        "n", "document_id", "source", "page", "page_kind", "section", "ocr",
        "snippet", "start", "end", "score", "label",
    }  # fmt: skip
    assert (c["source"], c["page"], c["page_kind"]) == ("employee-handbook.pdf", 2, "page")
    assert c["label"] == "employee-handbook.pdf, page 2" and c["ocr"] is False
    assert answer["provider"] == "extractive" and answer["refused"] is False

    human = run(["ask", "How many vacation days carry over?", "-c", "company"], data).stdout
    assert "employee-handbook.pdf, page 2" in human

    listing = json.loads(run(["docs", "list", "-c", "company", "--json"], data).stdout)
    by_source = {d["source"]: d for d in listing["documents"]}
    assert by_source["board-minutes-damaged.pdf"]["status"] == "failed"
    assert "corrupt" in by_source["board-minutes-damaged.pdf"]["reason"]
    assert by_source["employee-handbook.pdf"]["chunks"] > 0

    run(["docs", "rm", "employee-handbook.pdf", "-c", "company"], data)
    after = json.loads(
        run(["ask", "How many vacation days carry over?", "-c", "company", "--json"], data).stdout
    )
    assert all(c["source"] != "employee-handbook.pdf" for c in after["citations"])
    missing = run(["docs", "rm", "employee-handbook.pdf", "-c", "company"], data, check=False)
    assert missing.returncode == 2 and "no document" in missing.stderr


def test_sentence_vectors_stored_at_ingest_give_the_same_answers(tmp_path):
    """GROUNDWORK_SENTENCE_VECTORS=ingest on a folder indexed before: the next ingest
    embeds the sentences of the unchanged files, and answers read them (real model)."""
    docs = copy_samples(tmp_path / "docs")
    data = tmp_path / "data"
    run(["ingest", str(docs), "-c", "company"], data)
    questions = ["How many vacation days carry over?", "Who must approve fully remote work?"]

    def answers():
        out = []
        for q in questions:
            got = json.loads(run(["ask", q, "-c", "company", "--json"], data).stdout)
            out.append((got["answer"], got["refused"], got["citations"]))
        return out

    before = answers()
    human = run(["ingest", str(docs), "-c", "company"], data, GROUNDWORK_SENTENCE_VECTORS="ingest")
    assert "sentences embedded for answering" in human.stdout
    assert list((data / "sentences").glob("company.sqlite3"))
    assert answers() == before


def test_clear_errors_instead_of_tracebacks(tmp_path):
    data = tmp_path / "data"
    proc = run(["ask", "anything", "-c", "nothing-here"], data, check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(["ask", "anything", "-c", "Bad Name!"], data, check=False)
    assert proc.returncode == 2 and "invalid collection name" in proc.stderr
    proc = run(["ask", "x"], data, check=False, GROUNDWORK_CHUNK_SIZE="10")
    assert proc.returncode == 2 and "GROUNDWORK_CHUNK_SIZE" in proc.stderr
    proc = run(["ask", "x"], data, check=False, GROUNDWORK_EMBEDDING_MODEL="/no/such/model")
    assert proc.returncode == 2 and "no models are downloaded" in proc.stderr.replace("\n", " ")


def write_memos(docs, count: int):
    docs.mkdir()
    for i in range(count):
        (docs / f"memo-{i:03d}.txt").write_text(
            f"Memo {i}. "
            + " ".join(f"Paragraph {j} of memo {i} about topic {i * j}." for j in range(60))
        )
    return docs


def kill_9_mid_ingest(docs, data, *args: str, after: int) -> int:
    """Start ``groundwork ingest docs -c memos *args``, SIGKILL it once ``after`` files are
    recorded ok, and return how many were."""
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data), **SMALL_BATCHES}
    proc = subprocess.Popen(
        [str(BIN / "groundwork"), "ingest", str(docs), "-c", "memos", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = data / "groundwork.sqlite3"
    deadline = time.time() + 240
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    done = conn.execute(
                        "SELECT count(*) FROM documents WHERE status='ok'"
                    ).fetchone()[0]
            except sqlite3.Error:
                pass
        if done >= after:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return done


def assert_every_chunk_once(data) -> None:
    """Chroma holds exactly the chunks the records count, none twice."""
    import chromadb

    client = chromadb.PersistentClient(path=str(data / "chroma"))
    ids = client.get_collection("gw_memos").get(include=[])["ids"]
    with sqlite3.connect(data / "groundwork.sqlite3") as conn:
        expected = conn.execute("SELECT sum(chunk_count) FROM documents").fetchone()[0]
    assert len(ids) == len(set(ids)) == expected


SMALL_BATCHES = {"GROUNDWORK_INGEST_BATCH_CHUNKS": "16"}


def test_kill_9_during_ingest_then_rerun_finishes_without_duplicates(tmp_path):
    docs = write_memos(tmp_path / "docs", 120)
    data = tmp_path / "data"
    done = kill_9_mid_ingest(docs, data, after=5)
    assert done < 120

    summary = json.loads(run(["ingest", str(docs), "-c", "memos", "--json"], data).stdout)
    assert summary["new"] + summary["unchanged"] == 120 and summary["unchanged"] >= 5
    assert_every_chunk_once(data)
