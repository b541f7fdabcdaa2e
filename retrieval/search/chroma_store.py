"""Groundwork's side of Chroma: one Chroma collection per Groundwork collection.

Chroma holds each chunk's vector and metadata; the chunk's text is kept once, in the
keyword index, which stores it anyway (``texts``). Writing the text into Chroma as well
cost half of every Chroma write: local Chroma indexes every document for its own
full-text search, which Groundwork does not use (300 PDFs, 2,400 chunks: 1.6–2.0 s of
writes with texts, 0.7–1.0 s without; README, session 16). Collections written before
still hold their texts in Chroma, and those are read as they are.

Writes go through chromadb's public collection API with embeddings computed by the
ingestion pipeline (which embeds title-aware text in large batches). The embedding model
and dimension are recorded in the collection metadata and checked each time a collection
is opened. The LangChain face of the index is ``HybridRetriever`` (a ``BaseRetriever``;
``mode="dense"`` for vectors alone), which returns chunks with their texts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from retrieval import metadata as md
from retrieval.errors import (
    CollectionNotFoundError,
    EmbeddingMismatchError,
    StoreUnavailableError,
    outage_reason,
)

_PREFIX = "gw_"
MODEL_KEY = "groundwork_embedding_model"
DIM_KEY = "groundwork_embedding_dim"
MAX_WRITE_BATCH = 2048  # records per Chroma call, at most


def embedding_identity(embeddings: Embeddings) -> tuple[str, int]:
    """The (model name, dimension) pair recorded with each collection."""
    name = getattr(embeddings, "model_name", None) or type(embeddings).__name__
    dim = getattr(embeddings, "dimension", None)
    if dim is None:
        dim = len(embeddings.embed_query("dimension probe"))
    return str(name), int(dim)


def _is_not_found(exc: BaseException) -> bool:
    from chromadb.errors import NotFoundError

    if isinstance(exc, NotFoundError):
        return True
    text = str(exc).lower()
    return isinstance(exc, ValueError) and ("does not exist" in text or "not found" in text)


def _translate(exc: Exception, name: str) -> Exception:
    """What a failed Chroma call means for the user: a missing collection, an outage, or
    the error itself (never an outage reported as "not found")."""
    if _is_not_found(exc):
        return CollectionNotFoundError(f"collection {name!r} does not exist")
    reason = outage_reason(exc)
    if reason is not None:
        return StoreUnavailableError(f"the Chroma store is unreachable: {reason}")
    return exc


class ChunkTexts(Protocol):
    """Where chunk texts are kept (the keyword index)."""

    def texts(self, collection: str, ids: Sequence[str]) -> dict[str, str]:
        """The texts of those of ``ids`` it holds, by chunk id."""
        ...


class ChromaChunkStore:
    """Dense side of the index. ``client`` is any chromadb client (embedded or HTTP);
    ``texts`` holds the chunks' texts, which Chroma does not (see the module)."""

    def __init__(self, client: Any, embeddings: Embeddings, texts: ChunkTexts) -> None:
        self.client = client
        self.embeddings = embeddings
        self.texts = texts
        self._identity: tuple[str, int] | None = None
        self._collections: dict[str, Any] = {}
        self._max_batch: int | None = None

    @property
    def identity(self) -> tuple[str, int]:
        if self._identity is None:
            self._identity = embedding_identity(self.embeddings)
        return self._identity

    def _check(self, name: str, collection: Any) -> None:
        meta = collection.metadata or {}
        model, dim = self.identity
        stored_model, stored_dim = meta.get(MODEL_KEY), meta.get(DIM_KEY)
        if stored_model is None:
            return
        if stored_model != model or int(stored_dim) != dim:
            raise EmbeddingMismatchError(
                f"collection {name!r} was built with embedding model {stored_model!r} "
                f"(dimension {stored_dim}) but the configured model is {model!r} "
                f"(dimension {dim}); set GROUNDWORK_EMBEDDING_MODEL back, or re-ingest into "
                "a new collection"
            )

    def collection(self, name: str, *, create: bool = False) -> Any:
        """The chromadb collection for ``name``; checks the embedding model."""
        md.validate_collection_name(name)
        if name in self._collections:
            return self._collections[name]
        if create:
            model, dim = self.identity
            col = self.client.get_or_create_collection(
                _PREFIX + name,
                metadata={"hnsw:space": "cosine", MODEL_KEY: model, DIM_KEY: dim},
                embedding_function=None,
            )
        else:
            try:
                col = self.client.get_collection(_PREFIX + name, embedding_function=None)
            except Exception as exc:  # chromadb raises NotFoundError / ValueError by version
                raise _translate(exc, name) from exc
        self._check(name, col)
        self._collections[name] = col
        return col

    def exists(self, name: str) -> bool:
        return name in self.list_collections()

    def list_collections(self) -> list[str]:
        names = []
        for col in self.client.list_collections():
            col_name = col if isinstance(col, str) else col.name
            if col_name.startswith(_PREFIX):
                names.append(col_name[len(_PREFIX) :])
        return sorted(names)

    def delete_collection(self, name: str) -> None:
        self._collections.pop(name, None)
        try:
            self.client.delete_collection(_PREFIX + name)
        except Exception as exc:
            raise _translate(exc, name) from exc

    def upsert(
        self,
        name: str,
        ids: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        vectors: Any,
    ) -> None:
        """Write chunks' vectors and metadata (not their texts, see the module) in pieces
        no larger than Chroma accepts in one call."""
        if not ids:
            return
        col = self.collection(name, create=True)
        step = self.max_batch
        for start in range(0, len(ids), step):
            end = start + step
            col.upsert(
                ids=list(ids[start:end]),
                metadatas=[md.to_chroma(m) for m in metadatas[start:end]],
                embeddings=vectors[start:end],
            )

    @property
    def max_batch(self) -> int:
        """The most records Chroma takes in one call (it differs between embedded and
        server, and between versions), capped so one call stays small in memory."""
        if self._max_batch is None:
            try:
                found = int(self.client.get_max_batch_size())
            except Exception:  # an older or a remote Chroma that does not say
                found = 1000
            self._max_batch = max(1, min(found, MAX_WRITE_BATCH))
        return self._max_batch

    def delete_document(self, name: str, document_id: str) -> None:
        """Remove every chunk of a document. Deleting a missing document is not an error."""
        try:
            col = self.collection(name)
        except CollectionNotFoundError:
            return
        col.delete(where={md.DOCUMENT_ID: document_id})

    def document_chunks(self, name: str, document_id: str) -> list[Document]:
        """The chunks of one document, in order."""
        got = self.collection(name).get(
            where={md.DOCUMENT_ID: document_id}, include=["documents", "metadatas"]
        )
        return sorted(self._documents(name, got), key=lambda d: d.metadata.get(md.CHUNK_INDEX, 0))

    def count(self, name: str) -> int:
        return self.collection(name).count()

    def document_counts(self, name: str, page: int = 10_000) -> Counter[str]:
        """How many chunks the collection holds for each document (reads every chunk's
        metadata, a page at a time: for checks, not for questions)."""
        col = self.collection(name)
        counts: Counter[str] = Counter()
        offset = 0
        while True:
            got = col.get(limit=page, offset=offset, include=["metadatas"])
            counts.update((m or {}).get(md.DOCUMENT_ID, "") for m in got["metadatas"])
            if len(got["ids"]) < page:
                return counts
            offset += page

    def first_chunks(self, name: str, limit: int) -> list[Document]:
        """Up to ``limit`` of the collection's chunks, in no particular order."""
        got = self.collection(name).get(limit=limit, include=["documents", "metadatas"])
        return self._documents(name, got)

    def nearest(
        self,
        name: str,
        query_vector: Sequence[float],
        k: int,
        where: dict[str, Any] | None = None,
    ) -> list[tuple[Document, float]]:
        """Nearest chunks with cosine similarity (1 - distance), best first. Texts are not
        read here: a chunk whose text Chroma does not hold comes with an empty
        ``page_content``, and the caller reads the texts of the hits it keeps
        (``with_texts``)."""
        got = self.collection(name).query(
            query_embeddings=[list(query_vector)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(
            got["ids"][0],
            got["documents"][0],
            got["metadatas"][0],
            got["distances"][0],
            strict=True,
        )
        return [
            (
                Document(page_content=text or "", metadata=md.from_chroma(meta), id=cid),
                1.0 - float(distance),
            )
            for cid, text, meta, distance in rows
        ]

    def with_texts(self, name: str, docs: Sequence[Document]) -> list[Document]:
        """``docs`` with their texts read where they lack one; a chunk whose text is found
        nowhere is left out."""
        lacking = [d.id for d in docs if not d.page_content and d.id is not None]
        texts = self.texts.texts(name, lacking) if lacking else {}
        out = []
        for d in docs:
            if d.page_content:
                out.append(d)
            elif d.id in texts:
                out.append(Document(page_content=texts[d.id], metadata=d.metadata, id=d.id))
        return out

    def _documents(self, name: str, got: dict[str, Any]) -> list[Document]:
        """The chunks of a Chroma ``get`` answer as langchain ``Document``s, in its order,
        with their texts; a chunk whose text is found nowhere is left out."""
        texts = got.get("documents") or [None] * len(got["ids"])
        rows = zip(got["ids"], texts, got["metadatas"], strict=True)
        return self.with_texts(
            name,
            [
                Document(page_content=text or "", metadata=md.from_chroma(meta), id=cid)
                for cid, text, meta in rows
            ],
        )
