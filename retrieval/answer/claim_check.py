"""Where one answer sentence is checked against the source sentences that carry its claim.

A sentence passes when
- it carries a claim: words beyond filler ("the answer is", "the source confirms") and
  beyond a bare number, and something the question did not already say;
- one source sentence carries that claim: every number, date and name it asserts, and
  every term it adds to the question, occurs in that sentence (not scattered over the
  chunk or over neighbouring sentences), and its meaning is close;
- that aligned sentence answers the question: it is the retrieved sentence that best
  supports the question, or one the cross-encoder ranks with the best (``QuestionFit``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from langchain_core.documents import Document

from retrieval.answer.facts import facts, names, tokens
from retrieval.answer.support import Candidate, SupportScorer, coverage
from retrieval.terms import content_terms, words

# words that talk about the answer instead of stating it
_FILLER_WORDS = (
    "answer answers answered source sources document documents context passage passages "
    "text question information confirm confirms confirmed according provided provide "
    "based mention mentions mentioned state states stated say says given refer refers "
    "cite cites cited note following shown indicated specified found response reply "
    "excerpt excerpts quote quoted n"
)
# words a paraphrase adds without adding a claim ("parents get 10 weeks")
_GENERIC_WORDS = (
    "get gets got getting receive receives received give gives given allow allows allowed "
    "able need needs use uses used make makes made also total approximately about around "
    "roughly nearly almost exactly per each every one ones kind type way called known "
    "named total overall including include includes"
)
_POLARITY = frozenset({"yes", "no", "not", "never", "none", "neither", "nor"})

NO_CLAIM = "carries no claim"
NOT_IN_SOURCE = "no sentence of a cited source states it"
OFF_QUESTION = "the source sentence it relies on does not answer the question"


@lru_cache(maxsize=1)
def filler_terms() -> frozenset[str]:
    return frozenset(content_terms(_FILLER_WORDS))


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    return frozenset(content_terms(_GENERIC_WORDS))


@dataclass
class Claim:
    text: str
    terms: set[str]  # content terms without filler
    new_terms: set[str]  # of those, the ones the question does not have
    facts: set[str]  # numbers and dates the claim asserts beyond the question's
    names: set[str]  # names it asserts beyond the question's words


def read_claim(text: str, question: str = "") -> Claim | None:
    """The checkable content of an answer sentence; None when it carries no claim."""
    terms = set(content_terms(text)) - filler_terms()
    values = facts(text)
    said = set(words(text))
    if not {t for t in terms if not any(ch.isdigit() for ch in t)} and not said & _POLARITY:
        return None  # a bare number, a marker, or words about the sources
    q_terms = set(content_terms(question))
    new_terms = terms - q_terms
    new_facts = values - facts(question)
    if question and not new_terms and not new_facts and not said & _POLARITY:
        return None  # restates the question
    new_names = names(text) - tokens(question)
    return Claim(text, terms, new_terms, new_facts, new_names)


@dataclass
class Alignment:
    sentence: Candidate  # the source sentence that states the claim
    score: float  # how closely it states the claim (0-1)


Relevance = Callable[[str, Sequence[str]], list[float]]


class QuestionFit:
    """How well the retrieved sentences answer the question.

    The best supported sentence answers (the refusal gate has already checked that it is
    good enough). With a cross-encoder (``relevance``), so does a sentence whose relevance
    logit is within ``margin`` of the best of the ``pool`` sentences that best support the
    question; without one, a sentence with at least ``ratio`` of the best support.
    """

    def __init__(
        self,
        scorer: SupportScorer,
        question: str,
        sources: Sequence[Document],
        *,
        relevance: Relevance | None = None,
        margin: float = 0.5,
        ratio: float = 0.85,
        pool: int = 6,
        ranked: list[Candidate] | None = None,
    ) -> None:
        self.question = question
        if ranked is None:
            ranked = scorer.rank_for_question(question, sources) if question else []
        self.ranked = ranked if question else []
        self.support = {(c.source, c.start): c.score for c in self.ranked}
        self.relevance = relevance
        self.margin, self.ratio, self.pool = margin, ratio, pool
        self._logits: dict[tuple[int, int], float] = {}

    def _logit(self, cands: Sequence[Candidate]) -> list[float]:
        missing = [c for c in cands if (c.source, c.start) not in self._logits]
        if missing:
            assert self.relevance is not None
            scores = self.relevance(self.question, [c.text for c in missing])
            self._logits.update(zip(((c.source, c.start) for c in missing), scores, strict=True))
        return [self._logits[(c.source, c.start)] for c in cands]

    def relevance_of(self, sentence: Candidate) -> float | None:
        """The cross-encoder's logit for (question, ``sentence``); None without one."""
        if self.relevance is None or not self.question:
            return None
        return self._logit([sentence])[0]

    def answers(self, sentence: Candidate) -> bool:
        """Whether ``sentence`` is among the best answers to the question in the sources:
        the best supported sentence, or one the cross-encoder ranks within ``margin`` of
        its best. Without a question every sentence counts."""
        if not self.ranked:
            return True
        key = (sentence.source, sentence.start)
        best = self.ranked[0]
        if key == (best.source, best.start):
            return True
        if self.relevance is None:
            return self.support.get(key, 0.0) >= self.ratio * best.score
        top = max(self._logit(self.ranked[: self.pool]))
        return self._logit([sentence])[0] >= top - self.margin


class ClaimChecker:
    """Aligns claims to source sentences.

    ``threshold``: the least alignment score (half key-term coverage, half embedding
    similarity). ``max_missing``: the share of what a claim adds to the question that may
    be missing from its sentence (generic words like "get" aside)."""

    def __init__(
        self, scorer: SupportScorer, *, threshold: float = 0.5, max_missing: float = 0.0
    ) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.max_missing = max_missing

    def align(self, claim: Claim, source: Document, n: int) -> Alignment | None:
        """The sentence of ``source`` that best states ``claim``, if one does."""
        cands = self.scorer.candidates([source])
        if not cands:
            return None
        for c in cands:
            c.source = n
        sims = self.scorer.similarities(claim.text, [c.text for c in cands])
        best: Alignment | None = None
        for cand, dense in zip(cands, sims, strict=True):
            if not claim.facts <= facts(cand.text):
                continue
            if not claim.names <= tokens(cand.text):
                continue
            missing = claim.new_terms - cand.terms - generic_terms()
            if len(missing) > self.max_missing * len(claim.new_terms):
                continue
            score = 0.5 * coverage(claim.terms, cand.terms) + 0.5 * dense
            if best is None or score > best.score:
                best = Alignment(cand, score)
        if best is None or best.score < self.threshold:
            return None
        best.sentence.score = best.score
        return best
