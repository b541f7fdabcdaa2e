"""Where citations are checked before they reach the user.

Every sentence of an answer must be supported by a retrieved source:
- a marker that names no retrieved source is removed;
- a cited source that does not support its sentence loses the marker; another retrieved
  source that does support it is cited instead (this also repairs uncited sentences);
- a sentence no source supports is dropped. An answer left empty is a refusal.
Each citation quotes the best supporting sentence verbatim, with offsets into the
page or section text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.answer.markers import MARKER, ONLY_MARKERS, with_markers
from retrieval.answer.schema import Citation
from retrieval.answer.sentences import split_sentences
from retrieval.answer.support import Candidate, SupportScorer


@dataclass
class VerifiedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[str]

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
        snippet=source.page_content[start:end],
        start=base + start,
        end=base + end,
        score=round(max(0.0, min(1.0, min(c.score for c in support))), 3),
    )


class CitationVerifier:
    def __init__(self, scorer: SupportScorer, *, threshold: float = 0.5) -> None:
        self.scorer = scorer
        self.threshold = threshold

    def verify(self, text: str, sources: Sequence[Document]) -> VerifiedAnswer:
        kept: list[str] = []
        dropped: list[str] = []
        used: dict[int, dict[int, Candidate]] = {}  # source -> sentence start -> support
        for claim, numbers in claims(text):
            valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(sources)]
            supported: list[tuple[int, Candidate]] = []
            for n in valid:
                cand = self.scorer.best_support(claim, sources[n - 1], n)
                if cand is not None and cand.score >= self.threshold:
                    supported.append((n, cand))
            if not supported:
                supported = self._repair(claim, sources, exclude=set(valid))
            if not supported:
                dropped.append(claim)
                continue
            for n, cand in supported:
                seen = used.setdefault(n, {})
                if cand.start not in seen or cand.score > seen[cand.start].score:
                    seen[cand.start] = cand
            kept.append(with_markers(claim, [n for n, _ in supported]))
        # in the order the answer first uses them
        citations = [make_citation(n, sources[n - 1], list(used[n].values())) for n in used]
        return VerifiedAnswer(" ".join(kept), citations, dropped)

    def _repair(
        self, claim: str, sources: Sequence[Document], exclude: set[int]
    ) -> list[tuple[int, Candidate]]:
        top: tuple[int, Candidate] | None = None
        for n, source in enumerate(sources, start=1):
            if n in exclude:
                continue
            cand = self.scorer.best_support(claim, source, n)
            if (
                cand is not None
                and cand.score >= self.threshold
                and (top is None or cand.score > top[1].score)
            ):
                top = (n, cand)
        return [top] if top else []
