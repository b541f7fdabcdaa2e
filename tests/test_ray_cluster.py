"""The Ray engine on a simulated two-node cluster, and ``groundwork ingest --engine ray``
as a user runs it: its own runtime, started and stopped, killed mid-job and resumed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import BIN
from tests.test_cli import run
from tests.test_ray_engine import container, index, same, share

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.integration


def test_two_nodes_share_the_work_and_build_the_local_index(tmp_path):
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
        nodes = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
        assert len(nodes) == 2
        docs = share(tmp_path / "docs")
        reference = container(tmp_path / "local", "local")
        reference.ingestor.ingest_folder(docs, "share")
        c = container(tmp_path / "ray", "ray", ray_address=cluster.address)
        summary = c.ingestor.ingest_folder(docs, "share")
        placement = c.ingestor.executor.placement
        # one node holds the embedding actor's CPU, so parsing ran on the other as well
        assert placement.parse | placement.embed == nodes
        assert summary.new == 8 and same(index(reference), index(c))
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(tmp_path / "docs", ignore_errors=True)


def _ray_processes() -> set[int]:
    out = subprocess.run(["pgrep", "-f", "raylet|gcs_server|ray::"], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


def test_cli_ray_engine_leaves_no_process_and_resumes_after_kill_9(tmp_path):
    before = _ray_processes()
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(80):
        (docs / f"memo-{i:03d}.txt").write_text(
            f"Memo {i}. "
            + " ".join(f"Paragraph {j} of memo {i} about topic {i * j}." for j in range(60))
        )
    data = tmp_path / "data"
    small = {"GROUNDWORK_INGEST_BATCH_CHUNKS": "16"}
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data), **small}
    proc = subprocess.Popen(
        [str(BIN / "groundwork"), "ingest", str(docs), "-c", "memos", "--engine", "ray"],
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
        if done >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)  # Ray's agents outlive it: the next run ends them
    proc.wait()
    assert done < 80

    summary = json.loads(
        run(["ingest", str(docs), "-c", "memos", "--engine", "ray", "--json"], data, **small).stdout
    )
    assert summary["new"] + summary["unchanged"] == 80 and summary["unchanged"] >= 3
    import chromadb

    client = chromadb.PersistentClient(path=str(data / "chroma"))
    ids = client.get_collection("gw_memos").get(include=[])["ids"]
    with sqlite3.connect(db) as conn:
        expected = conn.execute("SELECT sum(chunk_count) FROM documents").fetchone()[0]
    assert len(ids) == len(set(ids)) == expected
    deadline = time.time() + 30  # both runtimes have stopped, the killed one's agents too
    while _ray_processes() - before and time.time() < deadline:
        time.sleep(0.5)
    assert not _ray_processes() - before
