"""Builds Groundwork's components from settings, each once and only when first needed."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings

from app.settings import Settings
from app.writer_lock import WriterLock
from ingest.chunking import ChunkingConfig
from ingest.executors import Executor
from ingest.executors.base import embed_texts
from ingest.loaders.options import LoadOptions
from ingest.pipeline import Ingestor
from ingest.records import RecordStore
from retrieval.answer.citations import CitationVerifier
from retrieval.answer.providers import AnswerProvider, ProviderConfig, create_provider
from retrieval.answer.service import AnswerService
from retrieval.answer.support import SupportScorer
from retrieval.models.embeddings import make_embeddings
from retrieval.rerank.base import Reranker
from retrieval.rerank.cross_encoder import CrossEncoderReranker
from retrieval.rerank.registry import NONE, RerankerConfig, create_reranker
from retrieval.search.chroma_client import make_chroma_client
from retrieval.search.chroma_store import ChromaChunkStore
from retrieval.search.hybrid_retriever import HybridRetriever
from retrieval.search.keyword_index import KeywordIndex
from retrieval.search.sentence_rescoring import SentenceRescorer
from retrieval.search.sentence_vectors import SentenceVectors
from retrieval.sqlite_db import writable


class Container:
    """The object graph. Tests pass their own ``embeddings``, ``provider`` or ``reranker``.

    ``embeddings`` makes the retrieval vectors; ``support_embeddings`` (default: the same
    object when given, else ``GROUNDWORK_SUPPORT_MODEL``) scores answer sentences.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embeddings: Embeddings | None = None,
        support_embeddings: Embeddings | None = None,
        provider: AnswerProvider | None = None,
        reranker: Reranker | None = None,
        chroma_client=None,
    ) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self._support_embeddings = support_embeddings or embeddings
        self._provider = provider
        self._reranker = reranker
        self._chroma_client = chroma_client

    @cached_property
    def embeddings(self) -> Embeddings:
        if self._embeddings is not None:
            return self._embeddings
        s = self.settings
        return make_embeddings(
            s.embedding_model,
            device=s.embedding_device,
            batch_size=s.embedding_batch_size,
            runtime=s.model_runtime,
            cache_dir=self.models_dir,
        )

    @cached_property
    def models_dir(self) -> Path:
        """Where checked ONNX copies of PyTorch models are kept between starts."""
        return self.settings.data_dir / "models"

    @cached_property
    def support_embeddings(self) -> Embeddings:
        """The refusal and citation thresholds are calibrated on this model's similarities."""
        if self._support_embeddings is not None:
            return self._support_embeddings
        s = self.settings
        if s.support_model == s.embedding_model:
            return self.embeddings
        return make_embeddings(
            s.support_model,
            device=s.embedding_device,
            runtime=s.model_runtime,
            cache_dir=self.models_dir,
            precision=s.support_precision,
        )

    @cached_property
    def read_only(self) -> bool:
        """The data folder cannot be written: questions are answered, changes refused."""
        return not writable(self.settings.data_dir)

    @cached_property
    def chroma_client(self):
        if self._chroma_client is not None:
            return self._chroma_client
        return make_chroma_client(self.settings.data_dir, self.settings.chroma_url)

    @cached_property
    def writer_lock(self) -> WriterLock:
        """Held by whoever writes; a no-op with a Chroma server, which serialises writes."""
        return WriterLock(self.settings.data_dir, enabled=self.settings.chroma_url is None)

    @cached_property
    def chunk_store(self) -> ChromaChunkStore:
        return ChromaChunkStore(self.chroma_client, self.embeddings, self.keyword_index)

    @cached_property
    def keyword_index(self) -> KeywordIndex:
        return KeywordIndex(self.settings.data_dir / "keyword")

    @cached_property
    def sentence_vectors(self) -> SentenceVectors:
        """The support model's vectors of the chunks' sentences, stored at ingest when
        ``GROUNDWORK_SENTENCE_VECTORS=ingest`` (read by answers whenever present)."""
        s = self.settings
        model = s.support_model
        if s.support_precision != "float32" and s.model_runtime == "onnx":
            model += f" ({s.support_precision})"  # its vectors are not float32's
        if self._support_embeddings is not None:  # tests: name the injected model apart
            given = self._support_embeddings
            model = f"{type(given).__name__}:{getattr(given, 'model_name', '')}"

        def embed(texts: list[str]):
            return embed_texts(self.support_embeddings, texts)

        return SentenceVectors(s.data_dir / "sentences", model, embed)

    @cached_property
    def records(self) -> RecordStore:
        return RecordStore(self.settings.data_dir / "groundwork.sqlite3")

    def executor(
        self, engine: str | None = None, ray_address: str | None = None
    ) -> Executor | None:
        """The engine that parses and embeds (``engine``/``ray_address`` override the
        settings): None for the local worker processes."""
        s = self.settings
        if (engine or s.ingest_engine) != "ray":
            return None
        from functools import partial

        from ingest.executors.ray_engine import Fixed, RayConfig, RayExecutor

        device = "cuda" if s.ray_embed_gpus > 0 else s.embedding_device
        if self._embeddings is not None:
            factory = Fixed(self._embeddings)
        else:  # each actor builds the model itself, on a GPU when it is given one
            factory = partial(
                make_embeddings,
                s.embedding_model,
                device=device,
                batch_size=s.embedding_batch_size,
                runtime=s.model_runtime,
            )
        sentence_factory = None
        if s.sentence_vectors == "ingest":  # the actors embed the sentences as well
            if self._support_embeddings is not None:
                sentence_factory = Fixed(self._support_embeddings)
            else:
                sentence_factory = partial(
                    make_embeddings,
                    s.support_model,
                    device=device,
                    runtime=s.model_runtime,
                    precision=s.support_precision,
                )
        config = RayConfig(
            address=ray_address or s.ray_address,
            embed_actors=s.ray_embed_actors,
            embed_gpus=s.ray_embed_gpus,
            batch_chunks=s.ingest_batch_chunks,
        )
        return RayExecutor(config, factory, sentence_embedder=sentence_factory)

    @cached_property
    def ingestor(self) -> Ingestor:
        return self.ingestor_for()

    def ingestor_for(self, engine: str | None = None, ray_address: str | None = None) -> Ingestor:
        """An ingestor on ``engine`` (default: the configured one), sharing the stores."""
        s = self.settings
        return Ingestor(
            self.chunk_store,
            self.keyword_index,
            self.records,
            chunking=ChunkingConfig(s.chunk_size, s.chunk_overlap),
            executor=self.executor(engine, ray_address),
            workers=s.ingest_workers,
            batch_chunks=s.ingest_batch_chunks,
            parse_timeout_s=s.parse_timeout_s,
            max_file_bytes=int(s.max_file_mb * 1024 * 1024),
            max_chunks_per_file=s.max_chunks_per_file,
            parser_memory_mb=s.parser_memory_mb,
            load_options=LoadOptions(
                ocr=s.ocr,
                ocr_dpi=s.ocr_dpi,
                max_unzipped_mb=s.max_unzipped_mb,
                max_image_pixels=s.max_image_pixels,
                max_frames=s.max_ocr_pages,
                max_rows=s.max_rows,
                pdf_tables=s.pdf_tables,
            ),
            sentence_vectors=self.sentence_vectors,
            embed_sentences=s.sentence_vectors == "ingest",
        )

    def retriever(self, collection: str, **overrides) -> HybridRetriever:
        s = self.settings
        params = dict(
            chunk_store=self.chunk_store,
            keyword_index=self.keyword_index,
            collection=collection,
            k=s.top_k,
            depth=s.search_depth,
            fusion=s.fusion,
            dense_weight=s.dense_weight,
            rescorer=self.rescorer,
        )
        params.update({k: v for k, v in overrides.items() if v is not None})
        self.chunk_store.collection(collection)  # clear error if missing or mismatched
        return HybridRetriever(**params)

    @cached_property
    def rescorer(self) -> SentenceRescorer | None:
        s = self.settings
        if s.sentence_search_weight == 0:
            return None
        return SentenceRescorer(
            self.scorer.unit_vectors,
            weight=s.sentence_search_weight,
            pool=s.sentence_search_pool,
            prime=self.sentence_vectors.prime_splits,
        )

    @cached_property
    def scorer(self) -> SupportScorer:
        # a reranker read the sources: their order counts when answer sentences are picked
        order_weight = 0.1 if self.settings.reranker != NONE else 0.0
        return SupportScorer(
            self.support_embeddings, order_weight=order_weight, stored=self.sentence_vectors
        )

    @cached_property
    def verifier(self) -> CitationVerifier:
        s = self.settings
        # the cross-encoder, when configured, judges which source sentences answer (the
        # query-likelihood reranker is too slow to read every sentence)
        reranker = self.reranker
        relevance = reranker.relevance if isinstance(reranker, CrossEncoderReranker) else None
        return CitationVerifier(self.scorer, threshold=s.citation_threshold, relevance=relevance)

    @cached_property
    def reranker(self) -> Reranker | None:
        if self._reranker is not None:
            return self._reranker
        s = self.settings
        config = RerankerConfig(
            model=s.reranker_model,
            gguf_path=s.reranker_gguf_path,
            passage_chars=s.rerank_passage_chars,
            retrieval_weight=s.rerank_retrieval_weight,
        )
        return create_reranker(s.reranker, config)

    @cached_property
    def provider(self) -> AnswerProvider:
        if self._provider is not None:
            return self._provider
        s = self.settings
        config = ProviderConfig(
            base_url=s.llm_base_url,
            model=s.llm_model,
            api_key=s.llm_api_key,
            gguf_path=s.llm_gguf_path,
            max_tokens=s.llm_max_tokens,
            temperature=s.llm_temperature,
            context_tokens=s.llm_context_tokens,
            timeout_s=s.llm_timeout_s,
            max_sentences=s.answer_max_sentences,
        )
        return create_provider(s.llm, config, self.scorer)

    @cached_property
    def answers(self) -> AnswerService:
        s = self.settings
        return AnswerService(
            self.retriever,
            self.provider,
            self.scorer,
            self.verifier,
            top_k=s.top_k,
            refuse_below=s.refuse_below,
            refuse_below_relevance=s.refuse_below_relevance,
            reranker=self.reranker,
            rerank_pool=s.rerank_pool,
        )
