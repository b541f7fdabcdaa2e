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


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the file is not a SQLite database or is corrupt (as opposed to
    locked, full or read-only, which a retry or the operator can fix)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.DatabaseError)
        and code is not None
        and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    )


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
    own connection to each file.

    A connection never outlives its file: when a collection is dropped (by any thread, or
    by another process) every thread's connection to the old file is closed on its next
    use and a new one opened, so no thread keeps reading a deleted collection."""

    def __init__(self, root: Path, schema: str, *, page_size: int | None = None) -> None:
        self.root = Path(root)
        self.schema = schema
        self.page_size = page_size
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation: dict[str, int] = {}  # bumped by ``drop``, seen by every thread

    def path(self, collection: str) -> Path:
        validate_collection_name(collection)
        return self.root / f"{collection}.sqlite3"

    def conn(self, collection: str, create: bool = True) -> sqlite3.Connection | None:
        """This thread's connection; None when the file does not exist and not ``create``."""
        conns = self._conns()
        path = self.path(collection)
        identity = _file_identity(path)
        with self._lock:
            generation = self._generation.get(collection, 0)
        cached = conns.get(collection)
        if cached is not None:
            conn, opened_generation, opened_identity = cached
            if opened_generation == generation and opened_identity == identity:
                return conn
            del conns[collection]  # its file was dropped or replaced: do not read it
            conn.close()
        if identity is None and not create:
            return None
        conn = connect(path, self.schema, page_size=self.page_size)
        conns[collection] = (conn, generation, _file_identity(path))
        return conn

    def drop(self, collection: str) -> None:
        """Delete the file with its WAL and index; every thread's connection to it closes
        on its next use."""
        with self._lock:
            self._generation[collection] = self._generation.get(collection, 0) + 1
        cached = self._conns().pop(collection, None)
        if cached is not None:
            cached[0].close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path(collection)) + suffix).unlink(missing_ok=True)

    def _conns(self) -> dict[str, tuple[sqlite3.Connection, int, tuple[int, int] | None]]:
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        return conns


def _file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, None when it does not exist: a file deleted and made
    again by another process has a new identity (unless the inode number is reused, which
    the in-process generation covers for drops made here)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)
