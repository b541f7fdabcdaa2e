"""BM25 keyword search over chunks, persisted in SQLite FTS5 (one file per collection).

FTS5 keeps the index on disk and updates it in place on add, replace and delete, so it
stays consistent with the vector store without rebuilding; ``bm25()`` ranks the hits.
The Porter stemmer is applied on both sides; stop words are dropped from queries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.sqlite_db import CollectionFiles, transaction
from retrieval.terms import STOPWORDS, words

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    body, context,
    chunk_id UNINDEXED, document_id UNINDEXED, source UNINDEXED, meta UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS chunk_rows (fts_rowid INTEGER PRIMARY KEY, document_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_rows_document ON chunk_rows(document_id);
"""


def fts_query(question: str, max_terms: int = 64) -> str | None:
    """An OR query of the question's distinct non-stop words, each quoted for FTS5."""
    seen: list[str] = []
    for w in words(question):
        if w in STOPWORDS or w in seen:
            continue
        seen.append(w)
    if not seen:
        seen = list(dict.fromkeys(words(question)))
    if not seen:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in seen[:max_terms])


class KeywordIndex:
    """Per-collection FTS5 files under ``root``. Thread-safe; one connection per thread."""

    def __init__(self, root: Path, *, body_weight: float = 1.0, context_weight: float = 0.5):
        self.root = Path(root)
        self.body_weight = body_weight
        self.context_weight = context_weight
        self._files = CollectionFiles(self.root, _SCHEMA)

    def _conn(self, collection: str, create: bool = True) -> sqlite3.Connection | None:
        return self._files.conn(collection, create)

    def replace_documents(
        self, collection: str, document_ids: Iterable[str], chunks: Sequence[Document]
    ) -> None:
        """Atomically drop the documents' old chunks and insert ``chunks``."""
        conn = self._conn(collection)
        assert conn is not None
        rows = []
        for doc in chunks:
            meta = doc.metadata
            context = " ".join(
                x for x in (meta.get(md.TITLE) or "", meta.get(md.HEADING_PATH) or "") if x
            )
            rows.append(
                (
                    doc.page_content,
                    context,
                    doc.id,
                    meta[md.DOCUMENT_ID],
                    meta.get(md.SOURCE, ""),
                    json.dumps(meta, ensure_ascii=False),
                )
            )
        with transaction(conn):
            for doc_id in set(document_ids):
                conn.execute(
                    "DELETE FROM chunks WHERE rowid IN "
                    "(SELECT fts_rowid FROM chunk_rows WHERE document_id = ?)",
                    (doc_id,),
                )
                conn.execute("DELETE FROM chunk_rows WHERE document_id = ?", (doc_id,))
            for row in rows:
                cur = conn.execute(
                    "INSERT INTO chunks(body, context, chunk_id, document_id, source, meta) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
                conn.execute(
                    "INSERT INTO chunk_rows(fts_rowid, document_id) VALUES (?, ?)",
                    (cur.lastrowid, row[3]),
                )

    def delete_document(self, collection: str, document_id: str) -> None:
        self.replace_documents(collection, [document_id], [])

    def drop_collection(self, collection: str) -> None:
        self._files.drop(collection)

    def count(self, collection: str) -> int:
        conn = self._conn(collection, create=False)
        if conn is None:
            return 0
        return conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def search(
        self,
        collection: str,
        question: str,
        k: int,
        *,
        sources: Sequence[str] | None = None,
        document_ids: Sequence[str] | None = None,
        exclude_document_ids: Sequence[str] | None = None,
    ) -> list[tuple[Document, float]]:
        """Best ``k`` chunks by BM25, best first; the score is positive (higher is better)."""
        conn = self._conn(collection, create=False)
        query = fts_query(question)
        if conn is None or query is None:
            return []
        sql = (
            "SELECT chunk_id, body, meta, bm25(chunks, ?, ?) AS rank FROM chunks "
            "WHERE chunks MATCH ?"
        )
        params: list[Any] = [self.body_weight, self.context_weight, query]
        if sources:
            sql += f" AND source IN ({','.join('?' * len(sources))})"
            params.extend(sources)
        if document_ids:
            sql += f" AND document_id IN ({','.join('?' * len(document_ids))})"
            params.extend(document_ids)
        if exclude_document_ids:
            sql += f" AND document_id NOT IN ({','.join('?' * len(exclude_document_ids))})"
            params.extend(exclude_document_ids)
        sql += " ORDER BY rank LIMIT ?"
        params.append(k)
        out = []
        for chunk_id, body, meta, rank in conn.execute(sql, params):
            out.append(
                (
                    Document(
                        page_content=body, metadata=md.from_chroma(json.loads(meta)), id=chunk_id
                    ),
                    -float(rank),
                )
            )
        return out
