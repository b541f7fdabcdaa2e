"""Copies of a read-only data folder's stores, for readers that write even to read.

The embedded Chroma and tantivy both take a lock file to open an index, so a store in a
read-only folder is read from a copy in a temporary folder, removed when the process ends
(or when a server stops), or by a later process when this one was killed first.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from retrieval.errors import ConfigurationError
from retrieval.processes import pid_alive

log = logging.getLogger("groundwork.store")
_PREFIX = "groundwork-readonly-"
_SNAPSHOTS: list[Path] = []
_lock = threading.Lock()


def read_only_copy(path: Path, *, instead: str) -> Path:
    """Copy ``path`` (a folder; missing: an empty one) to a temporary folder; returns the
    copy. ``instead`` tells the user how to avoid the copy, when it cannot be made.

    Costs a copy of the store (disk and a few seconds per GB) when it is first opened."""
    _remove_orphans()
    target = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-")) / path.name
    try:
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            target.mkdir()
    except OSError as exc:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise ConfigurationError(
            f"the data folder {path.parent} is read-only and {path.name} could not be copied "
            f"to {target.parent} to read it ({exc.strerror}); free space there, or {instead}"
        ) from exc
    with _lock:
        if not _SNAPSHOTS:
            atexit.register(remove_snapshots)
        _SNAPSHOTS.append(target.parent)
    log.warning(
        "%s is read-only: answering from a copy in %s; changes to it are refused",
        path,
        target.parent,
    )
    return target


def remove_snapshots() -> None:
    """Remove this process's copies of read-only stores (at exit, or when a server stops:
    uvicorn ends on the signal it caught, so exit handlers do not run there)."""
    with _lock:
        while _SNAPSHOTS:
            shutil.rmtree(_SNAPSHOTS.pop(), ignore_errors=True)


def _remove_orphans() -> None:
    """Copies left by processes that were killed before their exit handler ran."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        match = re.match(rf"{_PREFIX}(\d+)-", folder.name)
        if match and not pid_alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
