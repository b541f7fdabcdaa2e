"""The default provider: quotes the best-supported sentences of the sources. No model."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.answer.conflicts import disagree
from retrieval.answer.markers import with_markers
from retrieval.answer.providers.base import AnswerProvider, ProviderConfig, register_provider
from retrieval.answer.support import Candidate, SupportScorer


@register_provider
class ExtractiveProvider(AnswerProvider):
    """Answers with at most ``max_sentences`` verbatim sentences, each with its marker."""

    name = "extractive"
    streams_live = False

    def __init__(
        self,
        scorer: SupportScorer,
        *,
        max_sentences: int = 2,
        second_ratio: float = 0.85,
        rival_ratio: float = 0.75,
    ) -> None:
        if max_sentences < 1:
            raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
        self.scorer = scorer
        self.max_sentences = max_sentences
        self.second_ratio = second_ratio
        self.rival_ratio = rival_ratio

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> ExtractiveProvider:
        return cls(scorer, max_sentences=config.max_sentences)

    def select(
        self, ranked: list[Candidate], documents: Sequence[str] = (), question: str = ""
    ) -> list[Candidate]:
        """The best sentence and those nearly as good; ``documents`` (the document id of
        each source) lets a rival statement from another document be quoted too."""
        if not ranked:
            return []
        best = ranked[0]
        rival = self._rival(best, ranked, documents, question)
        chosen = [best, rival] if rival else [best]
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

    def _rival(
        self, best: Candidate, ranked: list[Candidate], documents: Sequence[str], question: str
    ) -> Candidate | None:
        """A sentence of another document, nearly as well supported, stating different facts."""
        if len(documents) < best.source:
            return None
        for cand in ranked[1:]:
            if cand.score < self.rival_ratio * best.score:
                return None
            other = documents[cand.source - 1] != documents[best.source - 1]
            if other and disagree(best.text, cand.text, question):
                return cand
        return None

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
        documents = [str(d.metadata.get(md.DOCUMENT_ID, d.id)) for d in sources]
        for cand in self.select(ranked, documents, question):
            text = " ".join(cand.text.split())
            parts.append(with_markers(text, [cand.source]))
        answer = " ".join(parts)
        yield from re.findall(r"\S+\s*", answer)
