"""One writer per data folder when Chroma is embedded.

The embedded Chroma (``PersistentClient``) is not made for several processes writing the
same folder. Whoever writes (``groundwork serve``, ``groundwork ingest``, ``docs rm``)
holds an OS file lock (filelock, released by the kernel if the process dies) on
``<data_dir>/writer.lock``; a second writer gets a clear error naming the holder. With a
Chroma server (``GROUNDWORK_CHROMA_URL``) the server serialises writes and no lock is taken.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from filelock import FileLock, Timeout

from retrieval.errors import ConfigurationError, GroundworkError


class WriterLockedError(GroundworkError):
    """Another process is writing to the same embedded store."""


class WriterLock:
    def __init__(self, data_dir: Path, *, enabled: bool = True) -> None:
        self.path = Path(data_dir) / "writer.lock"
        self.info_path = Path(data_dir) / "writer.json"
        self.enabled = enabled
        self._lock: FileLock | None = None

    def acquire(self) -> WriterLock:
        if not self.enabled or self._lock is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.path, thread_local=False)
            lock.acquire(timeout=0)
        except Timeout:
            raise WriterLockedError(self._held_message()) from None
        except OSError as exc:
            raise ConfigurationError(
                f"cannot write to the data folder {self.path.parent} ({exc.strerror}): "
                "Groundwork needs to write there; make it writable or set GROUNDWORK_DATA_DIR"
            ) from None
        self._lock = lock
        self.info_path.write_text(
            json.dumps({"pid": os.getpid(), "command": _command()}), encoding="utf-8"
        )
        return self

    def release(self) -> None:
        if self._lock is not None:
            self.info_path.unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def _held_message(self) -> str:  # noqa: D401
        holder = "another process"
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            holder = f"process {info['pid']} ({info['command']})"
        except (OSError, ValueError, KeyError):
            pass
        return (
            f"{holder} is writing to {self.path.parent}. The embedded Chroma takes one "
            "writer at a time: stop it, or run a Chroma server (`chroma run`) and set "
            "GROUNDWORK_CHROMA_URL so several processes can share the store."
        )


def _command() -> str:
    """``groundwork serve`` rather than the full path of the script."""
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:2]]) if sys.argv else "python"
