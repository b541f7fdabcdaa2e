"""What one ingestion run did: counts, failures with reasons, per-document results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class IngestSummary:
    collection: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pruned: int = 0
    # unchanged files written again because the index had lost their chunks (counted in
    # ``updated``)
    repaired: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0  # support-model vectors stored (GROUNDWORK_SENTENCE_VECTORS)
    seconds: float = 0.0
    files: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
