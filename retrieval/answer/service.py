"""The question-answering use case: condense, retrieve, rerank, gate, generate, verify citations.

There is one code path: ``stream`` yields events (``question`` [the standalone question
searched], ``sources``, ``token``..., ``done``); ``ask`` runs it and returns the answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.documents import Document
from langchain_core.documents.compressor import BaseDocumentCompressor

from retrieval.answer.citations import CitationVerifier
from retrieval.answer.claim_check import QuestionFit
from retrieval.answer.condense import Turn, follow_up_terms, speaks_of, standalone_question
from retrieval.answer.conflicts import NOTE as DISAGREE
from retrieval.answer.conflicts import sources_disagree
from retrieval.answer.providers.base import AnswerProvider
from retrieval.answer.schema import Answer, Timings
from retrieval.answer.support import Candidate, SupportScorer
from retrieval.search.hybrid_retriever import HybridRetriever

REFUSAL = "I could not find this in the documents."


def removed_note(count: int) -> str:
    what = "A statement was" if count == 1 else f"{count} statements were"
    return f"{what} removed from this answer: no retrieved source states it as an answer."


def _answering(ranked: list[Candidate], fit: QuestionFit, near: float = 0.75) -> list[Candidate]:
    """``ranked`` without the sentences near the top that the claim check would remove
    (those further down are never quoted)."""
    if not ranked:
        return ranked
    bar = near * ranked[0].score
    return [c for c in ranked if c.score < bar or fit.answers(c)]


@dataclass
class Event:
    kind: Literal["question", "sources", "token", "done"]
    data: Any


RetrieverFactory = Callable[..., HybridRetriever]


class AnswerService:
    def __init__(
        self,
        retriever_factory: RetrieverFactory,
        provider: AnswerProvider,
        scorer: SupportScorer,
        verifier: CitationVerifier,
        *,
        top_k: int = 5,
        refuse_below: float = 0.45,
        refuse_below_relevance: float | None = None,
        reranker: BaseDocumentCompressor | None = None,
        rerank_pool: int = 0,
    ) -> None:
        self.retriever_factory = retriever_factory
        self.provider = provider
        self.scorer = scorer
        self.verifier = verifier
        self.top_k = top_k
        self.refuse_below = refuse_below
        # with a cross-encoder: the least logit of the sentence an answer would lead with
        self.refuse_below_relevance = refuse_below_relevance
        self.reranker = reranker
        self.rerank_pool = rerank_pool  # with a reranker: chunks it reads before top-k are kept

    def stream(
        self,
        question: str,
        collection: str,
        *,
        top_k: int | None = None,
        sources: Sequence[str] | None = None,
        document_ids: Sequence[str] | None = None,
        exclude_document_ids: Sequence[str] | None = None,
        history: Sequence[Turn] | None = None,
    ) -> Iterator[Event]:
        t0 = time.perf_counter()
        asked = question
        question = standalone_question(question, history or ())
        own = follow_up_terms(asked, question)  # what a follow-up's answer must speak of
        yield Event("question", question)
        k = top_k or self.top_k
        pool = max(k, self.rerank_pool) if self.reranker is not None else k
        retriever = self.retriever_factory(
            collection,
            k=pool,
            sources=list(sources) if sources else None,
            document_ids=list(document_ids) if document_ids else None,
            exclude_document_ids=list(exclude_document_ids) if exclude_document_ids else None,
        )
        docs: list[Document] = retriever.search(question)
        t_search = time.perf_counter()
        if self.reranker is not None and len(docs) > 1:
            docs = list(self.reranker.compress_documents(docs, question))[:k]
        t1 = time.perf_counter()
        yield Event("sources", docs)

        ranked = self.scorer.rank_for_question(question, docs) if docs else []
        if own:  # the topic found the sources; the sentence must answer the follow-up
            ranked = self._answering_asked(asked, own, docs, ranked)
        t_support = time.perf_counter()
        text = ""
        live = self.provider.streams_live
        fit = self.verifier.fit(question, docs, ranked)
        if self._answerable(ranked, fit):
            # a provider that quotes sentences is offered only those the check accepts
            offered = ranked if live else _answering(ranked, fit)
            for piece in self.provider.stream(question, docs, ranked=offered):
                text += piece
                if live:
                    yield Event("token", piece)
        t2 = time.perf_counter()
        verified = self.verifier.verify(text, docs, question, fit)
        t3 = time.perf_counter()
        if not live and verified.text:  # written at once: only what passed is shown
            for piece in re.findall(r"\S+\s*", verified.text):
                yield Event("token", piece)
        elif verified.refused and text and live:
            yield Event("token", "\n\n" + REFUSAL)
        if verified.refused and not (text and live):
            yield Event("token", REFUSAL)
        notes = [DISAGREE] if sources_disagree(verified.text, docs, question) else []
        if verified.dropped and verified.text and live:
            notes.append(removed_note(len(verified.dropped)))
        answer = Answer(
            answer=verified.text or REFUSAL,
            refused=verified.refused,
            citations=verified.citations,
            notes=notes,
            collection=collection,
            provider=self.provider.name,
            timings_ms=Timings(
                retrieve=round((t1 - t0) * 1000, 1),
                generate=round((t2 - t1) * 1000, 1),
                verify=round((t3 - t2) * 1000, 1),
                total=round((t3 - t0) * 1000, 1),
                search=round((t_search - t0) * 1000, 1),
                rerank=round((t1 - t_search) * 1000, 1),
                support=round((t_support - t1) * 1000, 1),
                answer=round((t2 - t_support) * 1000, 1),
            ),
        )
        yield Event("done", answer)

    def _answering_asked(
        self, asked: str, own: set[str], docs: list[Document], ranked: list[Candidate]
    ) -> list[Candidate]:
        """The sentences that answer the follow-up as it was asked: they speak of its own
        terms, or, read against the asked words alone, pass the support gate (a follow-up
        answered in other words than its own: "When was it founded?" → "established in
        1850")."""
        alone = {(c.source, c.start): c.score for c in self.scorer.rank_for_question(asked, docs)}
        return [
            c
            for c in ranked
            if speaks_of(own, c.terms | c.context)
            or alone.get((c.source, c.start), 0.0) >= self.refuse_below
        ]

    def _answerable(self, ranked: list[Candidate], fit: QuestionFit) -> bool:
        """The refusal gate: the sources support the question well enough (``refuse_below``),
        and the best sentence the claim check accepts is one the cross-encoder reads as
        relevant (``refuse_below_relevance``). The second part refuses a question whose
        topic the documents mention without answering it: such sentences share the
        question's words, but the cross-encoder reads them as off the question."""
        if not ranked or max(c.score for c in ranked) < self.refuse_below:
            return False
        if self.refuse_below_relevance is None:
            return True
        lead = _answering(ranked, fit)[:1]
        logit = fit.relevance_of(lead[0]) if lead else None
        return logit is None or logit >= self.refuse_below_relevance

    def ask(self, question: str, collection: str, **kwargs) -> Answer:
        answer = None
        for event in self.stream(question, collection, **kwargs):
            if event.kind == "done":
                answer = event.data
        assert answer is not None
        return answer
