"""The executor contract: planned work in, batches of chunks with their vectors out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.parsing import ParseResult
from ingest.planning import WorkItem


@dataclass
class Processed:
    item: WorkItem
    result: ParseResult  # ``result.error`` set when the file failed


@dataclass
class ProcessedBatch:
    """Files parsed and chunked, with one vector per chunk in ``chunks`` order; or failures."""

    done: list[Processed] = field(default_factory=list)
    failed: list[Processed] = field(default_factory=list)
    vectors: Any = None
    # document id -> sentence -> the support model's unit vector, when the executor
    # embedded the sentences (``sentence_vectors.embed_sentences``); None: the writer does
    sentences: dict[str, dict[str, Any]] | None = None
    # chunk text -> its sentences' (start, end), when the executor split them
    splits: dict[str, list[tuple[int, int]]] | None = None

    @property
    def chunks(self) -> list[Document]:
        return [c for p in self.done for c in p.result.chunks]


def embed_texts(embeddings: Embeddings, texts: list[str]) -> Any:
    """Vectors for ``texts``; a numpy array where the embedder offers ``encode``."""
    encode = getattr(embeddings, "encode", None)
    if encode is not None:
        return encode(texts)
    return embeddings.embed_documents(texts)


class Executor(ABC):
    """Turns planned files into ``ProcessedBatch``es, in any order, each file exactly once."""

    @abstractmethod
    def process(self, work: Sequence[WorkItem], embeddings: Embeddings) -> Iterator[ProcessedBatch]:
        """Yield batches as they are ready; a failed file comes back in ``failed`` with
        its reason, never as an exception. Stopping the iteration early is allowed."""

    def prepare(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Start what ``process`` will need, while the caller opens the store and plans."""

    def release(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Stop what ``prepare`` started and ``process`` did not use."""
