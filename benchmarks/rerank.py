"""What each reranker costs per answer, against no reranker, in one process.

sample_docs/ is ingested once into a temporary folder; the same questions are asked with
``GROUNDWORK_RERANKER=none`` (the baseline), ``cross-encoder`` and ``query-likelihood``
(skipped without the ``llamacpp`` extra), and p50/p95 answer latency and the ratios to the
baseline are printed.

    python benchmarks/rerank.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = [
    "How many vacation days carry over?",
    "How long is parental leave for non-birth parents?",
    "What is the home office stipend?",
    "What is the annual deductible of the Silver plan?",
    "How long do I have to submit an expense claim?",
    "How quickly must a stolen laptop be reported?",
    "How many parking spaces does the Lisbon office have?",
]


def timings(container, rounds: int) -> list[float]:
    container.answers.ask(QUESTIONS[0], "bench")  # load the models outside the timing
    out = []
    for _ in range(rounds):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            container.answers.ask(q, "bench")
            out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from app.container import Container
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        base = Container(Settings(data_dir=Path(tmp), reranker="none"))
        base.ingestor.ingest_folder(ROOT / "sample_docs", "bench")
        runs = {"none": base}
        kinds = ["cross-encoder"]
        try:
            import llama_cpp  # noqa: F401

            kinds.append("query-likelihood")
        except ImportError:
            print("llama-cpp-python not installed: query-likelihood skipped")
        for kind in kinds:
            runs[kind] = Container(
                Settings(data_dir=Path(tmp), reranker=kind),
                embeddings=base.embeddings,
                support_embeddings=base.support_embeddings,
            )
        results = {name: timings(c, args.rounds) for name, c in runs.items()}
    p50 = {name: statistics.median(ms) for name, ms in results.items()}
    for name, ms in results.items():
        p95 = statistics.quantiles(ms, n=20)[-1]
        print(f"reranker={name:17s} answers: {len(ms)}  p50 {p50[name]:7.0f} ms  p95 {p95:7.0f} ms")
    for name in results:
        if name != "none":
            print(f"{name} p50 / no reranker p50: x{p50[name] / p50['none']:.1f}")


if __name__ == "__main__":
    main()
