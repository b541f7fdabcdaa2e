"""The evaluation harness end to end on tiny BEIR and SQuAD fixtures."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.evaluation.datasets import beir_id, beir_source, read_beir, read_squad
from retrieval.rerank.base import Reranker
from tests.conftest import BIN

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.integration


@pytest.fixture
def container(tmp_path, real_embeddings):
    from app.container import Container
    from app.settings import Settings

    return Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0), embeddings=real_embeddings
    )


def test_readers_and_id_round_trip():
    beir = read_beir(DATA / "beir-tiny", "test")
    assert len(beir.corpus) == 8 and set(beir.queries) == {"q1", "q2", "q3", "q4", "q5"}
    assert beir.qrels["q2"] == {"d3": 2, "d6": 1}
    assert beir_id(beir_source("d/7")) == "d/7" and "/" not in beir_source("d/7")
    squad = read_squad(DATA / "squad-tiny.json")
    assert len(squad.paragraphs) == 4 and len(squad.questions) == 5
    with pytest.raises(FileNotFoundError):
        read_beir(DATA, "test")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_retrieval_eval_on_tiny_beir(container, mode):
    from app.evaluation.retrieval_eval import run_retrieval_eval

    report = run_retrieval_eval(container, DATA / "beir-tiny", split="test", mode=mode)
    assert report.queries == 5 and report.documents == 8
    assert report.ndcg_at_10 > 0.8 and report.recall_at_100 == 1.0
    # a search over 8 documents may round to 0.0 ms: what matters is that both were measured
    assert 0 <= report.latency_p50_ms <= report.latency_p95_ms
    again = run_retrieval_eval(container, DATA / "beir-tiny", split="test", mode=mode)
    assert again.ingest["unchanged"] == 8 and again.ingest["chunks_embedded"] == 0


class WordReranker(Reranker):
    """A scripted reranker: passages naming ``word`` first."""

    word: str

    def warm_up(self) -> None:
        pass

    def relevance(self, query, passages):
        return [float(self.word in p.lower()) for p in passages]


def test_retrieval_eval_with_the_reranker_ranks_as_ask_shows_sources(tmp_path, real_embeddings):
    from app.container import Container
    from app.evaluation.retrieval_eval import run_retrieval_eval
    from app.settings import Settings

    def evaluate(pool: int, rerank: bool):
        c = Container(
            Settings(data_dir=tmp_path / "data", ingest_workers=0, rerank_pool=pool),
            embeddings=real_embeddings,
            reranker=WordReranker(word="vitamin", retrieval_weight=0.0),
        )
        return run_retrieval_eval(c, DATA / "beir-tiny", split="test", rerank=rerank)

    alone, misled = evaluate(10, False), evaluate(10, True)
    assert alone.config["reranker"] == "none" and misled.config["rerank_pool"] == 10
    # the reranker puts the one vitamin abstract (relevant to no query) first everywhere
    assert misled.ndcg_at_10 < alone.ndcg_at_10 and misled.mrr_at_10 <= 0.5
    assert misled.recall_at_100 == alone.recall_at_100 == 1.0
    # a pool of one chunk leaves nothing to reorder: the retriever's ranking
    assert evaluate(1, True).ndcg_at_10 == alone.ndcg_at_10


def test_retrieval_eval_with_the_cross_encoder(container):
    from app.evaluation.retrieval_eval import run_retrieval_eval

    report = run_retrieval_eval(container, DATA / "beir-tiny", split="test", rerank=True)
    assert report.config["reranker"] == "cross-encoder"
    assert report.ndcg_at_10 > 0.8 and report.recall_at_100 == 1.0


def test_retrieval_eval_rerank_needs_a_reranker(tmp_path, real_embeddings):
    from app.container import Container
    from app.evaluation.retrieval_eval import run_retrieval_eval
    from app.settings import Settings
    from retrieval.errors import ConfigurationError

    c = Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0, reranker="none"),
        embeddings=real_embeddings,
    )
    with pytest.raises(ConfigurationError, match="needs a reranker"):
        run_retrieval_eval(c, DATA / "beir-tiny", split="test", rerank=True)


def test_qa_eval_on_tiny_squad(container):
    from app.evaluation.qa_eval import run_qa_eval

    report = run_qa_eval(container, DATA / "squad-tiny.json", negatives=5, conversational=True)
    assert report.questions == 5
    assert report.answer_hit_rate >= 0.8 and report.citation_accuracy >= 0.8
    assert report.retrieval_hit_at_5 == 1.0
    assert report.negatives == 5 and 0.0 <= report.refusal_recall <= 1.0
    # an answer is a sentence or two around the gold span: some of its tokens are the answer
    assert 0.0 < report.answer_precision < 1.0 and 0.0 < report.answer_f1 < 1.0
    assert 1.0 <= report.answer_sentences <= 2.0
    # same-article negatives: only the question's paragraph is left out; a question whose
    # answer another paragraph of its article also holds is not one
    assert 1 <= report.same_article_negatives <= 5
    assert 0.0 <= report.same_article_refusal_recall <= 1.0
    # the same questions after two turns of history: still answered
    talk = report.conversation
    assert talk["answer_hit_rate"] >= 0.8
    assert talk["answer_hit_change"] == round(talk["answer_hit_rate"] - report.answer_hit_rate, 4)
    assert 0.0 <= talk["refusal_recall"] <= 1.0


def test_token_precision_and_history_of_earlier_questions():
    from app.evaluation.qa_eval import _earlier, _history, token_precision

    assert token_precision("The bridge opened in 1937.", ["1937", "in 1937"]) == 0.5
    assert token_precision("", ["1937"]) == 0.0
    squad = read_squad(DATA / "squad-tiny.json")
    earlier = _earlier(squad)
    first, second = squad.questions[0], squad.questions[1]
    assert earlier[first.id] == []
    turns = _history(earlier[second.id])  # the tiny set's first two share an article
    assert [t.role for t in turns] == ["user", "assistant"]
    assert (turns[0].content, turns[1].content) == (first.question, "A Coruña, Spain.")
    assert len(earlier[squad.questions[2].id]) == 2


def eval_json(env: dict, *args: str) -> dict:
    """Run ``groundwork eval ... --json`` and return the report it prints."""
    proc = subprocess.run(
        [str(BIN / "groundwork"), "eval", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_eval_cli_prints_json(tmp_path):
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(tmp_path / "data")}
    report = eval_json(env, "retrieval", "--beir", str(DATA / "beir-tiny"), "--qrels", "test")
    for key in (
        "ndcg_at_10",
        "recall_at_10",
        "recall_at_100",
        "mrr_at_10",
        "latency_p50_ms",
        "latency_p95_ms",
    ):
        assert key in report
    assert report["config"]["embedding_model"] == "bge-small-en-v1.5"  # the default
    report = eval_json(env, "qa", "--squad", str(DATA / "squad-tiny.json"), "--negatives", "3")
    for key in (
        "answer_hit_rate",
        "best_sentence_f1",
        "citation_accuracy",
        "retrieval_hit_at_1",
        "retrieval_hit_at_5",
        "refusal_rate",
        "refusal_precision",
        "refusal_recall",
    ):
        assert key in report
    assert report["config"]["reranker"] == "cross-encoder"
    assert report["config"]["support_model"] == "all-MiniLM-L6-v2"


def test_citation_eval_on_tiny_squad(container):
    from app.evaluation.citation_eval import SHOULD_ACCEPT, SHOULD_REFUSE, run_citation_eval

    report = run_citation_eval(container, DATA / "squad-tiny.json")
    assert report.questions == 5
    assert set(report.accept_rate) <= set(SHOULD_ACCEPT + SHOULD_REFUSE)
    assert {"supported", "short", "wrong_source", "filler"} <= set(report.accept_rate)
    assert report.accept_rate["supported"] >= 0.8
    assert report.accept_rate["filler"] == 0.0 and report.accept_rate["wrong_source"] == 0.0
    assert 0.0 < report.verify_ms_p50 <= report.verify_ms_p95


def test_eval_citations_cli_prints_json(tmp_path):
    env = {**os.environ, "GROUNDWORK_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [str(BIN / "groundwork"), "eval", "citations", "--squad", str(DATA / "squad-tiny.json")]
        + ["--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["cases"]["supported"] == 5 and "accept_precision" in report
