"""Structure-aware chunking: sections (pages, heading blocks) are split, never joined.

Each chunk is a langchain ``Document`` with the metadata listed in
``retrieval.metadata``; ``start``/``end`` are offsets into the section (page) text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from langchain_core.documents import Document

from ingest.loaders.base import LoadedDocument
from retrieval import metadata as md

CHUNKER_VERSION = "1"


@dataclass(frozen=True)
class ChunkingConfig:
    chunk_size: int = 800
    chunk_overlap: int = 120

    def __post_init__(self) -> None:
        if self.chunk_size < 100:
            raise ValueError(f"chunk_size must be >= 100 characters, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise ValueError(
                f"chunk_overlap must be between 0 and half of chunk_size, got {self.chunk_overlap}"
            )

    @property
    def fingerprint(self) -> str:
        return f"chunker{CHUNKER_VERSION}:{self.chunk_size}/{self.chunk_overlap}"


def chunk_id(document_id: str, index: int) -> str:
    return f"{document_id}:{index:05d}"


def embedding_text(chunk: Document) -> str:
    """What gets embedded: the chunk with its title and heading path for context."""
    meta = chunk.metadata
    context = " > ".join(x for x in (meta.get(md.TITLE), meta.get(md.HEADING_PATH)) if x)
    return f"{context}\n{chunk.page_content}" if context else chunk.page_content


def chunk_document(
    loaded: LoadedDocument,
    *,
    collection: str,
    document_id: str,
    source: str,
    config: ChunkingConfig,
) -> list[Document]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks: list[Document] = []
    for section in loaded.sections:
        for piece in splitter.create_documents([section.text]):
            start = int(piece.metadata["start_index"])
            text = piece.page_content
            if start < 0 or section.text[start : start + len(text)] != text:
                start = section.text.find(text)
            index = len(chunks)
            chunks.append(
                Document(
                    id=chunk_id(document_id, index),
                    page_content=text,
                    metadata={
                        md.COLLECTION: collection,
                        md.DOCUMENT_ID: document_id,
                        md.SOURCE: f"{source}/{section.part}" if section.part else source,
                        md.TITLE: loaded.title,
                        md.PAGE: section.page,
                        md.HEADING_PATH: " > ".join(section.heading_path),
                        md.START: start,
                        md.END: start + len(text),
                        md.CHUNK_INDEX: index,
                        md.CONTENT_HASH: hashlib.sha256(text.encode()).hexdigest()[:16],
                        md.SECTION: section.name or None,
                        md.PAGE_KIND: (section.page_kind or loaded.page_kind)
                        if section.page
                        else None,
                        md.OCR_CONFIDENCE: section.ocr_confidence,
                    },
                )
            )
    return chunks
