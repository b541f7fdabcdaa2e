"""Fuse ranked result lists into one ranking.

``reciprocal_rank_fusion`` uses only ranks (robust, scale-free); ``convex_combination``
min-max normalises each list's scores and takes a weighted sum (keeps score gaps).
Both take lists of ``(id, score)`` pairs, best first, and return the same, best first.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Ranked = Sequence[tuple[str, float]]
K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    lists: Sequence[Ranked], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    if k < 0:
        raise ValueError(f"RRF constant k must be >= 0, got {k}")
    weights = weights or [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"got {len(weights)} weights for {len(lists)} result lists")
    scores: dict[str, float] = {}
    for weight, ranked in zip(weights, lists, strict=True):
        for rank, (item, _score) in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def min_max(ranked: Sequence[tuple[K, float]]) -> dict[K, float]:
    """Scores scaled to [0, 1]; a list whose scores are all equal maps to 1.0."""
    if not ranked:
        return {}
    values = [s for _, s in ranked]
    lo, hi = min(values), max(values)
    if hi == lo:
        return {item: 1.0 for item, _ in ranked}
    return {item: (s - lo) / (hi - lo) for item, s in ranked}


def convex_combination(
    lists: Sequence[Ranked], *, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted sum of min-max normalised scores; a missing item counts as 0 in that list."""
    weights = weights or [1.0 / len(lists)] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"got {len(weights)} weights for {len(lists)} result lists")
    scores: dict[str, float] = {}
    for weight, ranked in zip(weights, lists, strict=True):
        for item, s in min_max(ranked).items():
            scores[item] = scores.get(item, 0.0) + weight * s
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
