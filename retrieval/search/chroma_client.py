"""Build the Chroma client: embedded ``PersistentClient`` by default, HTTP for ``chroma run``."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from retrieval.errors import ConfigurationError, ProviderUnavailableError
from retrieval.processes import pid_alive
from retrieval.sqlite_db import writable

log = logging.getLogger("groundwork.store")
_SNAPSHOT_PREFIX = "groundwork-readonly-"
_SNAPSHOTS: list[Path] = []


def make_chroma_client(data_dir: Path, url: str | None = None):
    """Return a chromadb client. ``url`` (``http://host:port``) selects a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        path = Path(data_dir) / "chroma"
        if not writable(path):
            # the embedded Chroma writes even to open a collection for reading: read a copy
            path = _snapshot(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cannot create {path}: {exc.strerror}") from exc
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigurationError(
            f"GROUNDWORK_CHROMA_URL must look like http://host:port, got {url!r}"
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        return chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings
        )
    except Exception as exc:  # chromadb raises a bare ValueError/ConnectionError here
        raise ProviderUnavailableError(f"cannot reach the Chroma server at {url}: {exc}") from exc


def _snapshot(path: Path) -> Path:
    """Copy a read-only embedded store to a temporary folder removed at exit.

    Costs a copy of the store (disk and a few seconds per GB) at start-up; a Chroma server
    (``GROUNDWORK_CHROMA_URL``) serves a read-only folder without one.
    """
    _remove_orphans()
    target = Path(tempfile.mkdtemp(prefix=f"{_SNAPSHOT_PREFIX}{os.getpid()}-")) / "chroma"
    try:
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            target.mkdir()
    except OSError as exc:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise ConfigurationError(
            f"the data folder {path.parent} is read-only and its index could not be copied "
            f"to {target.parent} to read it ({exc.strerror}); free space there, or serve the "
            "folder with a Chroma server (chroma run) and set GROUNDWORK_CHROMA_URL"
        ) from exc
    if not _SNAPSHOTS:
        atexit.register(remove_snapshots)
    _SNAPSHOTS.append(target.parent)
    log.warning(
        "the data folder %s is read-only: answering from a copy of its index in %s; "
        "changes to the index are refused",
        path.parent,
        target.parent,
    )
    return target


def remove_snapshots() -> None:
    """Remove this process's copies of read-only stores (at exit, or when a server stops:
    uvicorn ends on the signal it caught, so exit handlers do not run there)."""
    while _SNAPSHOTS:
        shutil.rmtree(_SNAPSHOTS.pop(), ignore_errors=True)


def _remove_orphans() -> None:
    """Snapshots left by processes that were killed before their exit handler ran."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_SNAPSHOT_PREFIX}*"):
        match = re.match(rf"{_SNAPSHOT_PREFIX}(\d+)-", folder.name)
        if match and not pid_alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
