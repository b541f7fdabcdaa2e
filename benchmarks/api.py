"""/ask under load: 20 concurrent clients for 30 s against a real uvicorn.

A 10k-chunk collection is built as in ``benchmarks/query.py`` (synthetic company text,
random vectors; questions embedded by the real model), then ``groundwork serve`` runs on
127.0.0.1 with the extractive provider. The baseline, run first in this process, is the
same ``AnswerService.ask`` called in a loop with no HTTP in between, so the ratio shows
what the API layer costs. The load generator shares the 2 cores with the server.

    python benchmarks/api.py [--clients 20] [--seconds 30] [--chunks 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import httpx  # noqa: E402

from benchmarks.corpus import sentence  # noqa: E402
from benchmarks.query import build  # noqa: E402

COLLECTION = "bench"


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if samples else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(url: str, questions: list[str], clients: int, seconds: float):
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(i: int) -> None:
        rng = random.Random(i)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            while time.perf_counter() < deadline:
                q = rng.choice(questions)
                t0 = time.perf_counter()
                try:
                    r = await http.post("/ask", json={"question": q, "collection": COLLECTION})
                    code = r.status_code
                except httpx.HTTPError:
                    code = 0
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[code] = statuses.get(code, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, statuses, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--chunks", type=int, default=10_000)
    args = parser.parse_args()

    from app.container import Container
    from app.settings import Settings
    from retrieval.models.embeddings import make_embeddings

    rng = random.Random(5)
    questions = [sentence(rng).rstrip(".").lower() + "?" for _ in range(300)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        embeddings = make_embeddings(Settings().embedding_model)  # what the server will load
        embeddings.embed_query("warm up")
        container = Container(Settings(data_dir=data), embeddings=embeddings)
        build(container, COLLECTION, args.chunks, embeddings.dimension)

        # baseline: the same use case in this process, no HTTP
        container.answers.ask(questions[0], COLLECTION)
        base_lat = []
        t_end = time.perf_counter() + min(args.seconds, 15)
        i = 0
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            container.answers.ask(questions[i % len(questions)], COLLECTION)
            base_lat.append((time.perf_counter() - t0) * 1000)
            i += 1
        base_rps = len(base_lat) / (sum(base_lat) / 1000)
        del container

        port = free_port()
        env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data)}
        groundwork = Path(sys.executable).parent / "groundwork"
        server = subprocess.Popen(
            [str(groundwork), "serve", "--port", str(port), "--log-level", "warning"], env=env
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while time.time() < deadline:
                try:
                    if httpx.get(url + "/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            httpx.post(url + "/ask", json={"question": questions[0], "collection": COLLECTION})
            latencies, statuses, elapsed = asyncio.run(
                load(url, questions, args.clients, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

    ok = sum(n for code, n in statuses.items() if 200 <= code < 300)
    rps = len(latencies) / elapsed
    print(f"{args.chunks} chunks, extractive provider, cores={os.cpu_count()}")
    print(f"{'run':<44}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    print(
        f"{'baseline: AnswerService.ask, 1 thread':<44}{base_rps:>8.1f}"
        f"{pct(base_lat, 50):>9.1f}{pct(base_lat, 95):>9.1f}{pct(base_lat, 99):>9.1f}"
    )
    print(
        f"{f'API /ask, {args.clients} clients, {args.seconds:.0f} s':<44}{rps:>8.1f}"
        f"{pct(latencies, 50):>9.1f}{pct(latencies, 95):>9.1f}{pct(latencies, 99):>9.1f}"
    )
    print(f"throughput ratio API / baseline: x{rps / base_rps:.2f}")
    print(f"requests: {len(latencies)}, 2xx: {ok}, non-2xx: {len(latencies) - ok} {statuses}")
    if ok < len(latencies):
        raise SystemExit("some requests failed: the figures above do not measure answers")


if __name__ == "__main__":
    main()
