"""Build the Chroma client: embedded ``PersistentClient`` by default, HTTP for ``chroma run``."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

from retrieval.errors import ConfigurationError, ProviderUnavailableError
from retrieval.search.snapshots import read_only_copy
from retrieval.sqlite_db import writable

log = logging.getLogger("groundwork.store")


def make_chroma_client(data_dir: Path, url: str | None = None):
    """Return a chromadb client. ``url`` (``http://host:port``) selects a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        path = Path(data_dir) / "chroma"
        if not writable(path):
            # the embedded Chroma writes even to open a collection for reading: read a copy
            path = read_only_copy(
                path,
                instead="serve the folder with a Chroma server (chroma run) and set "
                "GROUNDWORK_CHROMA_URL",
            )
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
