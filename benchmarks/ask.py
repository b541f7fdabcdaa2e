"""Where one answer spends its time: /ask's stages, p50/p95, at 10k and 50k chunks.

The use case is called in this process (``AnswerService.ask``, no HTTP), one question at a
time, and every answer's ``timings_ms`` is collected: ``search`` (dense + keyword +
fusion), ``rerank`` (the cross-encoder reads the pool), ``support`` (every retrieved
sentence scored against the question), ``answer`` (the extractive provider picks
sentences; the cross-encoder reads the best few), ``verify`` (the claim check). The
baseline, run in the same process on the same collection, is the hybrid search alone.

By default the collection is synthetic (``benchmarks/query.py``: company sentences,
random vectors, questions embedded by the real model). ``--data-dir`` and
``--collection`` profile a collection you ingested, with questions from ``--questions``
(one per line, or BEIR ``queries.jsonl``), for example the SciFact collection that
``groundwork eval retrieval`` builds:

    python benchmarks/ask.py [--sizes 10000 50000] [--questions-count 150] [--reranker none]
    python benchmarks/ask.py --data-dir D --collection eval-scifact \\
        --questions ../shared/data/scifact/queries.jsonl

With ``--runtimes torch onnx [--runs 3]`` each collection is profiled by fresh containers
whose support model runs on each runtime in turn (``GROUNDWORK_MODEL_RUNTIME``).

With ``--sentence-vectors`` each collection is profiled twice, each time by a fresh
container: the sentences embedded while answering (the store ignored), then read from
the sentence-vector store (``GROUNDWORK_SENTENCE_VECTORS=ingest``). A synthetic collection
has no store: the sentences of the chunks each question retrieves are stored first, which
is what ingest would have stored for them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from app.evaluation.metrics import percentile as pct  # noqa: E402
from benchmarks.corpus import sentence  # noqa: E402
from benchmarks.query import build, timed  # noqa: E402

STAGES = ("search", "rerank", "support", "answer", "verify", "total")


def read_questions(path: Path, count: int) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.suffix == ".jsonl":
        lines = [json.loads(line)["text"] for line in lines]
    return lines[:count]


def store_retrieved_sentences(container, collection: str, questions: list[str]) -> int:
    """Store the sentences of every chunk the questions retrieve; returns how many."""
    s = container.settings
    chunks: dict[str, dict[str, object]] = {}
    for q in questions:
        for doc in container.retriever(collection, k=max(s.top_k, s.rerank_pool)).search(q):
            chunks.setdefault(doc.metadata["document_id"], {})[doc.id] = doc
    grouped = {doc_id: list(by_id.values()) for doc_id, by_id in chunks.items()}
    return container.sentence_vectors.replace_documents(collection, grouped)


def profile_both(make_container, collection: str, questions: list[str], label: str) -> None:
    """Sentences embedded while answering, then read from the store."""
    live = make_container()
    live.scorer.stored = None
    profile(live, collection, questions, f"{label}, sentences embedded while answering")
    if not live.sentence_vectors.count(collection):
        n = store_retrieved_sentences(live, collection, questions)
        print(f"{'':>{len(label)}}  (stored {n} sentences of the retrieved chunks)")
    profile(make_container(), collection, questions, f"{label}, sentence vectors read")


def profile(container, collection: str, questions: list[str], label: str) -> None:
    service = container.answers
    service.ask(questions[0], collection)  # models load outside the measurement
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    refused = 0
    for q in questions:
        answer = service.ask(q, collection)
        refused += answer.refused
        t = answer.timings_ms.model_dump()
        for s in STAGES:
            stages[s].append(t[s])
    base = timed(container.retriever(collection).search, questions)
    row = "  ".join(f"{s} {pct(v, 50):.0f}/{pct(v, 95):.0f}" for s, v in stages.items())
    print(f"{label}: {row}  (refused {refused}/{len(questions)})")
    total = pct(stages["total"], 50)
    print(
        f"{'':>{len(label)}}  baseline hybrid search alone p50/p95 "
        f"{pct(base, 50):.0f}/{pct(base, 95):.0f} ms; /ask p50 = x{total / pct(base, 50):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--questions-count", type=int, default=150)
    parser.add_argument("--reranker", default=None, help="e.g. none (default: the settings')")
    parser.add_argument("--data-dir", type=Path, help="profile a collection already ingested")
    parser.add_argument("--collection")
    parser.add_argument("--questions", type=Path, help="one question per line, or queries.jsonl")
    parser.add_argument(
        "--sentence-vectors", action="store_true", help="without and with stored sentences"
    )
    parser.add_argument(
        "--runtimes",
        nargs="+",
        choices=["onnx", "torch"],
        help="profile each collection once per support-model runtime, alternating (--runs)",
    )
    parser.add_argument("--runs", type=int, default=1, help="with --runtimes: rounds")
    args = parser.parse_args()

    from app.container import Container
    from app.settings import Settings

    overrides = {"reranker": args.reranker} if args.reranker else {}
    print(f"cores={os.cpu_count()}, stage p50/p95 ms over {args.questions_count} questions")
    if args.data_dir:
        if not (args.collection and args.questions):
            parser.error("--data-dir needs --collection and --questions")
        settings = Settings(data_dir=args.data_dir, **overrides)
        questions = read_questions(args.questions, args.questions_count)
        if args.runtimes:
            for run in range(1, args.runs + 1):
                for runtime in args.runtimes:
                    fresh = Container(settings.model_copy(update={"model_runtime": runtime}))
                    profile(fresh, args.collection, questions, f"run {run}, {runtime}")
        elif args.sentence_vectors:
            profile_both(lambda: Container(settings), args.collection, questions, args.collection)
        else:
            profile(Container(settings), args.collection, questions, args.collection)
        return
    rng = random.Random(5)
    questions = [sentence(rng).rstrip(".").lower() + "?" for _ in range(args.questions_count)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), **overrides)
        container = Container(settings)
        for size in args.sizes:
            name = f"bench-{size}"
            build(container, name, size, container.embeddings.dimension)
            if args.runtimes:
                for run in range(1, args.runs + 1):
                    for runtime in args.runtimes:
                        fresh = Container(
                            settings.model_copy(update={"model_runtime": runtime}),
                            embeddings=container.embeddings,
                        )
                        profile(fresh, name, questions, f"{size:>6} chunks, run {run}, {runtime}")
            elif args.sentence_vectors:
                fresh = partial(Container, settings, embeddings=container.embeddings)
                profile_both(fresh, name, questions, f"{size:>6} chunks")
            else:
                profile(container, name, questions, f"{size:>6} chunks")


if __name__ == "__main__":
    main()
