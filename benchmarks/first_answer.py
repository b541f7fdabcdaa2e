"""The API's first answer after start-up against its later ones: ``groundwork serve`` on
sample_docs/ (ingested once), /ready awaited, then 11 different questions one at a time;
three fresh starts. The goal: the first answer is as fast as the tenth (models and
first-use work are loaded before /ready says ready).

    python benchmarks/first_answer.py [--starts 3]
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


def one_start(data: Path) -> list[float]:
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
        for question in QUESTIONS:
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
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
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
            times = one_start(data)
            later = statistics.median(times[1:])
            print(
                f"start {n + 1}: first answer {times[0]:.0f} ms, later answers median "
                f"{later:.0f} ms (tenth {times[9]:.0f} ms), first / later {times[0] / later:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
