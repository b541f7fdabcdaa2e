"""How well a piece of text supports another: lexical coverage plus embedding similarity.

One scorer serves three jobs: picking answer sentences (extractive provider), deciding
whether the retrieved text can answer at all (refusal gate), and checking citations.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from retrieval import metadata as md
from retrieval.answer.answer_type import expected_type, offers
from retrieval.answer.injection import flag_injections
from retrieval.search.sentence_vectors import SentenceVectors, unit_rows
from retrieval.sentences import split_sentences
from retrieval.terms import content_terms

log = logging.getLogger("groundwork.answer")


@dataclass
class Candidate:
    """A sentence of a retrieved chunk (``source`` is the 1-based source number)."""

    source: int
    start: int
    end: int
    text: str
    terms: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)  # terms of the sentence before it
    lexical: float = 0.0
    dense: float = 0.0
    score: float = 0.0


def coverage(needed: set[str], present: set[str], weights: dict[str, float] | None = None) -> float:
    """Weighted share of ``needed`` terms found in ``present``; 0.0 when nothing is needed
    (a claim with no content terms has no evidence to find)."""
    if not needed:
        return 0.0
    w = weights or {}
    total = sum(w.get(t, 1.0) for t in needed)
    hit = sum(w.get(t, 1.0) for t in needed & present)
    return hit / total if total else 0.0


@lru_cache(maxsize=4096)
def _sentences_read(
    text: str, min_words: int
) -> tuple[tuple[int, int, str, frozenset[str], frozenset[str]], ...]:
    """The sentences of a chunk that may be quoted, each with its terms and those of the
    sentence before it: what ``candidates`` needs of a chunk, which depends on its text
    alone. One answer reads its sources two or three times (support, claim check,
    citations), and popular chunks come back in later answers."""
    out = []
    previous: frozenset[str] = frozenset()
    spans = split_sentences(text)
    injected = flag_injections([s.text for s in spans])
    for span, withheld in zip(spans, injected, strict=True):
        terms = frozenset(content_terms(span.text))
        if len(span.text.split()) >= min_words and not withheld:
            out.append((span.start, span.end, span.text, terms, previous))
        previous = terms
    return tuple(out)


class SupportScorer:
    """Scores sentences of retrieved chunks against a question or a claim."""

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        lexical_weight: float = 0.45,
        dense_weight: float = 0.45,
        rank_weight: float = 0.10,
        order_weight: float = 0.0,
        type_weight: float = 0.08,
        context_discount: float = 0.8,
        min_words: int = 3,
        stored: SentenceVectors | None = None,
    ) -> None:
        self.embeddings = embeddings
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.rank_weight = rank_weight
        self.order_weight = order_weight
        self.type_weight = type_weight
        self.context_discount = context_discount
        self.min_words = min_words
        self.stored = stored  # sentence vectors embedded at ingest, read before embedding
        self.cache_size = 4096
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def candidates(self, sources: Sequence[Document]) -> list[Candidate]:
        out = []
        for n, doc in enumerate(sources, start=1):
            for start, end, text, terms, previous in _sentences_read(
                doc.page_content, self.min_words
            ):
                out.append(Candidate(n, start, end, text, set(terms), set(previous)))
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for ``texts``. Sentences scored for the question are checked again
        as citations moments later: a small cache embeds each of them once."""
        if not texts:
            return np.zeros((0, 1))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in dict.fromkeys(texts):
                if text in self._cache:
                    self._cache.move_to_end(text)
                    found[text] = self._cache[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            arr = unit_rows(self.embeddings.embed_documents(missing))
            found.update(zip(missing, arr, strict=True))
            with self._lock:
                self._cache.update(zip(missing, arr, strict=True))
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def prefill(self, chunks: Sequence[Document]) -> int:
        """Embed the sentences of ``chunks`` into the cache when they fill at most half of
        it (a small collection, read whole at start-up, so that the first answers find
        what later ones would); returns how many. Larger sets are left alone: a part of a
        big collection would only push out what answers put there."""
        texts = list(dict.fromkeys(c.text for c in self.candidates(chunks)))
        if not texts or len(texts) > self.cache_size // 2:
            return 0
        self._embed(texts)
        return len(texts)

    def unit_vectors(self, collection: str, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (rows in order): from the cache, then the collection's
        stored sentence vectors, the rest embedded. Hybrid search reads the retrieved
        chunks' sentences this way, and answering finds them in the cache after."""
        if self.stored is not None:
            with self._lock:
                missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            self._read_stored({collection: missing} if missing else {})
        return self._embed(texts)

    def prime_splits(self, sources: Sequence[Document]) -> None:
        """Read the sources' sentence splits stored at ingest into the split cache."""
        if self.stored is None:
            return
        texts: dict[str, list[str]] = {}
        for doc in sources:
            collection = doc.metadata.get(md.COLLECTION)
            if collection:
                texts.setdefault(collection, []).append(doc.page_content)
        for collection, chunk_texts in texts.items():
            self.stored.prime_splits(collection, chunk_texts)

    def _load_stored(self, cands: list[Candidate], sources: Sequence[Document]) -> None:
        """Put the stored vectors of sentences not in the cache into it."""
        if self.stored is None:
            return
        wanted: dict[str, list[str]] = {}
        with self._lock:
            for c in cands:
                collection = sources[c.source - 1].metadata.get(md.COLLECTION)
                if collection and c.text not in self._cache:
                    wanted.setdefault(collection, []).append(c.text)
        self._read_stored(wanted)

    def _read_stored(self, wanted: dict[str, list[str]]) -> None:
        assert self.stored is not None
        for collection, texts in wanted.items():
            try:
                found = self.stored.lookup(collection, texts)
            except (sqlite3.Error, ValueError):  # a damaged file: embed as without it
                log.warning("stored sentence vectors of %r unreadable", collection, exc_info=True)
                continue
            with self._lock:
                self._cache.update(found)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)

    def rank_for_question(self, question: str, sources: Sequence[Document]) -> list[Candidate]:
        """Candidates scored as answers to ``question``, best first.

        ``score`` is the support used by the refusal gate. The order also credits the
        sources' order by ``order_weight`` / source number, for when a reranker that read
        the sources put them in that order."""
        self.prime_splits(sources)
        cands = self.candidates(sources)
        if not cands:
            return []
        self._load_stored(cands, sources)
        q_terms = set(content_terms(question))
        df = Counter(t for c in cands for t in c.terms & q_terms)
        n = len(cands)
        weights = {t: math.log(1 + n / (1 + df.get(t, 0))) + 0.5 for t in q_terms}
        vecs = self._embed([question] + [c.text for c in cands])
        sims = vecs[1:] @ vecs[0]
        kind = expected_type(question)
        for c, sim in zip(cands, sims, strict=True):
            # a sentence often names its subject in the sentence before ("It was built…"):
            # terms found there count, at a discount
            own = coverage(q_terms, c.terms, weights)
            with_context = coverage(q_terms, c.terms | c.context, weights)
            c.lexical = max(own, self.context_discount * with_context)
            c.dense = float(sim)
            prior = 1.0 / c.source
            c.score = (
                self.lexical_weight * c.lexical
                + self.dense_weight * c.dense
                + self.rank_weight * prior
                + (self.type_weight if offers(c.text, kind, question) else 0.0)
            )
        return sorted(
            cands, key=lambda c: (-(c.score + self.order_weight / c.source), c.source, c.start)
        )

    def similarities(self, text: str, others: Sequence[str]) -> list[float]:
        """Cosine similarity of ``text`` to each of ``others``, negatives as 0."""
        vecs = self._embed([text, *others])
        return [max(0.0, float(sim)) for sim in vecs[1:] @ vecs[0]]
