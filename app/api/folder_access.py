"""Which folders a job may read: folder access is part of a key.

A key may ingest from ``<ingest root>/<collection>/`` into a collection it may write, from
each folder its entry names in ``ingest_paths`` (relative to the root), and, if it is an
admin key (or no keys are configured), from anywhere under the root. A path is resolved
(symlinks, ``..``, ``.``) before it is checked, when the job is asked for and again when it
runs; each file is checked once more as it is read (``ingest/planning.py`` and
``ingest/parsing.py`` refuse a file whose real path leaves the folder), so a symlink planted
inside an allowed folder pulls nothing from outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.api.auth import Principal
from retrieval.errors import GroundworkError

MAX_PATH_CHARS = 1024


def check_path_text(path: str) -> str:
    """Refuse what no folder name can be: NUL, over-long, or not encodable as UTF-8."""
    if "\x00" in path:
        raise ValueError("the path contains a NUL character")
    if len(path) > MAX_PATH_CHARS:
        raise ValueError(f"the path is {len(path)} characters long; the limit is {MAX_PATH_CHARS}")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the path is not valid UTF-8 text") from None
    if any(len(part.encode("utf-8")) > 255 for part in path.split("/")):
        raise ValueError("a folder name in the path is longer than 255 bytes")
    return path


def allowed_folders(root: Path, principal: Principal, collection: str) -> list[Path]:
    """The real folders under ``root`` whose files ``principal`` may put in ``collection``."""
    base = root.resolve()
    if principal.admin:
        return [base]
    folders = [(base / p).resolve() for p in (collection, *principal.ingest_paths)]
    return [f for f in folders if f.is_relative_to(base)]


def resolve_job_folder(root: Path | None, path: str, allowed: Sequence[str | Path]) -> Path:
    """``path`` (relative to the ingest root, or absolute inside it) as a real folder that
    lies inside one of ``allowed``; PermissionError (403) otherwise."""
    if root is None:
        raise GroundworkError("folder jobs are off: set GROUNDWORK_INGEST_ROOT to allow them")
    check_path_text(path)
    base = root.resolve()
    try:
        candidate = (base / path).resolve()
    except OSError as exc:  # a link loop, a name the file system refuses
        raise FileNotFoundError(f"no such folder under the ingest root: {path!r}") from exc
    if not candidate.is_relative_to(base):
        raise PermissionError(f"{path!r} is outside the ingest root")
    folders = [Path(a) for a in allowed]
    if not any(candidate.is_relative_to(a) for a in folders):
        names = ", ".join(
            repr(a.relative_to(base).as_posix()) for a in folders if a.is_relative_to(base)
        )
        raise PermissionError(
            f"this key may not ingest from {path!r}; it may read {names or 'no folder'} "
            "under the ingest root"
        )
    try:
        is_dir = candidate.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        raise FileNotFoundError(f"no such folder under the ingest root: {path!r}")
    return candidate
