"""The metadata keys every chunk carries, and helpers to keep them Chroma-safe."""

from __future__ import annotations

import re
from typing import Any

from retrieval.errors import InvalidCollectionNameError

COLLECTION = "collection"
DOCUMENT_ID = "document_id"
SOURCE = "source"
TITLE = "title"
PAGE = "page"
HEADING_PATH = "heading_path"
START = "start"
END = "end"
CHUNK_INDEX = "chunk_index"
CONTENT_HASH = "content_hash"
SECTION = "section"  # the sheet, chapter or e-mail subject (absent when none)
PAGE_KIND = "page_kind"  # what ``page`` counts: page, slide or frame
OCR_CONFIDENCE = "ocr_confidence"  # present when OCR read the text: its mean confidence

COLLECTION_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$"
_COLLECTION_RE = re.compile(COLLECTION_PATTERN)


def validate_collection_name(name: str) -> str:
    """Return ``name`` if it is a valid collection name, else raise a clear error."""
    if not _COLLECTION_RE.match(name or ""):
        raise InvalidCollectionNameError(
            f"invalid collection name {name!r}: use 3-63 lowercase letters, digits, '-' or '_', "
            "starting and ending with a letter or digit"
        )
    return name


def to_chroma(metadata: dict[str, Any]) -> dict[str, Any]:
    """Chroma rejects ``None`` values and lists: drop the former, join the latter."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            value = " > ".join(str(v) for v in value)
        out[key] = value
    return out


def from_chroma(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Restore the keys :func:`to_chroma` dropped, so readers can rely on them."""
    out = dict(metadata or {})
    out.setdefault(PAGE, None)
    out.setdefault(HEADING_PATH, "")
    return out
