"""Hybrid search: a dense (Chroma) and a keyword (BM25) retriever fused into one ranking."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from retrieval import metadata as md
from retrieval.search.chroma_store import ChromaChunkStore
from retrieval.search.fusion import convex_combination, reciprocal_rank_fusion
from retrieval.search.keyword_index import KeywordIndex
from retrieval.search.sentence_rescoring import SentenceRescorer

SearchMode = Literal["hybrid", "dense", "keyword"]

_keyword_pool: ThreadPoolExecutor | None = None
_keyword_pool_lock = threading.Lock()


def _keyword_threads() -> ThreadPoolExecutor:
    """The threads that run keyword searches beside the dense search (made on first use).

    The keyword search (tantivy, about a millisecond even at 50,000 chunks) and the
    question's embedding plus the vector search proceed side by side."""
    global _keyword_pool
    with _keyword_pool_lock:
        if _keyword_pool is None:
            _keyword_pool = ThreadPoolExecutor(8, thread_name_prefix="keyword-search")
        return _keyword_pool


def chroma_where(
    sources: list[str] | None,
    document_ids: list[str] | None,
    exclude_document_ids: list[str] | None = None,
) -> dict | None:
    clauses: list[dict[str, Any]] = []
    if sources:
        clauses.append({md.SOURCE: {"$in": list(sources)}})
    if document_ids:
        clauses.append({md.DOCUMENT_ID: {"$in": list(document_ids)}})
    if exclude_document_ids:
        clauses.append({md.DOCUMENT_ID: {"$nin": list(exclude_document_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever(BaseRetriever):
    """Retrieve chunks of one collection; each result carries ``metadata["score"]``.

    >>> retriever = HybridRetriever(chunk_store=vs, keyword_index=ki, collection="company")
    >>> retriever.invoke("How many vacation days carry over?")[0].metadata["source"]
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    chunk_store: ChromaChunkStore
    keyword_index: KeywordIndex
    collection: str
    k: int = Field(default=5, ge=1, le=1000)
    depth: int = Field(default=50, ge=1, le=1000)
    mode: SearchMode = "hybrid"
    fusion: Literal["rrf", "convex"] = "convex"
    dense_weight: float = 0.5
    rrf_k: int = 60
    sources: list[str] | None = None
    document_ids: list[str] | None = None
    exclude_document_ids: list[str] | None = None
    # hybrid mode: the support model's closest sentence blended into the best chunks' score
    rescorer: SentenceRescorer | None = None

    def dense(self, query: str, depth: int) -> list[tuple[Document, float]]:
        """The nearest chunks; their texts are read later, only for the chunks kept."""
        vector = self.chunk_store.embeddings.embed_query(query)
        return self.chunk_store.nearest(
            self.collection,
            vector,
            depth,
            where=chroma_where(self.sources, self.document_ids, self.exclude_document_ids),
        )

    def keyword(self, query: str, depth: int) -> list[tuple[Document, float]]:
        return self.keyword_index.search(
            self.collection,
            query,
            depth,
            sources=self.sources,
            document_ids=self.document_ids,
            exclude_document_ids=self.exclude_document_ids,
        )

    def search(self, query: str, k: int | None = None) -> list[Document]:
        k = k or self.k
        depth = max(self.depth, k)
        by_id: dict[str, Document] = {}
        lists = []
        # hybrid: the keyword search runs on another thread while the dense one runs here
        pending = (
            _keyword_threads().submit(self.keyword, query, depth) if self.mode == "hybrid" else None
        )
        if self.mode in ("hybrid", "dense"):
            hits = self.dense(query, depth)
            lists.append([(d.id, s) for d, s in hits])
            by_id.update({d.id: d for d, _ in hits})
        if self.mode in ("hybrid", "keyword"):
            hits = pending.result() if pending is not None else self.keyword(query, depth)
            lists.append([(d.id, s) for d, s in hits])
            for d, _ in hits:
                known = by_id.setdefault(d.id, d)
                if not known.page_content:  # a dense hit: its text, its Chroma metadata
                    by_id[d.id] = Document(
                        page_content=d.page_content, metadata=known.metadata, id=d.id
                    )
        if len(lists) == 1:
            fused = list(lists[0])
        elif self.fusion == "convex":
            fused = convex_combination(lists, weights=[self.dense_weight, 1 - self.dense_weight])
        else:
            fused = reciprocal_rank_fusion(
                lists, k=self.rrf_k, weights=[2 * self.dense_weight, 2 - 2 * self.dense_weight]
            )
        if self.rescorer is not None and self.mode == "hybrid":
            fused = self._readable(fused, by_id, max(k, self.rescorer.pool))
            fused = self.rescorer.rescore(self.collection, query, fused, by_id)
        fused = self._readable(fused, by_id, k)
        out = []
        for rank, (cid, score) in enumerate(fused[:k], start=1):
            doc = by_id[cid]
            doc = Document(
                page_content=doc.page_content,
                metadata={**doc.metadata, "score": float(score), "rank": rank},
                id=cid,
            )
            out.append(doc)
        return out

    def _readable(
        self, fused: list[tuple[str, float]], by_id: dict[str, Document], count: int
    ) -> list[tuple[str, float]]:
        """``fused`` whose first ``count`` chunks have their texts (read from the keyword
        index for dense hits, in one call per pass); a chunk whose text is not stored
        yet (its write is under way) is dropped and the next one taken."""
        kept: list[tuple[str, float]] = []
        rest = list(fused)
        while rest and len(kept) < count:
            window, rest = rest[: count - len(kept)], rest[count - len(kept) :]
            docs = self.chunk_store.with_texts(self.collection, [by_id[cid] for cid, _ in window])
            by_id.update((d.id, d) for d in docs)
            readable = {d.id for d in docs}
            kept.extend((cid, score) for cid, score in window if cid in readable)
        return kept + rest

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return self.search(query)
