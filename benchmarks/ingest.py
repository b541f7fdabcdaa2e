"""Ingestion throughput on the same generated PDFs and chunk size, in one process:
Groundwork with the default retrieval model (bge-small-en-v1.5, ONNX) and with
all-MiniLM-L6-v2, each against its model's encode alone (the ceiling), and the plain
LangChain recipe with all-MiniLM-L6-v2.

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
    t0 = time.perf_counter()
    embeddings.encode(texts)
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
    parser.add_argument(
        "--models", nargs="+", help="embedding models to run (default: the default and MiniLM)"
    )
    args = parser.parse_args()

    from app.settings import Settings
    from retrieval.models.embeddings import make_embeddings, resolve_model_path

    folder = make_pdfs(args.corpus / f"{args.pdfs}x{args.pages}", args.pdfs, args.pages)
    models = list(dict.fromkeys(args.models or [Settings().embedding_model, "all-MiniLM-L6-v2"]))
    rows: list[tuple[str, int, float]] = []
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            embeddings = make_embeddings(model)
            embeddings.embed_query("warm up")
            work = Path(tmp) / model
            gw_s, gw_chunks, texts = run_groundwork(folder, work, embeddings)
            ceil_s = run_ceiling(texts, embeddings)
            rows.append((f"Groundwork ingest, {model}", gw_chunks, gw_s))
            rows.append((f"  {model} encode alone (ceiling)", len(texts), ceil_s))
            rates[model] = gw_chunks / gw_s
            rates[f"{model} ceiling"] = len(texts) / ceil_s
        lc_s, lc_chunks = run_langchain(
            folder, Path(tmp), str(resolve_model_path("all-MiniLM-L6-v2")), 800, 120
        )
        rows.append(("plain LangChain recipe, all-MiniLM-L6-v2", lc_chunks, lc_s))
    print(f"corpus: {args.pdfs} PDFs x {args.pages} pages, cores={os.cpu_count()}")
    print(f"{'run':<52}{'chunks':>8}{'seconds':>10}{'chunks/s':>10}")
    for name, chunks, seconds in rows:
        print(f"{name:<52}{chunks:>8}{seconds:>10.1f}{chunks / seconds:>10.1f}")
    lc_rate = lc_chunks / lc_s
    for model in models:
        ratio = rates[model] / rates[f"{model} ceiling"]
        print(f"Groundwork / ceiling, {model}: {ratio:.2f}  (goal >= 0.80)")
    mini = rates.get("all-MiniLM-L6-v2")
    if mini:
        print(f"Groundwork / LangChain recipe, same model: {mini / lc_rate:.2f}  (goal > 1.00)")
    default = Settings().embedding_model
    if mini and default in rates and default != "all-MiniLM-L6-v2":
        print(f"default model / all-MiniLM-L6-v2 ingest rate: {rates[default] / mini:.2f}")


if __name__ == "__main__":
    main()
