"""Blend the support model's closest sentence into the fused score of the best chunks.

The retrieval vectors (bge-small) embed a chunk as a whole; the support model
(all-MiniLM-L6-v2) has each of the chunk's sentences embedded once at ingest when
``GROUNDWORK_SENTENCE_VECTORS=ingest``. A second model's view of a chunk, at the grain of
the sentence that answers, corrects some of the fused ranking's mistakes: on the SciFact
train queries, chosen on the tuning half, it lifts nDCG@10 from 0.762 to 0.770 (tune) and
from 0.758 to 0.766 (report). Only the question is embedded at search time; the
sentences' vectors, and where each chunk's sentences lie, are read from the store
(``SentenceVectors``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from langchain_core.documents import Document

from retrieval.search.fusion import min_max
from retrieval.search.sentence_vectors import sentence_texts

# (collection, texts) -> unit row vectors in order; stored vectors are read, others embedded
Vectorize = Callable[[str, list[str]], np.ndarray]
# (collection, chunk texts) -> read their stored splits (``SentenceVectors.prime_splits``)
Prime = Callable[[str, list[str]], object]


class SentenceRescorer:
    """Reorder the first ``pool`` chunks of a fused ranking by ``(1 - weight)`` of their
    min-max normalised fused score plus ``weight`` of their best sentence's similarity to
    the question (min-max normalised over the pool). Chunks after the pool are not read:
    they count as the pool's least similar (``(1 - weight)`` of their fused score), as
    does a chunk of the pool without a sentence of three words or more."""

    def __init__(
        self,
        vectorize: Vectorize,
        *,
        weight: float,
        pool: int = 30,
        prime: Prime | None = None,
    ) -> None:
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"weight must be within [0, 1], got {weight}")
        if pool < 1:
            raise ValueError(f"pool must be >= 1, got {pool}")
        self.vectorize = vectorize
        self.prime = prime  # reads the chunks' stored sentence splits into the split cache
        self.weight = weight
        self.pool = pool

    def similarities(
        self, collection: str, question: str, chunks: Sequence[Document]
    ) -> list[float | None]:
        """Each chunk's best sentence similarity to ``question`` (None: no sentence)."""
        if self.prime is not None:
            self.prime(collection, [c.page_content for c in chunks])
        per_chunk = [sentence_texts([c]) for c in chunks]
        distinct = list(dict.fromkeys(t for texts in per_chunk for t in texts))
        if not distinct:
            return [None] * len(chunks)
        vectors = self.vectorize(collection, [question, *distinct])
        sims = dict(zip(distinct, (vectors[1:] @ vectors[0]).tolist(), strict=True))
        return [max((sims[t] for t in texts), default=None) for texts in per_chunk]

    def rescore(
        self,
        collection: str,
        question: str,
        fused: Sequence[tuple[str, float]],
        chunks: Mapping[str, Document],
    ) -> list[tuple[str, float]]:
        """``fused`` (id, score) pairs, best first, rescored and reordered."""
        if not fused or self.weight == 0.0:
            return list(fused)
        head = list(fused[: self.pool])
        found = self.similarities(collection, question, [chunks[cid] for cid, _ in head])
        known = [s for s in found if s is not None]
        floor = min(known, default=0.0)
        closeness = min_max([(n, floor if s is None else s) for n, s in enumerate(found)])
        base = min_max(list(fused))
        w = self.weight
        out = [(cid, (1 - w) * base[cid] + w * closeness[n]) for n, (cid, _) in enumerate(head)]
        out.extend((cid, (1 - w) * base[cid]) for cid, _ in fused[self.pool :])
        out.sort(key=lambda kv: -kv[1])  # stable: ties keep the fused order
        return out
