"""The part every reranker shares: score the chunks, blend with retrieval, reorder.

A reranker reads the question with each retrieved chunk and gives it a relevance score.
The new order is ``retrieval_weight`` · retrieval score + the rest · reranker score, both
min-max scaled over the chunks given, so a reranker can correct retrieval without
throwing away what retrieval knew. Each chunk gains ``metadata["rank"]`` and
``metadata["rerank_score"]``. Implementations: ``retrieval.rerank.cross_encoder`` and
``retrieval.rerank.query_likelihood``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from langchain_core.callbacks import Callbacks
from langchain_core.documents import Document
from langchain_core.documents.compressor import BaseDocumentCompressor
from pydantic import ConfigDict, Field

from retrieval.search.fusion import min_max


class Reranker(BaseDocumentCompressor):
    """A langchain ``BaseDocumentCompressor`` that keeps every chunk and reorders them."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retrieval_weight: float = Field(default=0.3, ge=0.0, le=1.0)

    @abstractmethod
    def warm_up(self) -> None:
        """Load the model once."""

    @abstractmethod
    def relevance(self, query: str, passages: Sequence[str]) -> list[float]:
        """One score per passage; higher means more relevant. Any scale."""

    def passage(self, query: str, text: str) -> str:
        """What the reranker reads of a chunk: all of it, unless a subclass says less."""
        return text

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> list[Document]:
        docs = list(documents)
        if len(docs) < 2 or not query.strip():
            return docs
        passages = [self.passage(query, d.page_content) for d in docs]
        read = min_max(list(enumerate(self.relevance(query, passages))))
        retrieved = min_max([(n, float(d.metadata.get("score", 0.0))) for n, d in enumerate(docs)])
        w = self.retrieval_weight
        fused = [w * retrieved[n] + (1 - w) * read[n] for n in range(len(docs))]
        order = sorted(range(len(docs)), key=lambda n: (-fused[n], n))
        out = []
        for rank, n in enumerate(order, start=1):
            doc = docs[n]
            meta = {**doc.metadata, "rank": rank, "rerank_score": round(fused[n], 6)}
            out.append(Document(page_content=doc.page_content, metadata=meta, id=doc.id))
        return out
