"""Ingestion records: one row per document (hash, status, reason, chunk count, last ingest).

They decide what a re-run must do and back ``groundwork docs list``. A row is marked
``pending`` before its chunks are written and ``ok`` after, so a job killed in between
is finished (without duplicates) by the next run.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from retrieval.sqlite_db import SQLiteFile, transaction

_SCHEMA = """
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

OK, PENDING, FAILED = "ok", "pending", "failed"


@dataclass
class DocumentRecord:
    collection: str
    document_id: str
    source: str
    title: str | None
    content_hash: str | None
    config: str | None
    status: str
    reason: str | None
    chunk_count: int
    page_count: int | None
    size_bytes: int | None
    updated_at: float


class RecordStore(SQLiteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.conn)

    def get(self, collection: str, document_id: str) -> DocumentRecord | None:
        row = self.conn.execute(
            "SELECT * FROM documents WHERE collection = ? AND document_id = ?",
            (collection, document_id),
        ).fetchone()
        return DocumentRecord(*row) if row else None

    def list(self, collection: str) -> list[DocumentRecord]:
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE collection = ? ORDER BY source", (collection,)
        ).fetchall()
        return [DocumentRecord(*r) for r in rows]

    def find_by_source(self, collection: str, source: str) -> DocumentRecord | None:
        row = self.conn.execute(
            "SELECT * FROM documents WHERE collection = ? AND source = ?", (collection, source)
        ).fetchone()
        return DocumentRecord(*row) if row else None

    def collections(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT collection FROM documents ORDER BY collection"
            )
        ]

    def put(self, record: DocumentRecord, conn: sqlite3.Connection | None = None) -> None:
        record.updated_at = time.time()
        (conn or self.conn).execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.collection,
                record.document_id,
                record.source,
                record.title,
                record.content_hash,
                record.config,
                record.status,
                record.reason,
                record.chunk_count,
                record.page_count,
                record.size_bytes,
                record.updated_at,
            ),
        )

    def delete(self, collection: str, document_id: str) -> None:
        self.conn.execute(
            "DELETE FROM documents WHERE collection = ? AND document_id = ?",
            (collection, document_id),
        )

    def delete_collection(self, collection: str) -> None:
        self.conn.execute("DELETE FROM documents WHERE collection = ?", (collection,))
