"""``groundwork eval retrieval``: nDCG@10, Recall@10/100, MRR@10 and latency on BEIR data.

By default the retriever alone is measured. With ``rerank=True`` the ranking is the one
``/ask`` shows its sources in: the configured reranker reads the first
``GROUNDWORK_RERANK_POOL`` chunks and reorders them, and the rest follow in retrieval
order.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.container import Container
from app.evaluation.datasets import beir_id, materialize_beir, read_beir
from app.evaluation.metrics import mrr_at_k, ndcg_at_k, percentile, rank, recall_at_k
from app.evaluation.splits import QuerySplit
from ingest.progress import IngestProgress, NoProgress
from retrieval import metadata as md
from retrieval.errors import ConfigurationError


@dataclass
class RetrievalReport:
    dataset: str
    split: str
    mode: str
    queries: int
    documents: int
    ndcg_at_10: float
    recall_at_10: float
    recall_at_100: float
    mrr_at_10: float
    latency_p50_ms: float
    latency_p95_ms: float
    config: dict
    ingest: dict

    def to_dict(self) -> dict:
        return asdict(self)


def configuration(settings, *names: str) -> dict:
    """The settings a figure depends on, so a report says what produced it."""
    return {name: getattr(settings, name) for name in names}


def document_ranking(chunks, depth: int = 100) -> dict[str, float]:
    """A document's score is its best chunk's; ``chunks`` come best first."""
    scores: dict[str, float] = {}
    for rank_pos, doc in enumerate(chunks):
        doc_id = beir_id(doc.metadata[md.SOURCE])
        # fused scores may tie: fall back to the chunk's rank so order is kept
        score = float(doc.metadata.get("score", 0.0)) - rank_pos * 1e-9
        if doc_id not in scores:
            scores[doc_id] = score
        if len(scores) >= depth:
            break
    return scores


def reranked(chunks: list, reranker, query: str, pool: int) -> list:
    """``chunks`` with the first ``pool`` in the reranker's order, ranked above the rest."""
    head = list(reranker.compress_documents(chunks[:pool], query))
    top = max((float(d.metadata.get("score", 0.0)) for d in chunks), default=0.0)
    # the reranked head outranks every later chunk; its own order is kept by rank
    for n, doc in enumerate(head):
        doc.metadata["score"] = top + 1.0 + (len(head) - n) * 1e-6
    return head + list(chunks[pool:])


def run_retrieval_eval(
    container: Container,
    folder: Path,
    *,
    split: str = "test",
    mode: str = "hybrid",
    rerank: bool = False,
    collection: str | None = None,
    limit: int | None = None,
    query_split: QuerySplit | None = None,
    progress: IngestProgress | None = None,
    query_progress=None,
) -> RetrievalReport:
    reranker = container.reranker if rerank else None
    if rerank and reranker is None:  # before any ingesting
        raise ConfigurationError("--rerank needs a reranker; GROUNDWORK_RERANKER is none")
    beir = read_beir(folder, split)
    name = collection or f"eval-{Path(folder).resolve().name.lower()}"
    docs_dir = materialize_beir(beir, container.settings.data_dir / "datasets" / name)
    summary = container.ingestor.ingest_folder(
        docs_dir, name, prune=True, progress=progress or NoProgress()
    )
    retriever = container.retriever(
        name, mode=mode, k=300, depth=max(300, container.settings.search_depth)
    )
    queries = [(q, t) for q, t in beir.queries.items() if not query_split or query_split.keeps(q)]
    queries = queries[: limit or None]
    if reranker is not None:
        reranker.warm_up()
    pool = container.settings.rerank_pool
    ndcg, r10, r100, mrr, latencies = [], [], [], [], []
    for qid, text in queries:
        t0 = time.perf_counter()
        chunks = retriever.search(text)
        if reranker is not None:
            chunks = reranked(chunks, reranker, text, pool)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranking = rank(document_ranking(chunks, 100))
        qrels = beir.qrels[qid]
        ndcg.append(ndcg_at_k(ranking, qrels, 10))
        r10.append(recall_at_k(ranking, qrels, 10))
        r100.append(recall_at_k(ranking, qrels, 100))
        mrr.append(mrr_at_k(ranking, qrels, 10))
        if query_progress is not None:
            query_progress()
    n = max(len(queries), 1)
    return RetrievalReport(
        dataset=str(folder),
        split=split + (f" ({query_split} of its queries)" if query_split else ""),
        mode=mode,
        queries=len(queries),
        documents=len(beir.corpus),
        ndcg_at_10=round(sum(ndcg) / n, 4),
        recall_at_10=round(sum(r10) / n, 4),
        recall_at_100=round(sum(r100) / n, 4),
        mrr_at_10=round(sum(mrr) / n, 4),
        latency_p50_ms=round(percentile(latencies, 50), 1),
        latency_p95_ms=round(percentile(latencies, 95), 1),
        config=configuration(
            container.settings,
            "embedding_model",
            "fusion",
            "dense_weight",
            "chunk_size",
            "sentence_search_weight",
            "sentence_search_pool",
        )
        | (
            configuration(
                container.settings,
                "reranker",
                "rerank_pool",
                "rerank_retrieval_weight",
                "rerank_passage_chars",
            )
            if rerank
            else {"reranker": "none"}
        ),
        ingest={k: v for k, v in summary.to_dict().items() if k != "documents"},
    )
