"""The Ray engine on a simulated two-node cluster, and ``groundwork ingest --engine ray``
as a user runs it: its own runtime, started and stopped, killed mid-job and resumed."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tests.test_cli import (
    SMALL_BATCHES,
    assert_every_chunk_once,
    kill_9_mid_ingest,
    run,
    write_memos,
)
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
    docs = write_memos(tmp_path / "docs", 80)
    data = tmp_path / "data"
    # Ray's agents outlive the killed CLI: the next run ends them
    done = kill_9_mid_ingest(docs, data, "--engine", "ray", after=3)
    assert done < 80

    summary = json.loads(
        run(
            ["ingest", str(docs), "-c", "memos", "--engine", "ray", "--json"],
            data,
            **SMALL_BATCHES,
        ).stdout
    )
    assert summary["new"] + summary["unchanged"] == 80 and summary["unchanged"] >= 3
    assert_every_chunk_once(data)
    deadline = time.time() + 30  # both runtimes have stopped, the killed one's agents too
    while _ray_processes() - before and time.time() < deadline:
        time.sleep(0.5)
    assert not _ray_processes() - before
