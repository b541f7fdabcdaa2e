"""A fixed split of a benchmark's queries into a tuning part and a reporting part.

Levers are chosen on ``tune`` and reported on ``report``, so a figure in the README is
never measured on the queries it was tuned on. A query's part depends only on its id (a
SHA-256 of it), so it stays the same across runs, machines and subsets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PARTS = ("tune", "report")


@dataclass(frozen=True)
class QuerySplit:
    part: str  # tune or report
    tune_share: float = 0.5  # the share of queries in the tuning part

    @classmethod
    def parse(cls, spec: str) -> QuerySplit:
        """``tune`` / ``report``, optionally with the tuning share: ``report:0.5``."""
        part, _, share = spec.partition(":")
        part = part.strip().lower()
        if part not in PARTS:
            raise ValueError(f"--split-queries must start with tune or report, got {spec!r}")
        try:
            value = float(share) if share else 0.5
        except ValueError:
            raise ValueError(f"the tuning share must be a number, got {share!r}") from None
        if not 0.0 < value < 1.0:
            raise ValueError(f"the tuning share must be between 0 and 1, got {value}")
        return cls(part, value)

    def __str__(self) -> str:
        return f"{self.part}:{self.tune_share:g}"

    def keeps(self, query_id: str) -> bool:
        digest = hashlib.sha256(str(query_id).encode("utf-8")).digest()
        position = int.from_bytes(digest[:8], "big") / 2**64
        return (position < self.tune_share) == (self.part == "tune")
