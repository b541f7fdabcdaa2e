"""Uploaded files: safe names, size limits, a content check, then normal ingestion.

An upload is stored under ``<data_dir>/uploads/<collection>/<safe name>`` and ingested
with that name as its source, so uploading the same file again is an update (or a no-op
when the bytes are the same), never a duplicate. A rejected file is not stored and
leaves any earlier version untouched; the other files of the request go in.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from app.api.schemas import FileResult, UploadResult
from ingest.loaders import check_upload
from ingest.pipeline import Ingestor, IngestSummary, document_id
from retrieval.errors import StorageFullError, storage_full

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
MAX_NAME = 150


def safe_filename(name: str | None) -> str | None:
    """The last path component of ``name`` with only harmless characters, or None."""
    if not name:
        return None
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or set(name) <= {"_", "."}:
        return None
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > MAX_NAME:
        name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
    return name[:MAX_NAME]


@dataclass
class _Accepted:
    filename: str
    name: str
    path: Path


def store_and_ingest(
    files: list[UploadFile],
    collection: str,
    upload_dir: Path,
    ingestor: Ingestor,
    *,
    max_bytes: int,
) -> UploadResult:
    t0 = time.perf_counter()
    results: dict[int, FileResult] = {}
    accepted: dict[int, _Accepted] = {}
    upload_dir.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for i, upload in enumerate(files):
        original = upload.filename or ""
        name = safe_filename(original)
        if name is None:
            results[i] = FileResult(filename=original, status="rejected", error="no file name")
            continue
        if name in seen:
            results[i] = FileResult(
                filename=original,
                source=name,
                status="rejected",
                error="the same file name appears twice in this upload",
            )
            continue
        seen.add(name)
        error, tmp = _save(upload, upload_dir, max_bytes, name)
        if error:
            results[i] = FileResult(filename=original, source=name, status="rejected", error=error)
            continue
        final = upload_dir / name
        os.replace(tmp, final)
        accepted[i] = _Accepted(original, name, final)

    if accepted:
        summary = IngestSummary(collection)
        ingestor.ingest_files(
            [(a.path, a.name) for a in accepted.values()], collection, summary=summary
        )
        by_source = {d["source"]: d for d in summary.documents}
        failed = {f["source"]: f["reason"] for f in summary.failed}
        for i, a in accepted.items():
            doc = by_source.get(a.name)
            result = FileResult(
                filename=a.filename,
                source=a.name,
                document_id=document_id(collection, a.name),
                status="unchanged",
            )
            if a.name in failed:
                result.status, result.error = "failed", failed[a.name]
            elif doc is not None:
                result.status, result.chunks = doc["status"], doc.get("chunks", 0)
            results[i] = result
    return UploadResult(
        collection=collection,
        files=[results[i] for i in range(len(files))],
        seconds=round(time.perf_counter() - t0, 3),
    )


def _save(upload: UploadFile, folder: Path, max_bytes: int, name: str) -> tuple[str | None, str]:
    """Copy the upload to a temporary file beside its final place, checking as it goes."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    size = 0
    head = b""
    try:
        with os.fdopen(fd, "wb") as out:
            while block := upload.file.read(1 << 20):
                if not head:
                    head = block[:4096]
                size += len(block)
                if size > max_bytes:
                    raise ValueError(
                        f"the file is over the {max_bytes / 1e6:.0f} MB limit per file"
                    )
                out.write(block)
        reason = check_upload(name, head)
        if reason:
            raise ValueError(reason)
    except ValueError as exc:
        os.unlink(tmp)
        return str(exc), ""
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if storage_full(exc):
            raise StorageFullError(
                "the server's disk is full: the upload was not stored; free some space and retry"
            ) from exc
        raise
    return None, tmp
