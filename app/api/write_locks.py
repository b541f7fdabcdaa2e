"""One writer per collection inside the API process: uploads, deletes and jobs take turns."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CollectionLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}

    @contextmanager
    def hold(self, collection: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(collection, threading.RLock())
        with lock:
            yield
