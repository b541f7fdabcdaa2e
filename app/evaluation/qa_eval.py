"""``groundwork eval qa``: answer quality, citation accuracy and refusals on SQuAD v1.1."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path

from app.container import Container
from app.evaluation.datasets import SquadQuestion, materialize_squad, read_squad
from app.evaluation.metrics import best_f1, contains_answer, hit_at_k, percentile
from app.evaluation.retrieval_eval import configuration
from app.evaluation.splits import QuerySplit
from ingest.pipeline import document_id
from ingest.progress import IngestProgress, NoProgress
from retrieval import metadata as md
from retrieval.answer.markers import MARKER


@dataclass
class QAReport:
    dataset: str
    provider: str
    questions: int
    answer_hit_rate: float
    wrong_accepted_rate: float  # answered (not refused) without any gold answer in the text
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
    config: dict
    ingest: dict

    def to_dict(self) -> dict:
        return asdict(self)


def _ask(container: Container, collection: str, q: SquadQuestion, exclude: list[str] | None):
    sources, answer = [], None
    for event in container.answers.stream(q.question, collection, exclude_document_ids=exclude):
        if event.kind == "sources":
            sources = event.data
        elif event.kind == "done":
            answer = event.data
    ranking = list(dict.fromkeys(d.metadata[md.DOCUMENT_ID] for d in sources))
    return answer, ranking


def run_qa_eval(
    container: Container,
    path: Path,
    *,
    limit: int | None = None,
    negatives: int = 100,
    collection: str = "eval-squad",
    seed: int = 13,
    query_split: QuerySplit | None = None,
    progress: IngestProgress | None = None,
    question_progress=None,
) -> QAReport:
    squad = read_squad(path)
    docs_dir = materialize_squad(squad, container.settings.data_dir / "datasets" / collection)
    summary = container.ingestor.ingest_folder(
        docs_dir, collection, prune=True, progress=progress or NoProgress()
    )
    pool = [q for q in squad.questions if not query_split or query_split.keeps(q.id)]
    questions = pool
    if limit:  # an even spread over all articles, the same for every run
        questions = random.Random(seed).sample(questions, min(limit, len(questions)))
    hits, wrong, f1s, cites, h1, h5, refused, latencies = [], [], [], [], [], [], [], []
    verify: list[float] = []
    for q in questions:
        answer, ranking = _ask(container, collection, q, None)
        gold = document_id(collection, q.source)
        latencies.append(answer.timings_ms.total)
        verify.append(answer.timings_ms.verify)
        refused.append(1.0 if answer.refused else 0.0)
        hit = not answer.refused and contains_answer(answer.answer, q.answers)
        hits.append(1.0 if hit else 0.0)
        wrong.append(1.0 if not answer.refused and not hit else 0.0)
        if answer.citations:
            best = max(answer.citations, key=lambda c: c.score)
            f1s.append(best_f1(MARKER.sub("", best.snippet), q.answers))
            cites.append(1.0 if answer.citations[0].document_id == gold else 0.0)
        else:
            f1s.append(0.0)
            cites.append(0.0)
        h1.append(hit_at_k(ranking, gold, 1))
        h5.append(hit_at_k(ranking, gold, 5))
        if question_progress is not None:
            question_progress()

    # negatives: the same kind of question, asked without its article's paragraphs
    neg_questions = random.Random(seed + 1).sample(pool, min(negatives, len(pool)))
    neg_refused = []
    for q in neg_questions:
        exclude = [document_id(collection, s) for s in squad.articles[q.article]]
        answer, _ = _ask(container, collection, q, exclude)
        neg_refused.append(1.0 if answer.refused else 0.0)
        if question_progress is not None:
            question_progress()
    n = max(len(questions), 1)
    true_refusals = sum(neg_refused)
    false_refusals = sum(refused)
    return QAReport(
        dataset=str(path) + (f" ({query_split} of its questions)" if query_split else ""),
        provider=container.provider.name,
        questions=len(questions),
        answer_hit_rate=round(sum(hits) / n, 4),
        wrong_accepted_rate=round(sum(wrong) / n, 4),
        best_sentence_f1=round(sum(f1s) / n, 4),
        citation_accuracy=round(sum(cites) / n, 4),
        retrieval_hit_at_1=round(sum(h1) / n, 4),
        retrieval_hit_at_5=round(sum(h5) / n, 4),
        refusal_rate=round(false_refusals / n, 4),
        latency_p50_ms=round(percentile(latencies, 50), 1),
        latency_p95_ms=round(percentile(latencies, 95), 1),
        verify_p50_ms=round(percentile(verify, 50), 1),
        verify_p95_ms=round(percentile(verify, 95), 1),
        negatives=len(neg_questions),
        refusal_precision=round(true_refusals / max(true_refusals + false_refusals, 1), 4),
        refusal_recall=round(true_refusals / max(len(neg_questions), 1), 4),
        config=configuration(
            container.settings,
            "embedding_model",
            "support_model",
            "reranker",
            "rerank_pool",
            "refuse_below",
            "answer_max_sentences",
        ),
        ingest={k: v for k, v in summary.to_dict().items() if k != "documents"},
    )
