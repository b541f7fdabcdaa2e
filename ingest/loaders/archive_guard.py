"""The check every zip-based format (DOCX, PPTX, XLSX, ODS, ODT, ODP, EPUB) passes before it
is parsed: a zip bomb fails here in milliseconds instead of costing gigabytes in a parser.

Only the central directory is read: entry count, total uncompressed size and the overall
compression ratio. Legitimate Office XML compresses about 5-20 times; a bomb, hundreds.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import options
from ingest.loaders.base import OLE_MAGIC, LoadError


def not_a_package(path: Path, kind: str, corrupt: str) -> str:
    """Why ``path``, named as an Office Open XML file (``.docx``, ``.pptx``, ``.xlsx``), is
    not a zip package. Office saves a password-protected file as an OLE compound file that
    holds the encrypted package, and an Office 97-2003 file renamed keeps its OLE format:
    both are told apart from a corrupt file, whose reason is ``corrupt``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(OLE_MAGIC))
    except OSError:
        return corrupt
    if head != OLE_MAGIC:
        return corrupt
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptedPackage")
    except Exception:  # olefile's own errors for a damaged compound file
        return corrupt
    if encrypted:
        return f"the {kind} file is password-protected: save it without a password to index it"
    suffix = path.suffix.lower()
    return (
        f"the file is an Office 97-2003 {kind} file named {suffix}: open it and save it as "
        f"{suffix} to index it"
    )


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 10_000
    max_unzipped_bytes: int = 256 * 2**20  # in all (GROUNDWORK_MAX_UNZIPPED_MB)
    max_ratio: float = 200.0  # uncompressed / compressed, over the whole archive
    ratio_applies_above: int = 16 * 2**20  # small archives may compress as they like


def check_archive(path: Path, kind: str, limits: ArchiveLimits | None = None) -> None:
    """Raise ``LoadError`` (a reason for the user) if ``path`` is not a zip within limits
    (by default the current load options' ``max_unzipped_mb``)."""
    if limits is None:
        limits = ArchiveLimits(max_unzipped_bytes=options.current().max_unzipped_mb * 2**20)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(f"the {kind} file is corrupt (its zip package cannot be read)") from exc
    if len(entries) > limits.max_entries:
        raise LoadError(
            f"the {kind} file holds {len(entries):,} parts, over the limit of "
            f"{limits.max_entries:,} (a zip bomb?)"
        )
    unzipped = sum(max(e.file_size, 0) for e in entries)
    packed = sum(max(e.compress_size, 0) for e in entries) or 1
    if unzipped > limits.max_unzipped_bytes:
        raise LoadError(
            f"the {kind} file unpacks to {unzipped / 2**20:,.0f} MB, over the limit of "
            f"{limits.max_unzipped_bytes / 2**20:,.0f} MB (GROUNDWORK_MAX_UNZIPPED_MB; a zip bomb?)"
        )
    if unzipped > limits.ratio_applies_above and unzipped / packed > limits.max_ratio:
        raise LoadError(
            f"the {kind} file unpacks to {unzipped / packed:,.0f} times its size, over the "
            f"limit of {limits.max_ratio:g} (a zip bomb?)"
        )
