"""Every parse runs in a sandboxed process: memory capped, dead with its parent, and zip
bombs refused before they are unpacked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ingest.chunking import ChunkingConfig
from ingest.executors.local import LocalExecutor
from ingest.parsing import ParseResult, ParseTask, parse_file
from ingest.planning import WorkItem
from tests.conftest import ROOT
from tests.fakes import HashingEmbeddings


def task(path: Path, **kw) -> ParseTask:
    return ParseTask(str(path), path.name, path.name, "c", "h", 1, ChunkingConfig(), 60, **kw)


def bomb(path: Path, unpacked_mb: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b"A" * (unpacked_mb * 2**20) + b"</w>")
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = bomb(tmp_path / "bomb.docx", 600)
    assert path.stat().st_size < 2 * 2**20
    result = parse_file(task(path))
    assert result.error == (
        "the Word file unpacks to 600 MB, over the limit of 256 MB "
        "(GROUNDWORK_MAX_UNZIPPED_MB; a zip bomb?)"
    )


def test_a_bomb_under_the_size_limit_is_caught_by_its_ratio(tmp_path):
    result = parse_file(task(bomb(tmp_path / "dense.docx", 100)))
    assert "times its size" in result.error and "zip bomb" in result.error


def test_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.docx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(10_001):
            z.writestr(f"p/{i}.xml", "")
    assert "10,001 parts" in parse_file(task(path)).error


@pytest.mark.integration
def test_a_file_that_needs_too_much_memory_fails_alone(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(("Lorem ipsum dolor sit amet consectetur. " * 20 + "\n\n") * 50_000)
    small = tmp_path / "ok.txt"
    small.write_text("A small file about lunch at noon.")
    work = [WorkItem(task(p, max_chunks=10**7), False, False) for p in (big, small)]
    batches = list(LocalExecutor(workers=1, memory_mb=256).process(work, HashingEmbeddings()))
    failed = {p.result.task.source: p.result.error for b in batches for p in b.failed}
    done = [p.result.task.source for b in batches for p in b.done]
    assert done == ["ok.txt"]
    assert "more memory to parse than a parser may use" in failed["big.txt"]


def parse_noting_pid(task: ParseTask, folder: str) -> ParseResult:
    """``parse_file``, noting which process ran it (a parser the tests hand over)."""
    (Path(folder) / task.source).with_suffix(".pid").write_text(str(os.getpid()))
    return parse_file(task)


def test_one_worker_still_parses_in_a_child_process(tmp_path):
    """The time limit and the memory cap hold with GROUNDWORK_INGEST_WORKERS=1 too."""
    from functools import partial

    path = tmp_path / "note.txt"
    path.write_text("Parsed somewhere else.")
    executor = LocalExecutor(workers=1)
    executor.parse = partial(parse_noting_pid, folder=str(tmp_path))
    batches = list(executor.process([WorkItem(task(path), False, False)], HashingEmbeddings()))
    assert batches[0].done
    assert int((tmp_path / "note.pid").read_text()) != os.getpid()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


SCRIPT = """
import sys, time
from ingest.executors.local import parser_pool
if __name__ == "__main__":
    pool = parser_pool(2, 2048)
    futures = [pool.submit(time.sleep, 300) for _ in range(4)]
    print("submitted", flush=True)
    time.sleep(300)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_parsers_die_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        assert parent.stdout.readline().strip() == "submitted"
        deadline = time.time() + 60
        while len(_descendants(parent.pid)) < 4 and time.time() < deadline:  # forkserver,
            time.sleep(0.2)  # resource tracker and the two busy parsers
        family = _descendants(parent.pid)
        assert len(family) >= 4, family
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.time() + 30
    while any(_alive(p) for p in family) and time.time() < deadline:
        time.sleep(0.2)
    left = [p for p in family if _alive(p)]
    for p in left:  # never leave them behind, even when the test fails
        os.kill(p, signal.SIGKILL)
    assert left == []


@pytest.mark.integration
def test_a_parser_crash_fails_its_file_alone_while_the_next_wave_is_read_ahead(tmp_path):
    """Batches of one chunk: each written batch starts the next wave early. The worker
    that reads crash.txt (in the second wave) dies; the wave's other files are read again
    one by one, each file comes back exactly once, and only crash.txt fails, with why."""

    from ingest.executors.local import CRASHED
    from tests.fakes import crash_parsing

    names = [f"note{i:02d}.txt" for i in range(20)]
    names[11] = "crash.txt"
    for name in names:
        (tmp_path / name).write_text(f"The file {name} is about lunch at noon.")
    work = [WorkItem(task(tmp_path / name), False, False) for name in names]
    executor = LocalExecutor(workers=1, batch_chunks=1)
    executor.parse = crash_parsing
    batches = list(executor.process(work, HashingEmbeddings()))
    done = [p.result.task.source for b in batches for p in b.done]
    failed = {p.result.task.source: p.result.error for b in batches for p in b.failed}
    assert sorted(done) == sorted(n for n in names if n != "crash.txt")
    assert failed == {"crash.txt": CRASHED}
