"""Batch ingestion jobs, persisted in SQLite so they outlive the API process."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from app.api.schemas import JobOut, _iso
from retrieval.processes import pid_alive
from retrieval.sqlite_db import SQLiteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    path TEXT NOT NULL,
    prune INTEGER NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    pid INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    total INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    pruned INTEGER NOT NULL DEFAULT 0,
    repaired INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    failed TEXT NOT NULL DEFAULT '[]',
    files_per_s REAL NOT NULL DEFAULT 0,
    chunks_per_s REAL NOT NULL DEFAULT 0,
    eta_s REAL,
    error TEXT,
    allowed TEXT NOT NULL DEFAULT '[]',
    engine TEXT NOT NULL DEFAULT 'local',
    ray_address TEXT
);
"""

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled", "interrupted")


@dataclass
class Job:
    id: str
    collection: str
    path: str
    prune: bool
    owner: str
    status: str = "queued"
    pid: int | None = None
    cancel_requested: bool = False
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    total: int = 0
    done: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    pruned: int = 0
    repaired: int = 0  # unchanged files written again: the index had lost their chunks
    chunks: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    files_per_s: float = 0.0
    chunks_per_s: float = 0.0
    eta_s: float | None = None
    error: str | None = None
    # the real folders the key that asked for the job may read, checked again at run time
    allowed: list[str] = field(default_factory=list)
    engine: str = "local"  # local worker processes, or ray
    ray_address: str | None = None  # a Ray cluster (admin keys only); None: a local runtime

    def to_out(self) -> JobOut:
        data = asdict(self)
        data.pop("allowed")
        data.pop("ray_address")
        for key in ("created_at", "started_at", "finished_at"):
            data[key] = _iso(data[key])
        return JobOut.model_validate(data)


_COLUMNS = [f.name for f in fields(Job)]


class JobStore(SQLiteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(jobs)")}
        added = {  # columns a jobs file written by an older Groundwork lacks
            "allowed": "TEXT NOT NULL DEFAULT '[]'",
            "engine": "TEXT NOT NULL DEFAULT 'local'",
            "ray_address": "TEXT",
            "repaired": "INTEGER NOT NULL DEFAULT 0",
        }
        for name, kind in added.items():
            if name not in columns:
                self.conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")

    def create(
        self,
        collection: str,
        path: str,
        prune: bool,
        owner: str,
        allowed: list[str],
        engine: str = "local",
        ray_address: str | None = None,
    ) -> Job:
        job = Job(
            uuid.uuid4().hex[:16],
            collection,
            path,
            prune,
            owner,
            pid=os.getpid(),
            allowed=list(allowed),
            engine=engine,
            ray_address=ray_address,
        )
        self.save(job)
        return job

    def save(self, job: Job) -> None:
        """Write the job's progress. A cancel asked for by another request since the job
        was read is kept: only ``replace`` clears it."""
        row = asdict(job)
        row["failed"] = json.dumps(row["failed"])
        row["allowed"] = json.dumps(row["allowed"])
        placeholders = ",".join("?" for _ in _COLUMNS)
        updates = ", ".join(
            f"{c} = max(jobs.{c}, excluded.{c})"
            if c == "cancel_requested"
            else f"{c} = excluded.{c}"
            for c in _COLUMNS
            if c != "id"
        )
        self.conn.execute(
            f"INSERT INTO jobs ({','.join(_COLUMNS)}) VALUES ({placeholders}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}",
            [row[c] for c in _COLUMNS],
        )

    def replace(self, job: Job) -> None:
        """Write the job as it is now, a cleared cancel included (a resumed job)."""
        self.conn.execute("UPDATE jobs SET cancel_requested = 0 WHERE id = ?", (job.id,))
        self.save(job)

    def get(self, job_id: str) -> Job | None:
        row = self.conn.execute(
            f"SELECT {','.join(_COLUMNS)} FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return self._job(row) if row else None

    def list(self, limit: int = 100) -> list[Job]:
        rows = self.conn.execute(
            f"SELECT {','.join(_COLUMNS)} FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)
        ).fetchall()
        return [self._job(r) for r in rows]

    def request_cancel(self, job_id: str) -> None:
        self.conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))

    def cancel_requested(self, job_id: str) -> bool:
        row = self.conn.execute(
            "SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return bool(row and row[0])

    def mark_orphans_interrupted(self) -> int:
        """Active jobs whose process is gone (or is this one, starting afresh) were cut short
        by a restart or a crash."""
        n = 0
        for job in self.list(limit=10_000):
            if job.status in ACTIVE and (job.pid == os.getpid() or not pid_alive(job.pid)):
                job.status = "interrupted"
                job.error = "the API stopped while the job was running; resume it to finish"
                job.finished_at = time.time()
                job.eta_s = None
                self.save(job)
                n += 1
        return n

    @staticmethod
    def _job(row) -> Job:
        data = dict(zip(_COLUMNS, row, strict=True))
        data["failed"] = json.loads(data["failed"])
        data["allowed"] = json.loads(data["allowed"])
        data["prune"] = bool(data["prune"])
        data["cancel_requested"] = bool(data["cancel_requested"])
        return Job(**data)
