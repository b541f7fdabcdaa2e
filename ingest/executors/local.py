"""Parse in worker processes on this machine, embed in this process between waves.

Every parse runs in a sandboxed child process (``ingest/sandbox.py``: memory cap, dies
with its parent, per-file time limit), however many workers are configured; only
``workers=0`` parses in the calling process, for tests and debugging.

Files are parsed in waves that use every worker, and embedded between waves: parsers
and the embedder never compete for the CPU (on a small machine the embedder's thread
team slows down badly when a parser takes one of its cores). While an embedded batch is
written (one core at most), the files of the next batch are parsed: as many as the
batch held, one share per worker. On 300 generated PDFs that cut the time spent waiting
for parsers from 1.4-1.6 s to 0.7-1.1 s of a 23 s ingest (session 14; the ratio to the
encode ceiling stayed within noise, 0.81-0.82). A wave that needed OCR is the exception:
OCR takes seconds a page on one core per parser, so the next wave is parsed while that
one is embedded as well.

The parser processes are started by ``prepare``, before the caller opens Chroma (about
0.35 s on a new data folder), so their start-up (about 0.6 s: the fork server, the
workers and their imports) is mostly over when the first files are handed out.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from langchain_core.embeddings import Embeddings

from ingest.chunking import embedding_text
from ingest.executors.base import Executor, Processed, ProcessedBatch, embed_texts
from ingest.parsing import ParseResult, ParseTask, parse_file
from ingest.planning import WorkItem
from ingest.sandbox import enter_sandbox


class LocalExecutor(Executor):
    def __init__(
        self, workers: int = 1, batch_chunks: int = 256, memory_mb: int | None = 2048
    ) -> None:
        if workers < 0:
            raise ValueError(f"workers must be >= 0, got {workers}")
        if batch_chunks < 1:
            raise ValueError(f"batch_chunks must be >= 1, got {batch_chunks}")
        self.workers = workers
        self.batch_chunks = batch_chunks
        self.memory_mb = memory_mb
        self.parse: Callable[[ParseTask], ParseResult] = parse_file  # run by the parsers
        self._started: ProcessPoolExecutor | None = None  # made by ``prepare``

    def prepare(self) -> None:
        """Start the parser processes now: the fork server, the workers and their imports
        take about 0.6 s, spent while the caller opens Chroma and plans."""
        if self.workers and self._started is None:
            pool = parser_pool(self.workers, self.memory_mb)
            for _ in range(self.workers):
                pool.submit(_started)  # a worker is spawned per task waiting for one
            self._started = pool

    def release(self) -> None:
        pool, self._started = self._started, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def process(self, work: Sequence[WorkItem], embeddings: Embeddings) -> Iterator[ProcessedBatch]:
        items = {w.task.document_id: w for w in work}
        pending: list[Processed] = []
        size = 0
        started, self._started = self._started, None
        waves = _Waves([w.task for w in work], self.workers, self.memory_mb, self.parse, started)
        for result in waves:
            done = Processed(items[result.task.document_id], result)
            if result.error:
                yield ProcessedBatch(failed=[done])
                continue
            pending.append(done)
            size += len(result.chunks)
            if size >= self.batch_chunks:
                batch = self._embedded(pending, embeddings)
                # as many files as this batch held are parsed while the caller writes it
                waves.read_ahead(len(pending))
                yield batch
                pending, size = [], 0
        if pending:
            yield self._embedded(pending, embeddings)

    @staticmethod
    def _embedded(done: list[Processed], embeddings: Embeddings) -> ProcessedBatch:
        batch = ProcessedBatch(done=done)
        batch.vectors = embed_texts(embeddings, [embedding_text(c) for c in batch.chunks])
        return batch


class _Waves:
    """Parse results of ``tasks``, parsed in waves of ``8 x workers`` files by sandboxed
    processes (in this process with ``workers=0``). ``read_ahead`` submits the next wave
    before the current one's results are all taken."""

    def __init__(
        self,
        tasks: list[ParseTask],
        workers: int,
        memory_mb: int | None,
        parse: Callable[[ParseTask], ParseResult],
        started: ProcessPoolExecutor | None = None,
    ) -> None:
        self.queue = list(reversed(tasks))
        self.parse = parse
        self.workers = min(workers, len(tasks))
        self.memory_mb = memory_mb
        self.wave_size = self.workers * 8
        self._pool: ProcessPoolExecutor | None = None
        self._ahead: list[tuple[Future, list[ParseTask]]] = []
        self.started = started  # a pool started beforehand, used by the first pass

    def read_ahead(self, files: int = 0) -> None:
        """Start parsing the next wave now, of ``files`` files when that is more than a
        wave holds (no-op when one is already started). The wave goes to the workers in
        one share each: the caller is about to write, and Chroma's writes hold Python's
        lock, so the pool could not hand the workers file after file meanwhile."""
        if self._pool is not None and not self._ahead and self.queue:
            self._ahead = self._submit(max(files, self.wave_size), shares=self.workers)

    def _submit(self, size: int = 0, shares: int = 0) -> list[tuple[Future, list[ParseTask]]]:
        """The next ``size`` files (a wave), one call each or in ``shares`` calls."""
        assert self._pool is not None
        size = size or self.wave_size
        wave = [self.queue.pop() for _ in range(min(size, len(self.queue)))]
        parts = [wave[i::shares] for i in range(shares)] if shares else [[t] for t in wave]
        futures = []
        for part in filter(None, parts):
            try:
                future = self._pool.submit(parse_all, self.parse, part)
            except BrokenProcessPool as exc:  # retried alone, as a crash in the wave is
                future = Future()
                future.set_exception(exc)
            futures.append((future, part))
        return futures

    def __iter__(self) -> Iterator[ParseResult]:
        if self.workers == 0:
            while self.queue:
                yield self.parse(self.queue.pop())
            return
        context = multiprocessing.get_context("forkserver")
        while self.queue:
            crashed: list[ParseTask] = []
            started, self.started = self.started, None
            with started or parser_pool(self.workers, self.memory_mb, context) as pool:
                self._pool = pool
                try:
                    while (self.queue or self._ahead) and not crashed:
                        futures = self._ahead or self._submit()
                        self._ahead = []
                        wait([f for f, _ in futures])
                        results = []
                        for fut, part in futures:
                            try:
                                results.extend(fut.result())
                            except BrokenProcessPool:
                                crashed.extend(part)
                        if self.queue and not crashed and any(r.ocr_pages for r in results):
                            # OCR keeps one core busy per parser for seconds a page: let
                            # the next wave read while this one is embedded
                            self._ahead = self._submit()
                        yield from results
                        if crashed:  # nothing more goes to a broken pool
                            for _, part in self._ahead:
                                self.queue.extend(part)
                            self._ahead = []
                finally:
                    self._pool = None
            # a crashed parser (segfault, out of memory) takes the pool down: retry each
            # file of that wave alone, so only the file that crashes it fails
            for task in crashed:
                yield self._parse_isolated(task, context)

    def _parse_isolated(self, task: ParseTask, context) -> ParseResult:
        with parser_pool(1, self.memory_mb, context) as pool:
            try:
                return pool.submit(self.parse, task).result()
            except BrokenProcessPool:
                return ParseResult(task, error=CRASHED)


def _started() -> None:
    """Nothing: a parser process started early has imported the parsers to run it."""


def parse_all(
    parse: Callable[[ParseTask], ParseResult], tasks: list[ParseTask]
) -> list[ParseResult]:
    """``parse`` each task in turn (in a parser process)."""
    return [parse(task) for task in tasks]


CRASHED = (
    "the parser stopped on this file: it needs more memory than a parser may use "
    "(GROUNDWORK_PARSER_MEMORY_MB), or the file is damaged"
)


def parser_pool(workers: int, memory_mb: int | None, context=None) -> ProcessPoolExecutor:
    """Sandboxed parser processes (see ``ingest/sandbox.py``)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context or multiprocessing.get_context("forkserver"),
        initializer=enter_sandbox,
        initargs=(memory_mb, os.getpid()),
    )
