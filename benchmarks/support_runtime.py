"""The support model (all-MiniLM-L6-v2) on PyTorch against its ONNX copy, in one process.

What the support stage of ``/ask`` embeds: the sentences of the retrieved chunks (a batch
of about 45 sentences, when they are not stored at ingest) and the question. Both
runtimes embed the same inputs, alternating, for ``--runs`` runs; printed are the mean
milliseconds per batch and per question, the ratio PyTorch / ONNX, the largest
difference between the two runtimes' vectors, and each runtime's warm-up time.

    python benchmarks/support_runtime.py [--runs 3] [--batches 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from benchmarks.corpus import sentence  # noqa: E402

QUESTION = "Which team approves the expense claims of contractors?"


def timed(fn, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat * 1000


def main() -> None:
    import numpy as np

    from retrieval.models.embeddings import SentenceTransformerEmbeddings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=45)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rng = random.Random(11)
    batches = [[sentence(rng) for _ in range(args.sentences)] for _ in range(args.batches)]
    models, warm = {}, {}
    for runtime in ("torch", "onnx"):
        t0 = time.perf_counter()
        models[runtime] = SentenceTransformerEmbeddings(runtime=runtime)
        models[runtime].warm_up()
        warm[runtime] = round(time.perf_counter() - t0, 2)
    if models["onnx"]._onnx is None:
        raise SystemExit("the ONNX copy could not be made (see the log)")
    gap = float(
        np.abs(models["onnx"].encode(batches[0]) - models["torch"].encode(batches[0])).max()
    )
    runs = []
    for _ in range(args.runs):
        row = {}
        for runtime, model in models.items():
            row[f"{runtime}_batch_ms"] = round(
                sum(timed(lambda b=b, m=model: m.encode(b), 1) for b in batches) / len(batches),
                1,
            )
            row[f"{runtime}_question_ms"] = round(
                timed(lambda m=model: m.embed_query(QUESTION), 30), 2
            )
        row["batch_ratio"] = round(row["torch_batch_ms"] / row["onnx_batch_ms"], 2)
        row["question_ratio"] = round(row["torch_question_ms"] / row["onnx_question_ms"], 2)
        runs.append(row)
    report = {"runs": runs, "max_vector_difference": gap, "warm_up_s": warm}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for n, r in enumerate(runs, start=1):
        print(
            f"run {n}: {args.sentences} sentences torch {r['torch_batch_ms']} ms, onnx "
            f"{r['onnx_batch_ms']} ms (x{r['batch_ratio']}); a question torch "
            f"{r['torch_question_ms']} ms, onnx {r['onnx_question_ms']} ms "
            f"(x{r['question_ratio']})"
        )
    print(f"largest vector difference {gap:.1e}; warm-up s {warm}")


if __name__ == "__main__":
    main()
