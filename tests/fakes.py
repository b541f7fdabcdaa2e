"""Deterministic stand-ins that are real subclasses of the langchain-core interfaces."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.answer.providers.base import AnswerProvider
from retrieval.terms import content_terms


class HashingEmbeddings(Embeddings):
    """Bag of stemmed words hashed into ``dim`` buckets; counts every text it embeds."""

    def __init__(self, dim: int = 256, name: str = "hashing-256") -> None:
        self.dim = dim
        self.model_name = name
        self.dimension = dim
        self.calls = 0
        self.texts_embedded = 0
        self.seen: list[str] = []  # every text embedded, in order

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for term in content_terms(text) or ["empty"]:
            h = int.from_bytes(hashlib.md5(term.encode()).digest()[:4], "little")
            vec[h % self.dim] += 1.0
        return vec / max(float(np.linalg.norm(vec)), 1e-9)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        self.seen.extend(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class FailingEmbeddings(HashingEmbeddings):
    """Raises after ``fail_after`` calls: simulates a job killed in the middle."""

    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after

    def encode(self, texts):
        if self.calls >= self.fail_after:
            raise KeyboardInterrupt("simulated interruption")
        return super().encode(texts)


class GatedEmbeddings(HashingEmbeddings):
    """Lets ``open_batches`` batches (calls with several texts) through, then holds each
    later batch until ``release()``: a test can act while a job is surely mid-way,
    however fast the machine. Single texts (queries, warm-up) always pass."""

    def __init__(self, open_batches: int) -> None:
        super().__init__()
        self.open_batches = open_batches
        self.batches = 0
        self.gate = threading.Event()
        self.holding = threading.Event()

    def release(self) -> None:
        self.gate.set()

    def encode(self, texts):
        if len(texts) > 1:
            self.batches += 1
            if self.batches > self.open_batches and not self.gate.is_set():
                self.holding.set()
                if not self.gate.wait(120):
                    raise TimeoutError("the test never released the gate")
        return super().encode(texts)


class PoisonedEmbeddings(HashingEmbeddings):
    """Returns vectors of the wrong size for a batch that holds the word POISON: Chroma
    refuses to store them, as it would any bad batch."""

    def encode(self, texts):
        vectors = super().encode(texts)
        if any("POISON" in t for t in texts):
            return vectors[:, :-1]
        return vectors


class ScriptedProvider(AnswerProvider):
    """An answer provider that writes what a test scripted, as a model might, token by token
    (for checking what the citation verifier lets through)."""

    name = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text

    def stream(self, question, sources, *, ranked=None):
        import re

        yield from re.findall(r"\S+\s*", self.text)


class CrashOnceEmbeddings(HashingEmbeddings):
    """Ends its own process on its ``at``-th batch, once (``marker`` remembers it across
    the restart): an embedding worker that dies mid-job."""

    def __init__(self, marker: str, at: int = 2) -> None:
        super().__init__()
        self.marker = marker
        self.at = at

    def encode(self, texts):
        import os

        if len(texts) > 1 and self.calls + 1 >= self.at and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return super().encode(texts)


def crash_parsing(task, marker: str | None = None, source: str = "crash.txt"):
    """``parse_file``, except that the worker parsing ``source`` dies: once when a
    ``marker`` path is given (then the retry succeeds), every time without one."""
    import os

    from ingest.parsing import parse_file

    if task.source == source and (marker is None or not os.path.exists(marker)):
        if marker is not None:
            open(marker, "w").close()
        os._exit(1)
    return parse_file(task)
