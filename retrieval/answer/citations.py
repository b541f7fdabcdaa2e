"""Where citations are checked before they reach the user.

Every sentence of an answer must be stated by a sentence of a retrieved source that
answers the question (the claim check, ``claim_check.py``):
- a sentence that carries no claim (a bare number, "the answer is [1]") is dropped;
- a marker that names no retrieved source is removed;
- a cited source that does not state the sentence loses the marker; another retrieved
  source that does is cited instead (this also repairs uncited sentences);
- a sentence no source states, or only a source sentence that does not answer the
  question, is dropped. An answer left empty is a refusal.
Each citation quotes the aligned source sentences verbatim, with offsets into the page
or section text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.answer.claim_check import (
    NO_CLAIM,
    NOT_IN_SOURCE,
    OFF_QUESTION,
    Alignment,
    Claim,
    ClaimChecker,
    QuestionFit,
    Relevance,
    read_claim,
)
from retrieval.answer.markers import MARKER, ONLY_MARKERS, with_markers
from retrieval.answer.schema import Citation
from retrieval.answer.support import Candidate, SupportScorer
from retrieval.sentences import split_sentences


@dataclass
class VerifiedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[str]  # answer sentences removed, each for the reason at the same index
    reasons: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return not self.text


def claims(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, marker numbers) for each sentence of an answer."""
    out: list[tuple[str, list[int]]] = []
    for span in split_sentences(text):
        numbers = [int(x) for x in MARKER.findall(span.text)]
        if ONLY_MARKERS.match(span.text) and out:
            out[-1][1].extend(numbers)
            continue
        claim = MARKER.sub("", span.text).strip()
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        if claim:
            out.append((claim, numbers))
    return out


def make_citation(n: int, source: Document, support: list[Candidate]) -> Citation:
    """One citation per source: the snippet spans every sentence of it the answer relies on."""
    meta = source.metadata
    base = int(meta.get(md.START) or 0)
    start = min(c.start for c in support)
    end = max(c.end for c in support)
    return Citation(
        n=n,
        document_id=str(meta.get(md.DOCUMENT_ID, "")),
        source=str(meta.get(md.SOURCE, "")),
        page=meta.get(md.PAGE),
        page_kind=meta.get(md.PAGE_KIND) or ("page" if meta.get(md.PAGE) else None),
        section=meta.get(md.SECTION) or None,
        ocr=meta.get(md.OCR_CONFIDENCE) is not None,
        snippet=source.page_content[start:end],
        start=base + start,
        end=base + end,
        score=round(max(0.0, min(1.0, min(c.score for c in support))), 3),
    )


class CitationVerifier:
    """Checks every sentence of an answer against the sentences of its cited sources
    (see ``claim_check``). ``threshold`` is the least alignment score; ``relevance`` (the
    cross-encoder's, when configured) judges which source sentences answer the question."""

    def __init__(
        self,
        scorer: SupportScorer,
        *,
        threshold: float = 0.5,
        relevance: Relevance | None = None,
    ) -> None:
        self.scorer = scorer
        self.checker = ClaimChecker(scorer, threshold=threshold)
        self.relevance = relevance

    def fit(
        self, question: str, sources: Sequence[Document], ranked: list[Candidate] | None = None
    ) -> QuestionFit:
        """How well each sentence of ``sources`` answers ``question`` (``ranked``: the
        sentences already scored for it)."""
        return QuestionFit(self.scorer, question, sources, relevance=self.relevance, ranked=ranked)

    def verify(
        self,
        text: str,
        sources: Sequence[Document],
        question: str = "",
        fit: QuestionFit | None = None,
    ) -> VerifiedAnswer:
        if fit is None:
            fit = self.fit(question if text else "", sources)
        kept: list[str] = []
        dropped: list[str] = []
        reasons: list[str] = []
        used: dict[int, dict[int, Candidate]] = {}  # source -> sentence start -> support
        for sentence, numbers in claims(text):
            claim = read_claim(sentence, question)
            if claim is None:
                dropped.append(sentence)
                reasons.append(NO_CLAIM)
                continue
            cited = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(sources)]
            aligned = self._align(claim, sources, cited)
            relevant = [(n, a) for n, a in aligned if fit.answers(a.sentence)]
            if not relevant:  # repair: another retrieved source that states it
                others = [n for n in range(1, len(sources) + 1) if n not in cited]
                repaired = self._align(claim, sources, others)
                relevant = [(n, a) for n, a in repaired if fit.answers(a.sentence)]
                relevant = sorted(relevant, key=lambda x: -x[1].score)[:1]
                aligned = aligned or repaired
            if not relevant:
                dropped.append(sentence)
                reasons.append(OFF_QUESTION if aligned else NOT_IN_SOURCE)
                continue
            for n, alignment in relevant:
                seen = used.setdefault(n, {})
                cand = alignment.sentence
                if cand.start not in seen or cand.score > seen[cand.start].score:
                    seen[cand.start] = cand
            kept.append(with_markers(sentence, [n for n, _ in relevant]))
        # in the order the answer first uses them
        citations = [make_citation(n, sources[n - 1], list(used[n].values())) for n in used]
        return VerifiedAnswer(" ".join(kept), citations, dropped, reasons)

    def _align(
        self, claim: Claim, sources: Sequence[Document], numbers: list[int]
    ) -> list[tuple[int, Alignment]]:
        out = []
        for n in numbers:
            alignment = self.checker.align(claim, sources[n - 1], n)
            if alignment is not None:
                out.append((n, alignment))
        return out
