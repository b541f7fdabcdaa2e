from __future__ import annotations

import pytest

from ingest.chunking import ChunkingConfig, chunk_document, embedding_text
from ingest.loaders import loader_for
from ingest.loaders.base import LoadedDocument, Section
from retrieval import metadata as md
from tests.conftest import SAMPLE_DOCS


def test_chunks_never_cross_pages_and_offsets_point_into_the_page():
    path = SAMPLE_DOCS / "employee-handbook.pdf"
    loaded = loader_for(path).load(path)
    chunks = chunk_document(
        loaded, collection="c", document_id="d", source="h.pdf", config=ChunkingConfig(200, 30)
    )
    pages = {s.page: s.text for s in loaded.sections}
    assert len(chunks) > len(pages)
    for chunk in chunks:
        page_text = pages[chunk.metadata[md.PAGE]]
        start, end = chunk.metadata[md.START], chunk.metadata[md.END]
        assert page_text[start:end] == chunk.page_content
        assert len(chunk.page_content) <= 200


def test_chunk_metadata_is_complete_and_ids_are_stable():
    loaded = LoadedDocument(
        "T", [Section("alpha " * 300, None, ["A", "B"]), Section("beta", None, ["C"])]
    )
    cfg = ChunkingConfig(800, 120)
    first = chunk_document(loaded, collection="c", document_id="doc", source="x.md", config=cfg)
    second = chunk_document(loaded, collection="c", document_id="doc", source="x.md", config=cfg)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    meta = first[0].metadata
    for key in (
        md.COLLECTION,
        md.DOCUMENT_ID,
        md.SOURCE,
        md.TITLE,
        md.PAGE,
        md.HEADING_PATH,
        md.START,
        md.END,
        md.CONTENT_HASH,
    ):
        assert key in meta
    assert meta[md.HEADING_PATH] == "A > B"
    assert first[-1].metadata[md.HEADING_PATH] == "C"  # a heading starts a new chunk
    assert embedding_text(first[0]).startswith("T > A > B\n")


def test_overlap_repeats_text_between_neighbouring_chunks():
    text = " ".join(f"word{i}" for i in range(400))
    chunks = chunk_document(
        LoadedDocument("T", [Section(text)]),
        collection="c",
        document_id="d",
        source="s",
        config=ChunkingConfig(300, 60),
    )
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.metadata[md.END] > b.metadata[md.START]


@pytest.mark.parametrize("size,overlap", [(50, 0), (800, 400), (800, -1)])
def test_bad_chunking_config_is_refused(size, overlap):
    with pytest.raises(ValueError):
        ChunkingConfig(size, overlap)
