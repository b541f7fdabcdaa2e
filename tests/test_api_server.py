"""The API as it runs in production: ``groundwork serve`` (uvicorn) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import BIN, copy_samples, free_port, start_api, stop

pytestmark = [pytest.mark.integration, pytest.mark.server]


def env_for(data: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "GROUNDWORK_DATA_DIR": str(data),
        "GROUNDWORK_INGEST_WORKERS": "0",
        **extra,
    }


def groundwork(data: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the ``groundwork`` command on ``data`` and capture what it prints."""
    return subprocess.run(
        [str(BIN / "groundwork"), *args],
        env=env_for(data),
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


def serve(data: Path, *args: str, **extra: str) -> tuple[subprocess.Popen, str]:
    return start_api(env_for(data, **extra), *args)


def wait_ready(url: str, timeout: float = 180) -> None:
    """Until /ready says ready; a worker busy loading its models may answer slowly."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=30).status_code == 200:
                return
        except httpx.TimeoutException:
            pass
        time.sleep(0.3)
    raise TimeoutError("not ready")


def sse_events(url: str, body: dict) -> list[tuple[str, dict]]:
    events, kind = [], None
    with httpx.stream("POST", url + "/ask", json={**body, "stream": True}, timeout=60) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    return events


def test_serve_answers_streams_and_holds_the_writer_lock(tmp_path):
    data = tmp_path / "data"
    docs = copy_samples(tmp_path / "docs")
    groundwork(data, "ingest", str(docs), "-c", "company", check=True)
    proc, url = serve(data)
    try:
        wait_ready(url)
        answer = httpx.post(
            url + "/ask",
            json={"question": "How many vacation days carry over?", "collection": "company"},
            timeout=60,
        ).json()
        assert answer["citations"][0]["page"] == 2 and not answer["refused"]
        events = sse_events(
            url, {"question": "What is the daily meal allowance?", "collection": "company"}
        )
        assert events[0][0] == "sources" and events[-1][0] == "done"
        assert "60 euros" in events[-1][1]["answer"]
        # a second writer on the same embedded store is told why it cannot write
        other = groundwork(data, "ingest", str(docs), "-c", "company")
        assert other.returncode == 2
        assert "is writing to" in other.stderr and "GROUNDWORK_CHROMA_URL" in other.stderr
        second = groundwork(data, "serve", "--port", str(free_port()))
        assert second.returncode != 0 and "is writing to" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    # the lock went with the server
    again = groundwork(data, "ingest", str(docs), "-c", "company", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] == 5


def test_serve_refuses_a_public_address_without_keys(tmp_path):
    r = groundwork(tmp_path / "data", "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert r.returncode == 2 and "refusing to listen on 0.0.0.0 without API keys" in r.stderr


def test_several_workers_need_the_chroma_server(tmp_path):
    r = groundwork(tmp_path / "data", "serve", "--workers", "2", "--port", str(free_port()))
    assert r.returncode == 2 and "Chroma server mode" in r.stderr


def test_two_workers_on_a_chroma_server_and_a_store_outage_is_503(tmp_path, chroma_server):
    data = tmp_path / "data"
    proc, url = serve(data, "--workers", "2", GROUNDWORK_CHROMA_URL=chroma_server.url)
    try:
        wait_ready(url)
        files = [
            ("files", (p.name, p.read_bytes()))
            for p in sorted(copy_samples(tmp_path / "docs").iterdir())
        ]
        r = httpx.post(url + "/collections/company/documents", files=files, timeout=300)
        assert r.status_code == 200, r.text
        assert not (data / "chroma").exists()  # the server holds the vectors
        for _ in range(6):  # requests spread over both workers
            a = httpx.post(
                url + "/ask",
                json={
                    "question": "How long is parental leave for non-birth parents?",
                    "collection": "company",
                },
                timeout=300,  # a worker loads its models on its first question
            ).json()
            assert "10 weeks" in a["answer"]
        stop(chroma_server.proc)
        r = httpx.post(
            url + "/ask",
            json={"question": "How many vacation days carry over?", "collection": "company"},
            timeout=300,  # a worker loads its models on its first question
        )
        assert r.status_code == 503 and "unreachable" in r.json()["detail"]
        assert httpx.get(url + "/ready").status_code == 503
    finally:
        stop(proc)


def test_a_job_killed_with_the_server_resumes_without_duplicates(tmp_path):
    root = tmp_path / "inbox"
    folder = root / "notes"
    folder.mkdir(parents=True)
    for i in range(300):
        body = "\n\n".join(
            f"## Part {j}\n\nMinutes of meeting {i}, part {j}: the committee reviewed budget "
            f"line {i * 10 + j} and agreed to revisit it in quarter {j % 4 + 1}."
            for j in range(3)
        )
        (folder / f"minutes-{i:03d}.md").write_text(f"# Minutes {i}\n\n{body}\n")
    data = tmp_path / "data"
    extra = {"GROUNDWORK_INGEST_ROOT": str(root), "GROUNDWORK_INGEST_BATCH_CHUNKS": "16"}
    proc, url = serve(data, **extra)
    try:
        job = httpx.post(url + "/jobs", json={"collection": "notes", "path": "notes"}).json()
        deadline = time.time() + 180
        while time.time() < deadline:
            state = httpx.get(f"{url}/jobs/{job['id']}").json()
            if state["done"] >= 30:
                break
            time.sleep(0.1)
        assert state["status"] == "running" and state["eta_s"] is not None
    finally:
        proc.kill()  # SIGKILL: no shutdown code runs
        proc.wait()
    proc, url = serve(data, **extra)
    try:
        shown = httpx.get(f"{url}/jobs/{job['id']}").json()
        assert shown["status"] == "interrupted"
        assert httpx.post(f"{url}/jobs/{job['id']}/resume").status_code == 202
        deadline = time.time() + 300
        while time.time() < deadline:
            state = httpx.get(f"{url}/jobs/{job['id']}").json()
            if state["status"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        assert state["status"] == "succeeded" and state["done"] == 300
        assert state["unchanged"] >= 30
        docs = httpx.get(f"{url}/collections/notes/documents").json()
    finally:
        stop(proc)
    assert len(docs) == 300 and {d["status"] for d in docs} == {"ok"}
    from app.container import Container
    from app.settings import Settings

    store = Container(Settings(data_dir=data)).chunk_store
    assert store.count("notes") == sum(d["chunks"] for d in docs)
