"""Parsing speed per format on this machine: slides, sheet rows, mails, chapters and OCR
pages per second, and each parser process's peak memory, for files generated like the
tests' (``tests/format_files.py``); then OCR pages per second with one and with two
parser processes.

Only parsing is measured (load + chunk, as a parser worker runs it); embedding is the
same for every format and measured by ``benchmarks/ingest.py``.

    python benchmarks/formats.py [--scale 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

KINDS = (
    "pptx",
    "xlsx",
    "csv",
    "eml",
    "epub",
    "odt",
    "odp",
    "rtf",
    "msg",
    "pdf-tables",
    "pdf-tables-off",
    "ocr",
)


def _make(kind: str, folder: Path, n: int) -> tuple[list[Path], str, int]:
    """Files of one kind, what their units are, and how many units they hold."""
    from tests import format_files as ff

    folder.mkdir(parents=True, exist_ok=True)
    if kind == "pptx":
        return [ff.write_pptx(folder / f"deck{i}.pptx") for i in range(20 * n)], "slides", 60 * n
    if kind == "xlsx":
        files = [ff.write_xlsx(folder / f"sheet{i}.xlsx", rows=5000) for i in range(2 * n)]
        return files, "rows", 2 * n * 5001
    if kind == "csv":
        return [ff.write_csv(folder / "parts.csv", rows=100_000 * n)], "rows", 100_000 * n
    if kind == "eml":
        return [ff.write_eml(folder / f"mail{i}.eml") for i in range(50 * n)], "mails", 50 * n
    if kind == "epub":
        files = [ff.write_epub(folder / f"book{i}.epub") for i in range(50 * n)]
        return files, "chapters", 100 * n
    if kind == "odt":
        return [ff.write_odt(folder / f"policy{i}.odt") for i in range(50 * n)], "documents", 50 * n
    if kind == "odp":
        return [ff.write_odp(folder / f"deck{i}.odp") for i in range(50 * n)], "slides", 100 * n
    if kind == "rtf":
        return [ff.write_rtf(folder / f"memo{i}.rtf") for i in range(50 * n)], "documents", 50 * n
    if kind == "msg":
        return [ff.write_msg(folder / f"mail{i}.msg") for i in range(50 * n)], "mails", 50 * n
    if kind.startswith("pdf-tables"):  # a 2-page report whose ruled table spans both
        files = [ff.write_table_pdf(folder / f"report{i}.pdf") for i in range(20 * n)]
        return files, "PDF pages", 40 * n
    if kind == "ocr":
        lines = ff.SCAN_LINES * 8  # a page of 24 lines
        files = [ff.write_tiff(folder / f"scan{i}.tif", [lines]) for i in range(4 * n)]
        return files, "OCR pages", 4 * n
    raise ValueError(kind)


def _parse(path: str, options):
    from ingest.chunking import ChunkingConfig
    from ingest.parsing import ParseTask, parse_file

    result = parse_file(
        ParseTask(
            path, Path(path).name, "d", "bench", "", 0, ChunkingConfig(), 600, options=options
        )
    )
    if result.error:
        raise SystemExit(f"{path}: {result.error}")
    return result


def _worker(files: list[str], kind: str, queue) -> None:
    from ingest.loaders.options import LoadOptions

    options = LoadOptions(pdf_tables=not kind.endswith("-off"))
    t0 = time.perf_counter()
    chunks = sum(len(_parse(path, options).chunks) for path in files)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((chunks, seconds, peak))


def measure(kind: str, folder: Path, scale: int) -> dict:
    """Parse every file of one kind in a fresh process (its peak memory is its own)."""
    files, unit, units = _make(kind, folder / kind, scale)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker, args=([str(f) for f in files], kind, queue))
    proc.start()
    chunks, seconds, peak = queue.get()
    proc.join()
    return {
        "format": kind,
        "unit": unit,
        "units": units,
        "chunks": chunks,
        "seconds": round(seconds, 2),
        "per_s": round(units / seconds, 1),
        "peak_mb": round(peak),
    }


def _ocr_pages(path: str) -> int:
    return _parse(path).ocr_pages


def ocr_parallel(folder: Path, scale: int) -> dict:
    """OCR pages per second with one and with two parser processes."""
    from concurrent.futures import ProcessPoolExecutor

    files, _, _ = _make("ocr", folder / "ocr", scale)
    out = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            list(pool.map(_ocr_pages, [str(files[0])] * workers))  # load the engine in each
            t0 = time.perf_counter()
            pages = sum(pool.map(_ocr_pages, [str(f) for f in files]))
            out[f"{workers}_workers_pages_per_s"] = round(pages / (time.perf_counter() - t0), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="multiply the file counts")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gw-formats-") as tmp:
        for kind in args.kinds:
            rows.append(measure(kind, Path(tmp), args.scale))
            if not args.json:
                r = rows[-1]
                print(
                    f"{r['format']:>14}: {r['units']:>7} {r['unit']:<9} {r['seconds']:>7.2f} s "
                    f"{r['per_s']:>9.1f}/s  peak {r['peak_mb']} MB",
                    flush=True,
                )
        parallel = ocr_parallel(Path(tmp), args.scale) if "ocr" in args.kinds else {}
    cpus = os.cpu_count()
    if args.json:
        print(json.dumps({"formats": rows, "ocr": parallel, "cpus": cpus}, indent=2))
        return
    if not parallel:
        return
    one, two = parallel["1_workers_pages_per_s"], parallel["2_workers_pages_per_s"]
    print(f"OCR with 1 / 2 parser processes ({cpus} cores): {one} / {two} pages/s")


if __name__ == "__main__":
    main()
