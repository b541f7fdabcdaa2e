"""``groundwork eval citations``: the citation verifier alone, on answer sentences with
known labels built from SQuAD v1.1 (no retrieval, no model).

For each question whose gold answer (at the offset its annotator marked) lies inside one
sentence of its paragraph:
- ``supported``: that sentence, cited to its paragraph (should be accepted);
- ``short``: the words around the answer in that sentence, as a model that answers
  tersely would write them (should be accepted);
- ``other_answer``: the sentence that answers another question about the same paragraph,
  asserted as the answer (a real fragment answering something else: should be refused);
- ``swapped_value``: the supporting sentence with its answer replaced by the answer of
  another question about the same paragraph (should be refused);
- ``wrong_source``: the supporting sentence cited to a paragraph of another article,
  with the right paragraph also retrieved (the wrong citation must not survive: moving it
  to the right paragraph is fine);
- ``filler``: a bare number, "the answer is [1]", or the question restated as an answer
  (should be refused).
"""

from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from langchain_core.documents import Document

from app.container import Container
from app.evaluation.datasets import Squad, SquadQuestion, read_squad
from app.evaluation.metrics import percentile
from retrieval import metadata as md
from retrieval.answer.citations import CitationVerifier
from retrieval.sentences import split_sentences

SHOULD_ACCEPT = ("supported", "short")
SHOULD_REFUSE = ("other_answer", "swapped_value", "wrong_source", "filler")
_WH = re.compile(r"^(what|which|who|whom|whose|when|where|why|how( many| much)?)\s+", re.I)


@dataclass
class Case:
    category: str
    question: str
    claim: str
    sources: list[Document]
    wrong: str | None = None  # document id a wrong_source citation must not keep


@dataclass
class CitationReport:
    dataset: str
    questions: int
    accept_rate: dict[str, float]  # per category: share of sentences kept
    cases: dict[str, int]
    accept_precision: float  # of accepted sentences, the share that should be accepted
    accept_recall: float  # of sentences that should be accepted, the share accepted
    verify_ms_p50: float
    verify_ms_p95: float
    config: dict

    def to_dict(self) -> dict:
        return asdict(self)


def _doc(squad: Squad, source: str) -> Document:
    return Document(
        id=f"{source}:0",
        page_content=squad.paragraphs[source],
        metadata={md.DOCUMENT_ID: source, md.SOURCE: source, md.START: 0},
    )


def _answer_sentence(text: str, q: SquadQuestion) -> tuple[str, str] | None:
    """(sentence, answer) for the sentence of ``text`` that holds a gold answer where the
    annotator marked it (not merely the first sentence where the same words occur)."""
    spans = split_sentences(text)
    for answer, start in zip(q.answers, q.starts, strict=False):
        if not answer:
            continue
        if text[start : start + len(answer)] != answer:  # a hand-made set without offsets
            start = text.find(answer)
            if start < 0:
                continue
        end = start + len(answer)
        for span in spans:
            if span.start <= start and end <= span.end:
                return " ".join(span.text.split()), answer
    return None


def _short(sentence: str, answer: str, width: int = 5) -> str:
    before, _, after = sentence.partition(answer)
    words = [*before.split()[-width:], answer, *after.split()[:width]]
    text = " ".join(words).strip(" ,;:")
    return text[0].upper() + text[1:].rstrip(".") + "."


def _statement(question: str) -> str:
    """The question restated without an answer: "the source confirms what X is"."""
    return "The source confirms " + _WH.sub("", question.rstrip("?").strip()) + "."


def _cite(sentence: str, n: int = 1) -> str:
    return f"{sentence.rstrip('.')} [{n}]."


def build_cases(squad: Squad, questions: list[SquadQuestion], seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    by_source: dict[str, list[SquadQuestion]] = defaultdict(list)
    for q in squad.questions:
        by_source[q.source].append(q)
    sources = list(squad.paragraphs)
    cases: list[Case] = []
    for q in questions:
        found = _answer_sentence(squad.paragraphs[q.source], q)
        if found is None:
            continue
        sentence, answer = found
        right = _doc(squad, q.source)
        cases.append(Case("supported", q.question, _cite(sentence), [right]))
        cases.append(Case("short", q.question, _cite(_short(sentence, answer)), [right]))
        for other in by_source[q.source]:
            theirs = _answer_sentence(squad.paragraphs[q.source], other)
            if other.id == q.id or theirs is None:
                continue
            other_sentence, other_answer = theirs
            if other_sentence != sentence and not any(a in other_sentence for a in q.answers):
                cases.append(Case("other_answer", q.question, _cite(other_sentence), [right]))
                break
        for other in by_source[q.source]:
            value = other.answers[0]
            same_kind = any(ch.isdigit() for ch in value) == any(ch.isdigit() for ch in answer)
            if other.id != q.id and same_kind and value not in sentence and answer not in value:
                swapped = sentence.replace(answer, value, 1)
                cases.append(Case("swapped_value", q.question, _cite(swapped), [right]))
                break
        foreign = [s for s in sources if not s.startswith(q.article + "/")]
        if foreign:
            wrong = _doc(squad, rng.choice(foreign))
            cases.append(
                Case("wrong_source", q.question, _cite(sentence), [wrong, right], wrong.id)
            )
        numbers = re.findall(r"\d+(?:[.,]\d+)?", squad.paragraphs[q.source])
        filler = ["The answer is [1].", _cite(_statement(q.question))]
        if numbers:
            filler.append(f"{rng.choice(numbers)} [1].")
        cases.append(Case("filler", q.question, rng.choice(filler), [right]))
    return cases


def _accepted(case: Case, verifier: CitationVerifier) -> bool:
    out = verifier.verify(case.claim, case.sources, case.question)
    if case.wrong is None:
        return not out.refused
    kept = {case.sources[c.n - 1].id for c in out.citations}
    return case.wrong in kept


def run_citation_eval(
    container: Container,
    path: Path,
    *,
    limit: int | None = None,
    seed: int = 13,
    progress=None,
) -> CitationReport:
    squad = read_squad(path)
    questions = squad.questions
    if limit:
        questions = random.Random(seed).sample(questions, min(limit, len(questions)))
    cases = build_cases(squad, questions)
    verifier = container.verifier
    kept: dict[str, list[float]] = defaultdict(list)
    times = []
    for case in cases:
        t0 = time.perf_counter()
        kept[case.category].append(1.0 if _accepted(case, verifier) else 0.0)
        times.append((time.perf_counter() - t0) * 1000)
        if progress is not None:
            progress()
    good = sum(sum(kept[c]) for c in SHOULD_ACCEPT)
    bad = sum(sum(kept[c]) for c in SHOULD_REFUSE)
    positives = sum(len(kept[c]) for c in SHOULD_ACCEPT)
    s = container.settings
    return CitationReport(
        dataset=str(path),
        questions=len(questions),
        accept_rate={c: round(sum(v) / len(v), 4) for c, v in kept.items() if v},
        cases={c: len(v) for c, v in kept.items()},
        accept_precision=round(good / max(good + bad, 1), 4),
        accept_recall=round(good / max(positives, 1), 4),
        verify_ms_p50=round(percentile(times, 50), 1),
        verify_ms_p95=round(percentile(times, 95), 1),
        config={
            "support_model": s.support_model,
            "citation_threshold": s.citation_threshold,
            "refuse_below": s.refuse_below,
        },
    )
