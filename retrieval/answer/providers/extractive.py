"""The default provider: quotes the best-supported sentences of the sources. No model."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from langchain_core.documents import Document

from retrieval.answer.markers import with_markers
from retrieval.answer.providers.base import AnswerProvider, ProviderConfig, register_provider
from retrieval.answer.support import Candidate, SupportScorer


@register_provider
class ExtractiveProvider(AnswerProvider):
    """Answers with at most ``max_sentences`` verbatim sentences, each with its marker."""

    name = "extractive"

    def __init__(
        self, scorer: SupportScorer, *, max_sentences: int = 2, second_ratio: float = 0.85
    ) -> None:
        if max_sentences < 1:
            raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
        self.scorer = scorer
        self.max_sentences = max_sentences
        self.second_ratio = second_ratio

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> ExtractiveProvider:
        return cls(scorer, max_sentences=config.max_sentences)

    def select(self, ranked: list[Candidate]) -> list[Candidate]:
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        for cand in ranked[1:]:
            if len(chosen) >= self.max_sentences or cand.score < self.second_ratio * best.score:
                break
            if all(cand.text != c.text for c in chosen):
                chosen.append(cand)
        # the best-supported source leads; sentences of one source keep their order
        lead = {}
        for c in chosen:
            lead.setdefault(c.source, len(lead))
        return sorted(chosen, key=lambda c: (lead[c.source], c.start))

    def stream(
        self,
        question: str,
        sources: Sequence[Document],
        *,
        ranked: list[Candidate] | None = None,
    ) -> Iterator[str]:
        if ranked is None:
            ranked = self.scorer.rank_for_question(question, sources)
        parts = []
        for cand in self.select(ranked):
            text = " ".join(cand.text.split())
            parts.append(with_markers(text, [cand.source]))
        answer = " ".join(parts)
        yield from re.findall(r"\S+\s*", answer)
