"""The query-likelihood reranker: real SmolLM2 GGUF through llama-cpp-python."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document

from retrieval.errors import ConfigurationError

pytestmark = [pytest.mark.integration, pytest.mark.llamacpp]

pytest.importorskip("llama_cpp", reason="needs the 'llamacpp' extra")

BRIDGE = [
    Document(
        id="colour",
        page_content="The Golden Gate Bridge is painted International Orange. The bridge "
        "opened to traffic in 1937 and is a famous landmark of San Francisco.",
        metadata={"score": 0.9},
    ),
    Document(
        id="designer",
        page_content="Joseph Strauss was the chief engineer who designed the Golden Gate "
        "Bridge, with Charles Ellis doing much of the structural calculation.",
        metadata={"score": 0.8},
    ),
    Document(
        id="leave",
        page_content="Vacation days that are not used by the end of the year carry over, "
        "up to five days.",
        metadata={"score": 0.7},
    ),
]


@pytest.fixture(scope="module")
def reranker():
    from retrieval.providers.llamacpp import default_gguf
    from retrieval.query_likelihood import QueryLikelihoodReranker

    r = QueryLikelihoodReranker(gguf_path=default_gguf(), retrieval_weight=0.0)
    r.warm_up()
    return r


@pytest.mark.parametrize(
    "question,first",
    [
        ("Who designed the Golden Gate Bridge?", "designer"),
        ("What colour is the Golden Gate Bridge painted?", "colour"),
        ("How many vacation days carry over?", "leave"),
    ],
)
def test_the_passage_that_answers_the_question_comes_first(reranker, question, first):
    out = reranker.compress_documents(BRIDGE, question)
    assert out[0].id == first
    assert [d.metadata["rank"] for d in out] == [1, 2, 3]
    assert out[0].metadata["rerank_score"] == 1.0
    assert sorted(d.id for d in out) == sorted(d.id for d in BRIDGE)  # nothing lost


def test_likelihood_is_higher_for_the_answering_passage(reranker):
    q = "Who designed the Golden Gate Bridge?"
    assert reranker.likelihood(q, BRIDGE[1].page_content) > reranker.likelihood(
        q, BRIDGE[2].page_content
    )


def test_retrieval_weight_one_keeps_the_retrieval_order(reranker):
    from retrieval.query_likelihood import QueryLikelihoodReranker

    keep = QueryLikelihoodReranker(gguf_path=reranker.gguf_path, retrieval_weight=1.0)
    keep._llm = reranker._llm  # share the loaded model
    out = keep.compress_documents(BRIDGE, "Who designed the Golden Gate Bridge?")
    assert [d.id for d in out] == ["colour", "designer", "leave"]


def test_nothing_to_rerank_is_returned_as_is(reranker):
    assert reranker.compress_documents([], "anything") == []
    assert reranker.compress_documents(BRIDGE[:1], "anything") == BRIDGE[:1]
    assert reranker.compress_documents(BRIDGE, "   ") == BRIDGE


def test_a_missing_model_file_is_a_configuration_error(tmp_path):
    from retrieval.query_likelihood import QueryLikelihoodReranker

    with pytest.raises(ConfigurationError, match="not found"):
        QueryLikelihoodReranker(gguf_path=tmp_path / "nope.gguf")


def test_a_corrupt_model_file_fails_on_load_with_its_name(tmp_path):
    from retrieval.query_likelihood import QueryLikelihoodReranker

    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    r = QueryLikelihoodReranker(gguf_path=bad)
    with pytest.raises(ConfigurationError, match="bad.gguf"):
        r.warm_up()


def test_settings_reject_a_missing_reranker_model(tmp_path):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="GROUNDWORK_RERANKER_GGUF_PATH"):
        Settings(data_dir=tmp_path, reranker_gguf_path=Path(tmp_path / "x.gguf"))
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, reranker="colbert")


@pytest.fixture(scope="module")
def tesla(tmp_path_factory, real_embeddings):
    from tests.conftest import tesla_containers

    return tesla_containers(tmp_path_factory, real_embeddings, "query-likelihood")


def test_answers_cite_the_passage_the_reranker_put_first(tesla):
    plain, reranked = tesla
    question = "Which medal did Tesla receive?"
    answer = reranked.answers.ask(question, "tesla")
    assert not answer.refused
    assert answer.citations[0].source == "medal.md"
    assert "Edison Medal" in answer.answer
    assert reranked.scorer.order_weight > plain.scorer.order_weight == 0.0
