"""Runs ingestion jobs one at a time on a background thread, with live progress and cancel."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from pathlib import Path

from app.api.folder_access import resolve_job_folder
from app.api.job_store import Job, JobStore
from app.api.write_locks import CollectionLocks
from ingest.pipeline import IngestSummary

log = logging.getLogger("groundwork.jobs")


class JobCancelled(Exception):
    """Raised from the progress callback to stop a job between batches."""


class JobProgress:
    """An ``IngestProgress`` that mirrors the live summary into the job row.

    The row is written after every batch (a batch is hundreds of chunks, so this is one
    small SQLite write per second or so); ``every_s`` can thin that out."""

    def __init__(self, store: JobStore, job: Job, summary: IngestSummary, every_s: float = 0.0):
        self.store = store
        self.job = job
        self.summary = summary
        self.every_s = every_s
        self._t0 = time.perf_counter()
        self._last = 0.0
        self._parsed = 0
        self._to_parse = 0
        self._chunks = 0

    def start(self, total_files: int) -> None:
        self._t0 = time.perf_counter()
        self._to_parse = total_files
        self._sync(force=True)

    def advance(self, files: int, chunks: int) -> None:
        self._parsed += files
        self._chunks += chunks
        self._sync()
        if self.store.cancel_requested(self.job.id):
            raise JobCancelled()

    def finish(self) -> None:
        self._sync(force=True)

    def _sync(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < self.every_s:
            return
        self._last = now
        s, job = self.summary, self.job
        elapsed = max(now - self._t0, 1e-6)
        job.total = s.files
        job.done = min(s.files, s.unchanged + len(s.skipped) + len(s.failed) + s.new + s.updated)
        job.new, job.updated, job.unchanged = s.new, s.updated, s.unchanged
        job.repaired = s.repaired
        job.skipped, job.chunks = len(s.skipped), s.chunks_written
        job.failed = list(s.failed)
        job.files_per_s = round(self._parsed / elapsed, 2)
        job.chunks_per_s = round(self._chunks / elapsed, 1)
        left = self._to_parse - self._parsed
        job.eta_s = round(left / job.files_per_s, 1) if job.files_per_s > 0 else None
        self.store.save(job)


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        ingestor_factory,
        ingest_root: Path | None,
        locks: CollectionLocks,
    ) -> None:
        self.store = store
        self.ingestor_factory = ingestor_factory
        self.ingest_root = ingest_root
        self.locks = locks
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        n = self.store.mark_orphans_interrupted()
        if n:
            log.warning("%d job(s) were interrupted by a restart; resume them to finish", n)
        self._thread = threading.Thread(target=self._loop, name="groundwork-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Cancel what runs, then wait for the thread: the index is left consistent."""
        for job in self.store.list(limit=1000):
            if job.status in ("queued", "running") and job.pid == os.getpid():
                self.store.request_cancel(job.id)
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, job: Job) -> None:
        self._queue.put(job.id)

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            job = self.store.get(job_id)
            if job is None or job.status != "queued":
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        if self.store.cancel_requested(job.id):
            self._finish(job, "cancelled", None)
            return
        job.status, job.started_at, job.pid = "running", time.time(), os.getpid()
        job.finished_at = job.error = None
        self.store.save(job)
        summary = IngestSummary(job.collection)
        progress = JobProgress(self.store, job, summary)
        try:
            # checked again: the folder may have become a symlink since the job was asked for
            folder = resolve_job_folder(self.ingest_root, job.path, job.allowed)
            with self.locks.hold(job.collection):
                self.ingestor_factory(job).ingest_folder(
                    folder, job.collection, prune=job.prune, progress=progress, summary=summary
                )
            job.pruned = summary.pruned
            self._finish(job, "succeeded", None)
        except JobCancelled:
            self._finish(job, "cancelled", "cancelled; resume to finish the rest")
        except Exception as exc:  # a job reports its failure instead of killing the thread
            log.exception("job %s failed", job.id)
            self._finish(job, "failed", str(exc) or type(exc).__name__)

    def _finish(self, job: Job, status: str, error: str | None) -> None:
        job.status, job.error, job.finished_at, job.eta_s = status, error, time.time(), None
        self.store.save(job)
