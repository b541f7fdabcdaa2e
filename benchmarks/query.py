"""Retrieval latency at 10k and 50k chunks: p50/p95 over 200 queries.

Chunk texts are synthetic company sentences; their vectors are random unit vectors (so a
50k-chunk collection builds in seconds), while queries are embedded by the real model,
as in production. The baseline is langchain-chroma's own ``similarity_search`` (dense
only, query embedded inside) on a plain Chroma collection of the same chunks and vectors
(texts stored in Chroma, as LangChain writes them), run in the same process.

    python benchmarks/query.py [--sizes 10000 50000] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from langchain_core.documents import Document  # noqa: E402

from benchmarks.corpus import paragraph, sentence  # noqa: E402


def build(container, name: str, size: int, dim: int, seed: int = 3, *, plain: bool = False) -> None:
    """Groundwork's collection ``name``; with ``plain``, also the baseline's plain Chroma
    collection of the same chunks, ``plain-name``."""
    baseline = None
    if plain:
        baseline = container.chroma_client.get_or_create_collection(
            f"plain-{name}", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    batch = 2000
    for start in range(0, size, batch):
        n = min(batch, size - start)
        docs = []
        for i in range(start, start + n):
            doc_id = f"doc{i // 10:05d}"
            docs.append(
                Document(
                    id=f"{doc_id}:{i % 10:05d}",
                    page_content=paragraph(rng, 5),
                    metadata={
                        "document_id": doc_id,
                        "source": f"{doc_id}.pdf",
                        "title": f"Policy {i // 10}",
                        "page": 1 + i % 10,
                        "collection": name,
                        "start": 0,
                        "end": 0,
                    },
                )
            )
        vecs = nprng.normal(size=(n, dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        ids, metas = [d.id for d in docs], [d.metadata for d in docs]
        container.chunk_store.upsert(name, ids, metas, vecs)
        if baseline is not None:
            texts = [d.page_content for d in docs]
            baseline.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=vecs)
        container.keyword_index.replace_documents(name, [], docs)


def percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94]


def timed(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    from langchain_chroma import Chroma

    from app.container import Container
    from app.settings import Settings
    from retrieval.models.embeddings import make_embeddings

    model = Settings().embedding_model
    embeddings = make_embeddings(model)
    embeddings.embed_query("warm up")
    rng = random.Random(11)
    queries = [sentence(rng).rstrip(".").lower() + "?" for _ in range(args.queries)]
    print(f"{args.queries} queries, top 5 of depth 50, {model}, cores={os.cpu_count()}")
    print(f"{'chunks':>8} {'retriever':<34}{'p50 ms':>9}{'p95 ms':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(Settings(data_dir=Path(tmp)), embeddings=embeddings)
        for size in args.sizes:
            name = f"bench-{size}"
            build(container, name, size, embeddings.dimension, plain=True)
            view = Chroma(
                collection_name=f"plain-{name}",
                embedding_function=embeddings,
                client=container.chroma_client,
                create_collection_if_not_exists=False,
            )
            runs = {
                "baseline: Chroma.similarity_search": lambda q, v=view: v.similarity_search(q, k=5),
                "Groundwork dense": container.retriever(name, mode="dense").search,
                "Groundwork keyword (BM25)": container.retriever(name, mode="keyword").search,
                "Groundwork hybrid (default)": container.retriever(name).search,
            }
            for fn in runs.values():  # warm caches
                fn(queries[0])
            results = {label: percentiles(timed(fn, queries)) for label, fn in runs.items()}
            base = results["baseline: Chroma.similarity_search"][0]
            for label, (p50, p95) in results.items():
                print(
                    f"{size:>8} {label:<34}{p50:>9.1f}{p95:>9.1f}"
                    f"   x{p50 / base:.2f} of baseline p50"
                )


if __name__ == "__main__":
    main()
