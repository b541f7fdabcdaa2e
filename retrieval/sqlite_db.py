"""Opening SQLite files the way Groundwork uses them: WAL, autocommit, explicit transactions."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.metadata import validate_collection_name


def writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (or, if it does not exist yet, its nearest
    existing parent): False on a read-only mount or without write permission."""
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


def connect(path: Path, schema: str, *, page_size: int | None = None) -> sqlite3.Connection:
    """A connection in autocommit mode with write-ahead logging and ``schema`` applied;
    ``page_size`` for a file made now (rows of kilobytes waste less of larger pages).

    In a read-only folder the file is opened ``immutable`` (SQLite then needs no journal
    or lock files); a file that was never written there opens as an empty in-memory copy
    of the schema. Writes to either fail with "attempt to write a readonly database".
    """
    if not writable(path.parent):
        return _read_only(path, schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    if new and page_size:
        conn.execute(f"PRAGMA page_size={int(page_size)}")  # before WAL fixes it
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(schema)
    return conn


def _read_only(path: Path, schema: str) -> sqlite3.Connection:
    if not path.exists():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.executescript(schema)
        return conn
    uri = f"{path.absolute().as_uri()}?immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception (Ctrl-C included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class SQLiteFile:
    """One SQLite file with ``schema``; each thread gets its own connection."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.schema = schema
        self._local = threading.local()

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path, self.schema)
        return conn


class CollectionFiles:
    """One SQLite file with ``schema`` per collection under ``root``; each thread gets its
    own connection to each file."""

    def __init__(self, root: Path, schema: str, *, page_size: int | None = None) -> None:
        self.root = Path(root)
        self.schema = schema
        self.page_size = page_size
        self._local = threading.local()

    def path(self, collection: str) -> Path:
        validate_collection_name(collection)
        return self.root / f"{collection}.sqlite3"

    def conn(self, collection: str, create: bool = True) -> sqlite3.Connection | None:
        """This thread's connection; None when the file does not exist and not ``create``."""
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(collection)
        if conn is not None:
            return conn
        path = self.path(collection)
        if not path.exists() and not create:
            return None
        conn = conns[collection] = connect(path, self.schema, page_size=self.page_size)
        return conn

    def drop(self, collection: str) -> None:
        """Close this thread's connection and delete the file with its WAL and index."""
        conn = getattr(self._local, "conns", {}).pop(collection, None)
        if conn is not None:
            conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path(collection)) + suffix).unlink(missing_ok=True)
