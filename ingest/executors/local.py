"""Parse in worker processes on this machine, embed in this process between waves.

Every parse runs in a sandboxed child process (``ingest/sandbox.py``: memory cap, dies
with its parent, per-file time limit), however many workers are configured; only
``workers=0`` parses in the calling process, for tests and debugging.

Files are parsed in waves that use every worker, and embedded between waves: parsers
and the embedder never compete for the CPU (on a small machine the embedder's thread
team slows down badly when a parser takes one of its cores). A wave that needed OCR is
the exception: OCR takes seconds a page on one core per parser, so the next wave is
parsed while that one is embedded.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
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

    def process(self, work: Sequence[WorkItem], embeddings: Embeddings) -> Iterator[ProcessedBatch]:
        items = {w.task.document_id: w for w in work}
        pending: list[Processed] = []
        size = 0
        for result in self._parse_all([w.task for w in work]):
            done = Processed(items[result.task.document_id], result)
            if result.error:
                yield ProcessedBatch(failed=[done])
                continue
            pending.append(done)
            size += len(result.chunks)
            if size >= self.batch_chunks:
                yield self._embedded(pending, embeddings)
                pending, size = [], 0
        if pending:
            yield self._embedded(pending, embeddings)

    @staticmethod
    def _embedded(done: list[Processed], embeddings: Embeddings) -> ProcessedBatch:
        batch = ProcessedBatch(done=done)
        batch.vectors = embed_texts(embeddings, [embedding_text(c) for c in batch.chunks])
        return batch

    def _parse_all(self, tasks: list[ParseTask]) -> Iterator[ParseResult]:
        if self.workers == 0:
            for task in tasks:
                yield parse_file(task)
            return
        if tasks:
            yield from self._parse_in_pool(tasks, min(self.workers, len(tasks)))

    def _parse_in_pool(self, tasks: list[ParseTask], workers: int) -> Iterator[ParseResult]:
        context = multiprocessing.get_context("forkserver")
        queue = list(reversed(tasks))
        wave_size = workers * 8
        while queue:
            crashed: list[ParseTask] = []
            with self._pool(workers, context) as pool:
                ahead: list = []  # a wave submitted before the last one was embedded
                while (queue or ahead) and not crashed:
                    futures = ahead or self._submit(pool, queue, wave_size)
                    ahead = []
                    wait([f for f, _ in futures])
                    results = []
                    for fut, task in futures:
                        try:
                            results.append(fut.result())
                        except BrokenProcessPool:
                            crashed.append(task)
                    if queue and not crashed and any(r.ocr_pages for r in results):
                        # OCR keeps one core busy per parser for seconds a page: let the
                        # next wave read while this one is embedded
                        ahead = self._submit(pool, queue, wave_size)
                    yield from results
            # a crashed parser (segfault, out of memory) takes the pool down: retry each
            # file of that wave alone, so only the file that crashes it fails
            for task in crashed:
                yield self._parse_isolated(task, context)

    @staticmethod
    def _submit(pool, queue: list[ParseTask], size: int) -> list:
        wave = [queue.pop() for _ in range(min(size, len(queue)))]
        return [(pool.submit(parse_file, task), task) for task in wave]

    def _pool(self, workers: int, context) -> ProcessPoolExecutor:
        return parser_pool(workers, self.memory_mb, context)

    def _parse_isolated(self, task: ParseTask, context) -> ParseResult:
        with self._pool(1, context) as pool:
            try:
                return pool.submit(parse_file, task).result()
            except BrokenProcessPool:
                return ParseResult(task, error=CRASHED)


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
