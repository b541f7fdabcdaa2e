"""Peak resident memory of one ingestion process against the size of the file it ingests.

Each run is a fresh process (so its peak is its own): it ingests one generated text file
of about N chunks (plus the sample documents beside it) and prints its peak RSS. The
parsers are child processes with their own cap (GROUNDWORK_PARSER_MEMORY_MB) and are not
counted here.

    python benchmarks/memory.py [--chunks 2000 20000 100000] [--model hashing|bge-small-en-v1.5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, shutil, sys, time
from pathlib import Path

def main():
    from app.container import Container
    from app.settings import Settings
    chunks, model, work = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    docs = work / "docs"
    shutil.copytree(Path(sys.argv[4]), docs)
    para = "Paragraph {n} of the generated file says something about topic {n}. " * 9
    with open(docs / "big.txt", "w") as fh:
        for n in range(chunks):
            fh.write(para.format(n=n) + "\n\n")
    settings = Settings(data_dir=work / "data", max_file_mb=1000, max_chunks_per_file=10**7)
    if model == "hashing":
        from tests.fakes import HashingEmbeddings
        container = Container(settings, embeddings=HashingEmbeddings(dim=384))
    else:
        container = Container(settings.model_copy(update={"embedding_model": model}))
    t0 = time.perf_counter()
    summary = container.ingestor.ingest_folder(docs, "mem")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = round((docs / "big.txt").stat().st_size / 2**20, 1)
    print(json.dumps({"chunks": summary.chunks_written, "file_mb": size_mb,
                      "peak_rss_mb": round(peak_mb), "seconds": round(time.perf_counter() - t0, 1),
                      "failed": [f["source"] for f in summary.failed]}))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, nargs="+", default=[2000, 20000, 100000])
    parser.add_argument("--model", default="hashing")
    args = parser.parse_args()
    for n in args.chunks:
        with tempfile.TemporaryDirectory() as work:
            script = Path(work) / "child.py"
            script.write_text(CHILD)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
            out = subprocess.run(
                [sys.executable, str(script), str(n), args.model, work, str(ROOT / "sample_docs")],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            print(json.dumps({"model": args.model, **result}))


if __name__ == "__main__":
    main()
