"""``groundwork eval qa``: answer quality, citation accuracy and refusals on SQuAD v1.1.

Positives are SQuAD questions asked of the whole collection. Negatives are the same kind
of question asked without their answer: *other-article* negatives without any paragraph of
their article, *same-article* negatives without only their own paragraph, so the topic is
still in the collection but not the answer (a negative whose answer also occurs in another
paragraph of the article is skipped). With ``conversational`` every question is asked a
second time after a history of two turns: a positive after the two questions before it
in its article (with their gold answers), a negative after two turns of another article.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.container import Container
from app.evaluation.datasets import Squad, SquadQuestion, materialize_squad, read_squad
from app.evaluation.metrics import (
    best_f1,
    contains_answer,
    hit_at_k,
    percentile,
    token_precision,
)
from app.evaluation.retrieval_eval import configuration
from app.evaluation.splits import QuerySplit
from ingest.pipeline import document_id
from ingest.progress import IngestProgress, NoProgress
from retrieval import metadata as md
from retrieval.answer.condense import Turn
from retrieval.answer.markers import MARKER
from retrieval.sentences import split_sentences


@dataclass
class QAReport:
    dataset: str
    provider: str
    questions: int
    answer_hit_rate: float
    wrong_accepted_rate: float  # answered (not refused) without any gold answer in the text
    answer_f1: float  # SQuAD token F1 of the whole answer (0 when refused)
    answer_precision: float  # of answered questions: the share of answer tokens in the gold
    answer_sentences: float  # of answered questions: sentences per answer
    best_sentence_f1: float
    citation_accuracy: float
    retrieval_hit_at_1: float
    retrieval_hit_at_5: float
    refusal_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    verify_p50_ms: float  # the claim check of the answer's sentences, inside the latency
    verify_p95_ms: float
    negatives: int
    refusal_precision: float
    refusal_recall: float
    same_article_negatives: int
    same_article_refusal_recall: float
    same_article_refusal_precision: float
    config: dict
    ingest: dict
    conversation: dict = field(default_factory=dict)  # the same figures after a history

    def to_dict(self) -> dict:
        return asdict(self)


def _history(questions: list[SquadQuestion]) -> list[Turn]:
    turns: list[Turn] = []
    for q in questions:
        turns += [Turn("user", q.question), Turn("assistant", q.answers[0] + ".")]
    return turns


def _earlier(squad: Squad) -> dict[str, list[SquadQuestion]]:
    """For each question id: the two questions asked before it in its article."""
    by_article: dict[str, list[SquadQuestion]] = {}
    out = {}
    for q in squad.questions:
        seen = by_article.setdefault(q.article, [])
        out[q.id] = seen[-2:]
        seen.append(q)
    return out


def _answered_elsewhere(squad: Squad, q: SquadQuestion) -> bool:
    others = (squad.paragraphs[s] for s in squad.articles[q.article] if s != q.source)
    return any(contains_answer(text, q.answers) for text in others)


def _ask(
    container: Container,
    collection: str,
    q: SquadQuestion,
    exclude: list[str] | None,
    history: list[Turn] | None = None,
):
    sources, answer = [], None
    stream = container.answers.stream(
        q.question, collection, exclude_document_ids=exclude, history=history
    )
    for event in stream:
        if event.kind == "sources":
            sources = event.data
        elif event.kind == "done":
            answer = event.data
    ranking = list(dict.fromkeys(d.metadata[md.DOCUMENT_ID] for d in sources))
    return answer, ranking


@dataclass
class _Positives:
    hits: list[float] = field(default_factory=list)
    wrong: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)  # answered questions only
    sentences: list[float] = field(default_factory=list)  # answered questions only
    sentence_f1: list[float] = field(default_factory=list)
    cites: list[float] = field(default_factory=list)
    h1: list[float] = field(default_factory=list)
    h5: list[float] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    verify: list[float] = field(default_factory=list)


def _mean(values: list[float]) -> float:
    return round(sum(values) / max(len(values), 1), 4)


def _positives(container, collection, questions, histories, tick) -> _Positives:
    out = _Positives()
    for q in questions:
        answer, ranking = _ask(container, collection, q, None, histories.get(q.id))
        gold = document_id(collection, q.source)
        out.latencies.append(answer.timings_ms.total)
        out.verify.append(answer.timings_ms.verify)
        out.refused.append(1.0 if answer.refused else 0.0)
        hit = not answer.refused and contains_answer(answer.answer, q.answers)
        out.hits.append(1.0 if hit else 0.0)
        out.wrong.append(1.0 if not answer.refused and not hit else 0.0)
        text = MARKER.sub("", answer.answer)
        out.f1.append(0.0 if answer.refused else best_f1(text, q.answers))
        if not answer.refused:
            out.precision.append(token_precision(text, q.answers))
            out.sentences.append(float(len(split_sentences(answer.answer))))
        if answer.citations:
            best = max(answer.citations, key=lambda c: c.score)
            out.sentence_f1.append(best_f1(MARKER.sub("", best.snippet), q.answers))
            out.cites.append(1.0 if answer.citations[0].document_id == gold else 0.0)
        else:
            out.sentence_f1.append(0.0)
            out.cites.append(0.0)
        out.h1.append(hit_at_k(ranking, gold, 1))
        out.h5.append(hit_at_k(ranking, gold, 5))
        tick()
    return out


def _refusals(container, collection, cases, tick) -> list[float]:
    """1.0 per (question, excluded document ids, history) the service refused."""
    out = []
    for q, exclude, history in cases:
        answer, _ = _ask(container, collection, q, exclude, history)
        out.append(1.0 if answer.refused else 0.0)
        tick()
    return out


def _precision(true_refusals: float, false_refusals: float) -> float:
    return round(true_refusals / max(true_refusals + false_refusals, 1), 4)


def run_qa_eval(
    container: Container,
    path: Path,
    *,
    limit: int | None = None,
    negatives: int = 100,
    collection: str = "eval-squad",
    seed: int = 13,
    query_split: QuerySplit | None = None,
    conversational: bool = False,
    progress: IngestProgress | None = None,
    question_progress=None,
) -> QAReport:
    squad = read_squad(path)
    docs_dir = materialize_squad(squad, container.settings.data_dir / "datasets" / collection)
    summary = container.ingestor.ingest_folder(
        docs_dir, collection, prune=True, progress=progress or NoProgress()
    )
    tick = question_progress or (lambda: None)
    pool = [q for q in squad.questions if not query_split or query_split.keeps(q.id)]
    questions = pool
    if limit:  # an even spread over all articles, the same for every run
        questions = random.Random(seed).sample(questions, min(limit, len(questions)))
    pos = _positives(container, collection, questions, {}, tick)

    def without(sources) -> list[str]:
        return [document_id(collection, s) for s in sources]

    # other-article negatives: the question's whole article is left out
    neg_questions = random.Random(seed + 1).sample(pool, min(negatives, len(pool)))
    other = [(q, without(squad.articles[q.article]), None) for q in neg_questions]
    neg = _refusals(container, collection, other, tick)
    # same-article negatives: only the question's own paragraph is left out
    eligible = [q for q in pool if not _answered_elsewhere(squad, q)]
    same_questions = random.Random(seed + 2).sample(eligible, min(negatives, len(eligible)))
    same = [(q, without([q.source]), None) for q in same_questions]
    same_neg = _refusals(container, collection, same, tick)

    conversation: dict = {}
    if conversational:
        earlier = _earlier(squad)
        histories = {q.id: _history(earlier[q.id]) for q in questions}
        talk = _positives(container, collection, questions, histories, tick)
        rng = random.Random(seed + 3)
        articles = list(squad.articles)
        off_topic = []
        for q, exclude, _ in other:
            elsewhere = rng.choice([a for a in articles if a != q.article] or articles)
            turns = [x for x in squad.questions if x.article == elsewhere][:2]
            off_topic.append((q, exclude, _history(turns)))
        talk_neg = _refusals(container, collection, off_topic, tick)
        conversation = {
            "answer_hit_rate": _mean(talk.hits),
            "answer_hit_change": round(_mean(talk.hits) - _mean(pos.hits), 4),
            "refusal_rate": _mean(talk.refused),
            "refusal_recall": _mean(talk_neg),
            "refusal_recall_change": round(_mean(talk_neg) - _mean(neg), 4),
            "citation_accuracy": _mean(talk.cites),
        }
    false_refusals = sum(pos.refused)
    return QAReport(
        dataset=str(path) + (f" ({query_split} of its questions)" if query_split else ""),
        provider=container.provider.name,
        questions=len(questions),
        answer_hit_rate=_mean(pos.hits),
        wrong_accepted_rate=_mean(pos.wrong),
        answer_f1=_mean(pos.f1),
        answer_precision=_mean(pos.precision),
        answer_sentences=_mean(pos.sentences),
        best_sentence_f1=_mean(pos.sentence_f1),
        citation_accuracy=_mean(pos.cites),
        retrieval_hit_at_1=_mean(pos.h1),
        retrieval_hit_at_5=_mean(pos.h5),
        refusal_rate=_mean(pos.refused),
        latency_p50_ms=round(percentile(pos.latencies, 50), 1),
        latency_p95_ms=round(percentile(pos.latencies, 95), 1),
        verify_p50_ms=round(percentile(pos.verify, 50), 1),
        verify_p95_ms=round(percentile(pos.verify, 95), 1),
        negatives=len(neg),
        refusal_precision=_precision(sum(neg), false_refusals),
        refusal_recall=_mean(neg),
        same_article_negatives=len(same_neg),
        same_article_refusal_recall=_mean(same_neg),
        same_article_refusal_precision=_precision(sum(same_neg), false_refusals),
        config=configuration(
            container.settings,
            "embedding_model",
            "support_model",
            "sentence_search_weight",
            "reranker",
            "rerank_pool",
            "rerank_retrieval_weight",
            "rerank_passage_chars",
            "refuse_below",
            "refuse_below_relevance",
            "answer_max_sentences",
        ),
        ingest={k: v for k, v in summary.to_dict().items() if k != "documents"},
        conversation=conversation,
    )
