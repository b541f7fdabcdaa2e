"""Ranking and answer metrics, computed as trec_eval and the SQuAD v1.1 script do.

Ranking ties: documents with equal scores are ordered by id, descending (trec_eval's rule),
so results do not depend on the order the retriever happened to return them in.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence


def rank(scores: Mapping[str, float]) -> list[str]:
    """Document ids by score, best first; ties by id, descending."""
    return [d for d, _ in sorted(scores.items(), key=lambda kv: (-kv[1], _neg(kv[0])))]


def _neg(doc_id: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in doc_id)


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear graded gain (trec_eval ``ndcg_cut``); relevance <= 0 counts as 0."""
    dcg = sum(max(qrels.get(doc, 0), 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((r for r in qrels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    relevant = {d for d, r in qrels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


def mrr_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranking[:k]):
        if qrels.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def hit_at_k(ranking: Sequence[str], gold: str, k: int) -> float:
    return 1.0 if gold in ranking[:k] else 0.0


def percentile(samples: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), ``q`` in [0, 100]."""
    if not samples:
        return 0.0
    xs = sorted(samples)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# -- SQuAD v1.1 (normalisation and F1 as in the official evaluate-v1.1.py) ----------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def contains_answer(prediction: str, golds: Sequence[str]) -> bool:
    """The prediction contains a gold span after normalisation (as whole tokens)."""
    pred = f" {normalize_answer(prediction)} "
    return any(f" {normalize_answer(g)} " in pred for g in golds if normalize_answer(g))


def _shared_tokens(prediction: str, gold: str) -> tuple[int, int, int]:
    """(tokens both hold, prediction tokens, gold tokens), SQuAD-normalised."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    return sum((Counter(pred) & Counter(ref)).values()), len(pred), len(ref)


def token_f1(prediction: str, gold: str) -> float:
    same, n_pred, n_ref = _shared_tokens(prediction, gold)
    if same == 0:
        return 0.0
    precision, recall = same / n_pred, same / n_ref
    return 2 * precision * recall / (precision + recall)


def token_precision(prediction: str, golds: Sequence[str]) -> float:
    """The best share of ``prediction``'s tokens that a gold answer holds."""
    best = 0.0
    for gold in golds:
        same, n_pred, _ = _shared_tokens(prediction, gold)
        if n_pred:
            best = max(best, same / n_pred)
    return best


def best_f1(prediction: str, golds: Sequence[str]) -> float:
    return max((token_f1(prediction, g) for g in golds), default=0.0)
