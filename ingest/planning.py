"""Stage 1, plan: scan, hash and decide for each file new / updated / unchanged / failed.

Planning reads the records and the files; it writes nothing. The plan names the files to
process (parse, chunk, embed) and the failures found before parsing, which the writer
records; everything else is already settled in the summary.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import ChunkingConfig
from ingest.loaders import loader_for, reading_config, unsupported_reason
from ingest.loaders.ocr import OCR_OFF
from ingest.loaders.options import LoadOptions
from ingest.parsing import OUTSIDE, ParseTask, outside
from ingest.records import FAILED, OK, RecordStore
from ingest.summary import IngestSummary
from retrieval.models.bundled import sha256_file


def document_id(collection: str, source: str) -> str:
    return hashlib.sha256(f"{collection}\x00{source}".encode()).hexdigest()[:24]


def file_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes: what decides "unchanged"."""
    return sha256_file(path)


def scan_folder(root: Path) -> list[tuple[Path, str]]:
    """Files under ``root`` (hidden files and folders skipped), with their relative paths.

    Links to folders are not followed; a link to a file is listed, and the planner skips
    it, with the reason, when it leads outside ``root``."""
    root = root.resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            found.append((path, path.relative_to(root).as_posix()))
    return found


@dataclass
class WorkItem:
    """A file to process, and what its record said before."""

    task: ParseTask
    existed: bool  # had searchable chunks before: counts as "updated"
    has_record: bool  # may have chunks (even partial ones from a killed run) to replace


@dataclass
class EarlyFailure:
    """A file that failed before parsing (unreadable, too large)."""

    document_id: str
    source: str
    reason: str
    has_record: bool
    config: str | None = None  # what it was read under, when it got as far as a loader


@dataclass
class IngestPlan:
    work: list[WorkItem] = field(default_factory=list)
    early_failures: list[EarlyFailure] = field(default_factory=list)
    seen_sources: set[str] = field(default_factory=set)
    # the unchanged files, as work to do should the index have lost their chunks
    unchanged: dict[str, WorkItem] = field(default_factory=dict)


@dataclass
class Planner:
    records: RecordStore
    chunking: ChunkingConfig
    fingerprint: str  # chunking + embedding model: a change re-ingests everything
    parse_timeout_s: float
    max_file_bytes: int
    max_chunks: int = 100_000
    options: LoadOptions = field(default_factory=LoadOptions)

    def _retry(self, reason: str | None) -> bool:
        """A failure that a changed setting may cure: no OCR then, OCR now."""
        return bool(reason) and OCR_OFF in reason and self.options.ocr != "off"

    def plan(
        self,
        files: Iterable[tuple[Path, str]],
        collection: str,
        summary: IngestSummary,
        *,
        confine: Path | None = None,
    ) -> IngestPlan:
        """Decide what to do with each ``(path, source)``; settled outcomes go to ``summary``.
        With ``confine``, a file whose real path lies outside that folder is not read."""
        confined = str(Path(confine).resolve()) if confine is not None else None
        plan = IngestPlan()
        for path, source in files:
            summary.files += 1
            plan.seen_sources.add(source)
            if outside(path, confined):
                summary.skipped.append({"source": source, "reason": OUTSIDE})
                continue
            if loader_for(path) is None:
                reason = unsupported_reason(path)
                summary.skipped.append({"source": source, "reason": reason})
                continue
            doc_id = document_id(collection, source)
            record = self.records.get(collection, doc_id)
            try:
                size = path.stat().st_size
                if size > self.max_file_bytes:
                    raise ValueError(
                        f"the file is {size / 2**20:.1f} MB, over the "
                        f"{round(self.max_file_bytes / 2**20, 2):g} MB limit"
                    )
                digest = file_hash(path)
            except (OSError, ValueError) as exc:
                plan.early_failures.append(
                    EarlyFailure(doc_id, source, str(exc), record is not None)
                )
                continue
            config = reading_config(self.fingerprint, path, self.options)
            same = record is not None and record.content_hash == digest and record.config == config
            if same and record.status == FAILED and not self._retry(record.reason):
                # the same bytes would fail the same way: report, don't retry
                summary.failed.append({"source": source, "reason": record.reason or "failed"})
                continue
            task = ParseTask(
                str(path),
                source,
                doc_id,
                collection,
                digest,
                size,
                self.chunking,
                self.parse_timeout_s,
                confined,
                self.max_chunks,
                self.options,
                config,
            )
            existed = record is not None and record.chunk_count > 0
            item = WorkItem(task, existed, record is not None)
            if same and record is not None and record.status == OK:
                summary.unchanged += 1
                plan.unchanged[doc_id] = item
            else:
                plan.work.append(item)
        return plan
