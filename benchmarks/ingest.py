"""Ingestion throughput on the same generated PDFs and chunk size, in one process:
Groundwork with the default retrieval model (bge-small-en-v1.5, ONNX) and with
all-MiniLM-L6-v2, each against its model's encode alone (the ceiling: the mean of the
encode timed just before and just after the ingest, since this machine's speed drifts by
several percent within a minute) and against the
plain LangChain recipe (``PyPDFLoader``, ``RecursiveCharacterTextSplitter``,
``Chroma.from_documents``) with the same model: ``HuggingFaceEmbeddings`` for MiniLM, and
for the ONNX default the very embedder object Groundwork used (LangChain has no loader
for it). ``--runs 3`` repeats everything and prints each ratio's range, to beat the noise.
An ONNX model's encode is also timed the way it ran before session 11 (one session whose
threads split every batch, instead of one-thread sessions running batches side by side).

With ``--sentence-vectors``: also the default model with ``GROUNDWORK_SENTENCE_VECTORS=
ingest`` (the support model embeds every chunk's sentences as well), against the plain run.

With ``--engine``: the engines instead, default model, same corpus, one run: the local
engine, the Ray engine on a local runtime, the Ray engine on a simulated two-node cluster
of this machine's cores, and the single writer alone (Chroma + keyword index + records,
vectors precomputed): the ceiling of any number of nodes.

    python benchmarks/ingest.py [--pdfs 300] [--pages 4] [--runs 3] [--sentence-vectors]
    python benchmarks/ingest.py --engine local ray [--pdfs 300]
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
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a simulated cluster on 127.0.0.1

from benchmarks.corpus import make_pdfs  # noqa: E402


def embedded_texts(folder: Path, work: Path) -> list[str]:
    """The exact texts a Groundwork ingest of ``folder`` embeds (for the ceiling)."""
    from app.container import Container
    from app.settings import Settings
    from ingest.chunking import embedding_text
    from ingest.parsing import ParseTask, parse_file
    from ingest.pipeline import scan_folder

    cfg = Container(Settings(data_dir=work)).ingestor.chunking
    texts = []
    for path, source in scan_folder(folder):
        result = parse_file(ParseTask(str(path), source, source, "bench", "", 0, cfg, 0))
        texts.extend(embedding_text(c) for c in result.chunks)
    return texts


def run_groundwork(folder: Path, work: Path, embeddings, support=None) -> tuple[float, int]:
    """Ingest ``folder``; with ``support``, its sentences are embedded by it as well."""
    from app.container import Container
    from app.settings import Settings

    mode = "ingest" if support is not None else "answer"
    settings = Settings(data_dir=work / "groundwork", sentence_vectors=mode)
    container = Container(settings, embeddings=embeddings, support_embeddings=support)
    t0 = time.perf_counter()
    summary = container.ingestor.ingest_folder(folder, "bench")
    return time.perf_counter() - t0, summary.chunks_written


def run_ceiling(texts: list[str], embeddings) -> float:
    t0 = time.perf_counter()
    embeddings.encode(texts)
    return time.perf_counter() - t0


def langchain_embeddings(model: str, ours):
    """What the plain recipe embeds with: ``HuggingFaceEmbeddings`` for a
    sentence-transformers model, otherwise ``ours`` (a LangChain ``Embeddings`` too)."""
    from langchain_huggingface import HuggingFaceEmbeddings

    from retrieval.models.embeddings import resolve_model_path

    if model != "all-MiniLM-L6-v2":
        return ours
    embeddings = HuggingFaceEmbeddings(
        model_name=str(resolve_model_path(model)), encode_kwargs={"normalize_embeddings": True}
    )
    embeddings.embed_query("warm up")
    return embeddings


def run_langchain(
    folder: Path, work: Path, embeddings, chunk_size: int, overlap: int
) -> tuple[float, int]:
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t0 = time.perf_counter()
    docs = []
    for path in sorted(folder.glob("*.pdf")):
        docs.extend(PyPDFLoader(str(path)).load())
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
    chunks = splitter.split_documents(docs)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(work / "langchain"))
    return time.perf_counter() - t0, len(chunks)


def run_engine(folder: Path, work: Path, engine: str, address: str | None = None) -> float:
    """Chunks per second of a whole ingest with ``engine`` (the real default model)."""
    from app.container import Container
    from app.settings import Settings

    settings = Settings(data_dir=work, ingest_engine=engine, ray_address=address)
    container = Container(settings)
    t0 = time.perf_counter()
    summary = container.ingestor.ingest_folder(folder, "bench")
    return summary.chunks_written / (time.perf_counter() - t0)


def run_writer_only(folder: Path, work: Path) -> tuple[float, int]:
    """Chunks per second the single writer stores when vectors cost nothing."""
    from app.container import Container
    from app.settings import Settings
    from ingest.executors import LocalExecutor
    from ingest.planning import Planner
    from ingest.summary import IngestSummary
    from tests.fakes import HashingEmbeddings

    container = Container(Settings(data_dir=work), embeddings=HashingEmbeddings(dim=384))
    ingestor = container.ingestor
    container.chunk_store.collection("bench", create=True)
    writer = ingestor.writer
    summary = IngestSummary("bench")
    planner = Planner(container.records, ingestor.chunking, writer.fingerprint, 60.0, 10**9)
    plan = planner.plan(scan_folder_files(folder), "bench", summary)
    batches = list(LocalExecutor(workers=2).process(plan.work, container.chunk_store.embeddings))
    chunks = sum(len(b.chunks) for b in batches)
    t0 = time.perf_counter()
    for batch in batches:
        writer.write_or_settle(batch, "bench", summary)
    return chunks / (time.perf_counter() - t0), chunks


def scan_folder_files(folder: Path):
    from ingest.pipeline import scan_folder

    return scan_folder(folder)


def engines(folder: Path, names: list[str]) -> None:
    import ray
    from ray.cluster_utils import Cluster

    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            rates[name] = run_engine(folder, Path(tmp) / name, name)
            print(f"{name} engine: {rates[name]:.1f} chunks/s", flush=True)
        if "ray" in names:
            cpus = os.cpu_count() or 2
            head = {"num_cpus": cpus // 2, "node_ip_address": "127.0.0.1"}
            cluster = Cluster(initialize_head=True, head_node_args=head)
            cluster.add_node(num_cpus=cpus - cpus // 2, node_ip_address="127.0.0.1")
            cluster.wait_for_nodes()
            try:
                rates["ray, 2 nodes"] = run_engine(
                    folder, Path(tmp) / "two", "ray", cluster.address
                )
            finally:
                ray.shutdown()
                cluster.shutdown()
            print(f"ray engine, two simulated nodes: {rates['ray, 2 nodes']:.1f} chunks/s")
        writer, chunks = run_writer_only(folder, Path(tmp) / "writer")
        print(f"the single writer alone: {writer:.0f} chunks/s ({chunks} chunks)")
    if "local" in rates and "ray" in rates:
        print(f"ray / local: {rates['ray'] / rates['local']:.2f}  (goal >= 0.85)")


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
    parser.add_argument("--runs", type=int, default=1, help="repeat everything this often")
    parser.add_argument(
        "--sentence-vectors", action="store_true", help="also time sentence vectors at ingest"
    )
    parser.add_argument(
        "--engine", nargs="+", choices=["local", "ray"], help="compare engines instead"
    )
    args = parser.parse_args()

    from app.settings import Settings

    folder = make_pdfs(args.corpus / f"{args.pdfs}x{args.pages}", args.pdfs, args.pages)
    if args.engine:
        print(f"corpus: {args.pdfs} PDFs x {args.pages} pages, cores={os.cpu_count()}")
        engines(folder, args.engine)
        return
    models = list(dict.fromkeys(args.models or [Settings().embedding_model, "all-MiniLM-L6-v2"]))
    print(f"corpus: {args.pdfs} PDFs x {args.pages} pages, cores={os.cpu_count()}")
    ratios: dict[str, list[float]] = {}
    import_shared()
    for run in range(1, args.runs + 1):
        for name, value in one_run(folder, models, args.sentence_vectors, run).items():
            ratios.setdefault(name, []).append(value)
    if args.runs > 1:
        print(f"over {args.runs} runs:")
        for name, values in ratios.items():
            print(f"  {name}: {min(values):.2f}-{max(values):.2f}")


def import_shared() -> None:
    """Import what both sides use before the first timed run, so that run 1 does not
    charge Groundwork, which runs first, with loading Chroma's and the PDF libraries
    (about 0.5 s: chromadb's import and first client), which the recipe then finds done."""
    import chromadb  # noqa: F401
    import langchain_chroma  # noqa: F401
    import pypdf  # noqa: F401
    import tantivy  # noqa: F401
    from langchain_community.document_loaders import PyPDFLoader  # noqa: F401


def one_run(folder: Path, models: list[str], sentence_vectors: bool, run: int) -> dict:
    """Time every model once; print the rows and return the ratios."""
    from app.settings import Settings
    from retrieval.models.embeddings import make_embeddings

    rows: list[tuple[str, int, float]] = []
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            embeddings = make_embeddings(model)
            embeddings.embed_query("warm up")
            work = Path(tmp) / model
            texts = embedded_texts(folder, Path(tmp) / "texts")
            # the ceiling is timed just before and just after the ingest, and their mean
            # taken: this machine's speed drifts by several percent within a minute
            before_s = run_ceiling(texts, embeddings)
            gw_s, gw_chunks = run_groundwork(folder, work, embeddings)
            assert gw_chunks == len(texts), (gw_chunks, len(texts))
            after_s = run_ceiling(texts, embeddings)
            ceil_s = (before_s + after_s) / 2
            rows.append((f"Groundwork ingest, {model}", gw_chunks, gw_s))
            rates[model] = gw_chunks / gw_s
            rows.append(("  its encode alone (ceiling: before, after)", len(texts), ceil_s))
            rows.append(("    before", len(texts), before_s))
            rows.append(("    after", len(texts), after_s))
            rates[f"{model} ceiling"] = len(texts) / ceil_s
            encoder = getattr(embeddings, "_encoder", None)  # an ONNX model: its old way too
            if encoder is not None and encoder.parallel > 1:
                encoder.parallel, parallel = 1, encoder.parallel
                one_s = run_ceiling(texts, embeddings)
                encoder.parallel = parallel
                rows.append(("  its encode on one session (before session 11)", len(texts), one_s))
                rates[f"{model} one session"] = len(texts) / one_s
            lc_s, lc_chunks = run_langchain(
                folder, work, langchain_embeddings(model, embeddings), 800, 120
            )
            rows.append(("  plain LangChain recipe, same model", lc_chunks, lc_s))
            rates[f"{model} langchain"] = lc_chunks / lc_s
            if sentence_vectors and model == models[0]:
                support = make_embeddings(Settings().support_model)
                support.embed_query("warm up")
                sv_s, sv_chunks = run_groundwork(folder, Path(tmp) / "sv", embeddings, support)
                rows.append(("  the same, sentence vectors at ingest", sv_chunks, sv_s))
                rates["sentence vectors"] = sv_chunks / sv_s
    print(f"run {run}:")
    print(f"{'run':<52}{'chunks':>8}{'seconds':>10}{'chunks/s':>10}")
    for name, chunks, seconds in rows:
        print(f"{name:<52}{chunks:>8}{seconds:>10.1f}{chunks / seconds:>10.1f}")
    ratios: dict[str, float] = {}
    for model in models:
        if f"{model} one session" in rates:
            ratios[f"encode, {model}: one-thread sessions side by side / one session (x)"] = (
                rates[f"{model} ceiling"] / rates[f"{model} one session"]
            )
        ratios[f"Groundwork / ceiling, {model} (goal >= 0.85)"] = (
            rates[model] / rates[f"{model} ceiling"]
        )
        ratios[f"Groundwork / LangChain recipe, {model} (goal > 1.00)"] = (
            rates[model] / rates[f"{model} langchain"]
        )
    if "sentence vectors" in rates:
        ratios["ingest time with sentence vectors at ingest (x)"] = (
            rates[models[0]] / rates["sentence vectors"]
        )
    for name, value in ratios.items():
        print(f"{name}: {value:.2f}")
    return ratios


if __name__ == "__main__":
    main()
