from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Ray clusters started by tests live on 127.0.0.1 only (Ray resolves "127.0.0.1" to the
# machine's address otherwise, where nothing listens)
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"
BIN = Path(sys.executable).parent
# the fields of an answer, as the CLI's --json and the API return them
ANSWER_FIELDS = {"answer", "refused", "citations", "notes", "collection", "provider", "timings_ms"}


@pytest.fixture
def settings(tmp_path):
    from app.settings import Settings

    return Settings(data_dir=tmp_path / "data", ingest_workers=0)


@pytest.fixture
def fake_container(settings):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    return Container(settings, embeddings=HashingEmbeddings())


@pytest.fixture(scope="session")
def real_embeddings():
    from retrieval.models.embeddings import SentenceTransformerEmbeddings

    emb = SentenceTransformerEmbeddings()
    emb.warm_up()
    return emb


@pytest.fixture(scope="session")
def company(tmp_path_factory, real_embeddings):
    """sample_docs/ ingested once into a real embedded Chroma with the real model."""
    from app.container import Container
    from app.settings import Settings

    data = tmp_path_factory.mktemp("company-data")
    container = Container(Settings(data_dir=data, ingest_workers=1), embeddings=real_embeddings)
    summary = container.ingestor.ingest_folder(SAMPLE_DOCS, "company")
    container.summary = summary
    return container


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def read_only_mount(folder: Path, at: Path) -> Iterator[Path]:
    """``folder`` bind-mounted read-only at ``at`` (the test is skipped without
    privileges); unmounted afterwards."""
    at.mkdir()
    bind = subprocess.run(["mount", "--bind", str(folder), str(at)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(at)], check=True)
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=False)


def copy_samples(dest: Path) -> Path:
    shutil.copytree(SAMPLE_DOCS, dest)
    return dest


def write_keys(path: Path, *entries: dict) -> Path:
    """An API keys file in the documented shape."""
    import json

    path.write_text(json.dumps({"keys": list(entries)}), encoding="utf-8")
    return path


@pytest.fixture
def api(fake_container):
    """The API over a hashing embedder, no keys (local mode)."""
    from fastapi.testclient import TestClient

    from app.api import create_app

    with TestClient(create_app(container=fake_container)) as client:
        client.container = fake_container
        yield client


def sample_files(*names: str) -> list[tuple[str, tuple[str, bytes]]]:
    """Multipart ``files`` entries for sample documents (all of them when no name is given)."""
    paths = [SAMPLE_DOCS / n for n in names] if names else sorted(SAMPLE_DOCS.iterdir())
    return [("files", (p.name, p.read_bytes())) for p in paths]


class ChromaServer:
    def __init__(self, url: str, proc: subprocess.Popen) -> None:
        self.url, self.proc = url, proc


@pytest.fixture
def chroma_url(chroma_server):
    return chroma_server.url


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server (`chroma run`) on 127.0.0.1, stopped after the test."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "chroma"),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/api/v2/heartbeat", 60, proc)
        yield ChromaServer(url, proc)
    finally:
        stop(proc)


def start_api(env: dict[str, str], *args: str) -> tuple[subprocess.Popen, str]:
    """``groundwork serve`` on a free 127.0.0.1 port; returns once /health answers."""
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "groundwork"), "serve", "--port", str(port), "--log-level", "warning", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health", 90, proc)
    except Exception:
        stop(proc)
        raise RuntimeError(f"groundwork serve did not start: {proc.stderr.read()}") from None
    return proc, url


def start_api_with_samples(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """``groundwork ingest sample_docs -c company``, then ``start_api``."""
    subprocess.run(
        [str(BIN / "groundwork"), "ingest", str(SAMPLE_DOCS), "-c", "company"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return start_api(env)


class RunningApi:
    """A ``groundwork serve`` process on 127.0.0.1 with the sample documents and keys."""

    def __init__(self, url: str, proc: subprocess.Popen, keys: dict[str, str], root: Path):
        self.url, self.proc, self.keys, self.root = url, proc, keys, root


UI_KEYS = {
    "full": "ui-full-key-0123456789",
    "reader": "ui-reader-key-0123456789",
    "nobody": "ui-nobody-key-0123456789",
}


@pytest.fixture(scope="module")
def running_api(tmp_path_factory):
    base = tmp_path_factory.mktemp("running-api")
    data = base / "data"
    root = base / "inbox"
    copy_samples(root / "docs")
    keys = write_keys(
        base / "keys.json",
        {
            "key": UI_KEYS["full"],
            "name": "full",
            "read": ["company", "scratch", "jobs"],
            "write": ["company", "scratch", "jobs"],
            "ingest_paths": ["docs"],
        },
        {"key": UI_KEYS["reader"], "name": "reader", "read": ["company"], "write": []},
        {"key": UI_KEYS["nobody"], "name": "nobody", "read": [], "write": []},
    )
    env = {
        **os.environ,
        "GROUNDWORK_DATA_DIR": str(data),
        "GROUNDWORK_INGEST_WORKERS": "0",
        "GROUNDWORK_API_KEYS_FILE": str(keys),
        "GROUNDWORK_INGEST_ROOT": str(root),
    }
    proc, url = start_api_with_samples(env)
    try:
        import httpx

        deadline = time.time() + 90
        headers = {"Authorization": f"Bearer {UI_KEYS['full']}"}
        while httpx.get(url + "/ready", headers=headers).status_code != 200:
            if time.time() > deadline:
                raise TimeoutError("API not ready")
            time.sleep(0.3)
        yield RunningApi(url, proc, UI_KEYS, root)
    finally:
        stop(proc)
