"""The part of a chunk a reranker reads: the sentences around the question's words.

A cross-encoder's cost grows with the tokens it reads. A chunk of 800 characters is about
200 tokens; the sentences that share most words with the question, and their neighbours,
carry what the reranker needs to judge it. Sentence boundaries here are rough (a regular
expression, not the answer step's segmenter): only what is read is chosen, nothing is
quoted from it.
"""

from __future__ import annotations

import re

from retrieval.terms import content_terms

_BOUNDARY = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")


def passage_window(question: str, text: str, chars: int) -> str:
    """``text`` itself when it has at most ``chars`` characters; otherwise the sentence
    sharing most question terms, grown by whole neighbouring sentences (the better-matching
    side first) while it fits, in the text's order. A first sentence longer than ``chars``
    is cut at a word boundary."""
    if chars <= 0 or len(text) <= chars:
        return text
    pieces = [p for p in _BOUNDARY.split(text) if p and p.strip()]
    if len(pieces) < 2:
        return _cut(text, chars)
    wanted = set(content_terms(question))
    hits = [len(wanted & set(content_terms(p))) for p in pieces]
    best = max(range(len(pieces)), key=lambda i: (hits[i], -i))
    lo = hi = best
    size = len(pieces[best])
    if size >= chars:
        return _cut(pieces[best], chars)
    while True:
        left = lo - 1 if lo > 0 else None
        right = hi + 1 if hi + 1 < len(pieces) else None
        options = [i for i in (left, right) if i is not None]
        options.sort(key=lambda i: (-hits[i], i != right))  # ties: read on, not back
        grown = False
        for i in options:
            if size + 1 + len(pieces[i]) <= chars:
                size += 1 + len(pieces[i])
                lo, hi = min(lo, i), max(hi, i)
                grown = True
                break
        if not grown:
            return " ".join(pieces[lo : hi + 1])


def _cut(text: str, chars: int) -> str:
    cut = text[:chars]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut
