"""Ingestion records: one row per document (hash, status, reason, chunk count, last ingest).

They decide what a re-run must do and back ``groundwork docs list``. A row is marked
``pending`` before its chunks are written and ``ok`` after, so a job killed in between
is finished (without duplicates) by the next run. Rows are written and read by column
name; the file carries a schema version (``PRAGMA user_version``) so a later change can
migrate it: add a step to ``_MIGRATIONS`` and raise ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from retrieval.sqlite_db import SQLiteFile, transaction

SCHEMA_VERSION = 2

_TABLE = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    document_id TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT,
    content_hash TEXT,
    config TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER,
    size_bytes INTEGER,
    updated_at REAL NOT NULL,
    PRIMARY KEY (collection, document_id)
);
"""

# version n → n + 1; version 0 is a new file or one written before versions were kept,
# whose table is the version-1 table
_MIGRATIONS: dict[int, str] = {
    0: _TABLE,
    1: "ALTER TABLE documents ADD COLUMN ocr_pages INTEGER NOT NULL DEFAULT 0",
}

OK, PENDING, FAILED = "ok", "pending", "failed"


class SchemaTooNewError(RuntimeError):
    """The records file was written by a newer Groundwork."""


@dataclass
class DocumentRecord:
    collection: str
    document_id: str
    source: str
    status: str
    title: str | None = None
    content_hash: str | None = None
    config: str | None = None
    reason: str | None = None
    chunk_count: int = 0
    page_count: int | None = None
    size_bytes: int | None = None
    updated_at: float = 0.0
    ocr_pages: int = 0  # pages, slides or frames whose text OCR read


COLUMNS = tuple(f.name for f in fields(DocumentRecord))
_INSERT = (
    f"INSERT OR REPLACE INTO documents ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)})"
)


def _record(row: sqlite3.Row | None) -> DocumentRecord | None:
    return DocumentRecord(**{c: row[c] for c in COLUMNS}) if row is not None else None


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to ``SCHEMA_VERSION``; returns the version it had."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the records file has schema version {found}; this Groundwork reads "
            f"up to {SCHEMA_VERSION}: upgrade Groundwork"
        )
    if found == SCHEMA_VERSION:
        return found  # nothing to write: a read-only data folder opens too
    try:
        with transaction(conn):
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            for version in range(found, SCHEMA_VERSION):
                for statement in filter(str.strip, _MIGRATIONS[version].split(";")):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc).replace("-", "").replace(" ", ""):
            raise
        # an older file in a read-only folder is read as it is (see ``_select``)
    return found


def _select(conn: sqlite3.Connection) -> str:
    """The SELECT of every column; a column an older file lacks reads as its default."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    defaults = {f.name: f.default for f in fields(DocumentRecord)}
    cols = [c if c in present or not present else f"{defaults[c]!r} AS {c}" for c in COLUMNS]
    return f"SELECT {', '.join(cols)} FROM documents"


class RecordStore(SQLiteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, "")
        migrate(self.conn)
        self._select = _select(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = super().conn
        conn.row_factory = sqlite3.Row
        return conn

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.conn)

    def get(self, collection: str, document_id: str) -> DocumentRecord | None:
        row = self.conn.execute(
            f"{self._select} WHERE collection = ? AND document_id = ?", (collection, document_id)
        ).fetchone()
        return _record(row)

    def list(self, collection: str) -> list[DocumentRecord]:
        rows = self.conn.execute(
            f"{self._select} WHERE collection = ? ORDER BY source", (collection,)
        ).fetchall()
        return [_record(r) for r in rows]

    def chunk_total(self, collection: str) -> int:
        """The chunks the collection's records say are written."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(chunk_count), 0) FROM documents WHERE collection = ?",
            (collection,),
        ).fetchone()
        return int(row[0])

    def find_by_source(self, collection: str, source: str) -> DocumentRecord | None:
        row = self.conn.execute(
            f"{self._select} WHERE collection = ? AND source = ?", (collection, source)
        ).fetchone()
        return _record(row)

    def collections(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT collection FROM documents ORDER BY collection"
            )
        ]

    def put(self, record: DocumentRecord, conn: sqlite3.Connection | None = None) -> None:
        record.updated_at = time.time()
        (conn or self.conn).execute(_INSERT, asdict(record))

    def delete(self, collection: str, document_id: str) -> None:
        self.conn.execute(
            "DELETE FROM documents WHERE collection = ? AND document_id = ?",
            (collection, document_id),
        )

    def delete_collection(self, collection: str) -> None:
        self.conn.execute("DELETE FROM documents WHERE collection = ?", (collection,))
