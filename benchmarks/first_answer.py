"""The API's first answer after start-up against its later ones: ``groundwork serve`` on
sample_docs/ (ingested once), /ready awaited, then 11 different questions one at a time;
fresh starts. The goal: the first answer is as fast as the tenth (models and first-use
work are loaded before /ready says ready).

Two figures. *First / later*: the first answer against the median of the next ten, as
before; it compares different questions (a refusal costs less than an answer), and on a
corpus this small a later question often finds its chunks' sentences already embedded
by an earlier one. *Same question*: start ``i`` asks the questions rotated by ``i``, so
each question comes first once; its time then is set against its own median in the
starts where it came later. That is what a slow first request would show.

    python benchmarks/first_answer.py [--starts 11]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "groundwork"
QUESTIONS = [
    "How many vacation days carry over?",
    "How long is parental leave for non-birth parents?",
    "What is the home office stipend?",
    "What is the annual deductible of the Silver plan?",
    "How much does Brightwater match on pension contributions?",
    "How long do I have to submit an expense claim?",
    "How quickly must a stolen laptop be reported?",
    "How many parking spaces does the Lisbon office have?",
    "What is the daily meal allowance when travelling in Europe?",
    "Who approves vacation requests longer than ten days?",
    "What is the capital of Australia?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_start(data: Path, questions: list[str]) -> list[float]:
    import httpx

    port = free_port()
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=30).json().get("status") == "ready":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("the server never became ready")
        times = []
        for question in questions:
            t0 = time.perf_counter()
            r = httpx.post(
                f"{base}/ask", json={"question": question, "collection": "company"}, timeout=300
            )
            r.raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=len(QUESTIONS))
    args = parser.parse_args()
    by_question: dict[str, dict[int, list[float]]] = {q: {} for q in QUESTIONS}
    with tempfile.TemporaryDirectory(prefix="gw-first-") as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "GROUNDWORK_DATA_DIR": str(data)}
        subprocess.run(
            [str(BIN), "ingest", str(ROOT / "sample_docs"), "-c", "company", "--json"],
            env=env,
            check=True,
            capture_output=True,
        )
        for n in range(args.starts):
            shift = n % len(QUESTIONS)
            order = QUESTIONS[shift:] + QUESTIONS[:shift]
            times = one_start(data, order)
            for position, (question, ms) in enumerate(zip(order, times, strict=True)):
                by_question[question].setdefault(position, []).append(ms)
            later = statistics.median(times[1:])
            print(
                f"start {n + 1}: first answer {times[0]:.0f} ms, later answers median "
                f"{later:.0f} ms (tenth {times[9]:.0f} ms), first / later {times[0] / later:.2f}",
                flush=True,
            )
    ratios = []
    for question, positions in by_question.items():
        first = positions.get(0)
        later = [ms for p, values in positions.items() if p > 0 for ms in values]
        if first and later:
            ratios.append(statistics.median(first) / statistics.median(later))
            print(
                f"  first {statistics.median(first):4.0f} ms, later {statistics.median(later):4.0f}"
                f" ms (x{ratios[-1]:.2f}): {question}"
            )
    if ratios:
        print(
            f"same question, first / later: median x{statistics.median(ratios):.2f}, "
            f"range x{min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} questions"
        )


if __name__ == "__main__":
    main()
