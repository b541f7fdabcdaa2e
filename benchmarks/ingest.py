"""Ingestion throughput: Groundwork vs SentenceTransformer.encode alone vs the plain
LangChain recipe, on the same generated PDFs, same model and chunk size, in one process.

    python benchmarks/ingest.py [--pdfs 300] [--pages 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from benchmarks.corpus import make_pdfs  # noqa: E402


def run_groundwork(folder: Path, work: Path, embeddings) -> tuple[float, int, list[str]]:
    from app.container import Container
    from app.settings import Settings
    from ingest.chunking import embedding_text
    from ingest.parsing import ParseTask, parse_file
    from ingest.pipeline import scan_folder

    container = Container(Settings(data_dir=work / "groundwork"), embeddings=embeddings)
    t0 = time.perf_counter()
    summary = container.ingestor.ingest_folder(folder, "bench")
    seconds = time.perf_counter() - t0
    # the exact texts Groundwork embedded, for the encode-only ceiling
    texts = []
    cfg = container.ingestor.chunking
    for path, source in scan_folder(folder):
        result = parse_file(ParseTask(str(path), source, source, "bench", "", 0, cfg, 0))
        texts.extend(embedding_text(c) for c in result.chunks)
    assert summary.chunks_written == len(texts), (summary.chunks_written, len(texts))
    return seconds, summary.chunks_written, texts


def run_ceiling(texts: list[str], embeddings) -> float:
    model = embeddings._model
    t0 = time.perf_counter()
    model.encode(
        texts,
        batch_size=embeddings.batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return time.perf_counter() - t0


def run_langchain(
    folder: Path, work: Path, model_path: str, chunk_size: int, overlap: int
) -> tuple[float, int]:
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = HuggingFaceEmbeddings(
        model_name=model_path, encode_kwargs={"normalize_embeddings": True}
    )
    embeddings.embed_query("warm up")
    t0 = time.perf_counter()
    docs = []
    for path in sorted(folder.glob("*.pdf")):
        docs.extend(PyPDFLoader(str(path)).load())
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
    chunks = splitter.split_documents(docs)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(work / "langchain"))
    return time.perf_counter() - t0, len(chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdfs", type=int, default=300)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument(
        "--corpus", type=Path, default=Path(tempfile.gettempdir()) / "gw-bench-pdfs"
    )
    args = parser.parse_args()

    from retrieval.embeddings import SentenceTransformerEmbeddings, resolve_model_path

    folder = make_pdfs(args.corpus / f"{args.pdfs}x{args.pages}", args.pdfs, args.pages)
    embeddings = SentenceTransformerEmbeddings()
    embeddings.warm_up()
    embeddings.embed_query("warm up")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gw_s, gw_chunks, texts = run_groundwork(folder, work, embeddings)
        ceil_s = run_ceiling(texts, embeddings)
        lc_s, lc_chunks = run_langchain(
            folder, work, str(resolve_model_path("all-MiniLM-L6-v2")), 800, 120
        )
    gw_rate, ceil_rate, lc_rate = gw_chunks / gw_s, len(texts) / ceil_s, lc_chunks / lc_s
    print(f"corpus: {args.pdfs} PDFs x {args.pages} pages, cores={os.cpu_count()}")
    print(f"{'run':<44}{'chunks':>8}{'seconds':>10}{'chunks/s':>10}")
    print(
        f"{'Groundwork ingest (parse+embed+write)':<44}{gw_chunks:>8}{gw_s:>10.1f}{gw_rate:>10.1f}"
    )
    print(
        f"{'SentenceTransformer.encode alone (ceiling)':<44}{len(texts):>8}{ceil_s:>10.1f}"
        f"{ceil_rate:>10.1f}"
    )
    print(f"{'plain LangChain recipe':<44}{lc_chunks:>8}{lc_s:>10.1f}{lc_rate:>10.1f}")
    print(f"Groundwork / ceiling:         {gw_rate / ceil_rate:.2f}  (goal >= 0.80)")
    print(f"Groundwork / LangChain recipe: {gw_rate / lc_rate:.2f}  (goal > 1.00)")


if __name__ == "__main__":
    main()
