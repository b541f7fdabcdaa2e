"""What every reranker must do (the contract), run against each real implementation:
the cross-encoder (ONNX, always installed) and query likelihood (needs the llamacpp extra)."""

from __future__ import annotations

import importlib.util

import pytest
from langchain_core.documents import Document
from pydantic import Field

from retrieval.rerank.base import Reranker

pytestmark = pytest.mark.integration

HAS_LLAMA = importlib.util.find_spec("llama_cpp") is not None

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

KINDS = [
    "cross-encoder",
    pytest.param(
        "query-likelihood",
        marks=[
            pytest.mark.llamacpp,
            pytest.mark.skipif(not HAS_LLAMA, reason="needs the 'llamacpp' extra"),
        ],
    ),
]


def make(kind: str, **kwargs):
    if kind == "cross-encoder":
        from retrieval.rerank.cross_encoder import CrossEncoderReranker

        return CrossEncoderReranker(**kwargs)
    from retrieval.models.llama import default_gguf
    from retrieval.rerank.query_likelihood import QueryLikelihoodReranker

    return QueryLikelihoodReranker(gguf_path=default_gguf(), **kwargs)


@pytest.fixture(scope="module", params=KINDS)
def reranker(request):
    r = make(request.param, retrieval_weight=0.0)
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
    assert BRIDGE[0].metadata == {"score": 0.9}  # inputs not mutated


@pytest.mark.parametrize("kind", KINDS)
def test_retrieval_weight_one_keeps_the_retrieval_order(kind):
    keep = make(kind, retrieval_weight=1.0)
    out = keep.compress_documents(BRIDGE, "How many vacation days carry over?")
    assert [d.id for d in out] == ["colour", "designer", "leave"]


def test_nothing_to_rerank_is_returned_as_is(reranker):
    assert reranker.compress_documents([], "anything") == []
    assert reranker.compress_documents(BRIDGE[:1], "anything") == BRIDGE[:1]
    assert reranker.compress_documents(BRIDGE, "   ") == BRIDGE


@pytest.mark.parametrize("kind", KINDS)
def test_answers_cite_the_passage_the_reranker_put_first(kind, tmp_path_factory, real_embeddings):
    """Two short documents: one shares the question's words, the other answers it."""
    from app.container import Container
    from app.settings import Settings

    docs = tmp_path_factory.mktemp("tesla-docs")
    (docs / "nobel.md").write_text(
        "# Tesla and the Nobel Prize\n\nIn 1915 newspapers reported that Tesla and Edison "
        "would share the Nobel Prize in Physics. The award was never given to Tesla, and "
        "the prize went to the Braggs instead.\n"
    )
    (docs / "medal.md").write_text(
        "# Honours\n\nIn 1917 the American Institute of Electrical Engineers presented "
        "Tesla with the Edison Medal, its highest honour.\n"
    )
    data = tmp_path_factory.mktemp("tesla-data")
    plain = Container(
        Settings(data_dir=data, ingest_workers=0, reranker="none"), embeddings=real_embeddings
    )
    plain.ingestor.ingest_folder(docs, "tesla")
    reranked = Container(
        Settings(data_dir=data, ingest_workers=0, reranker=kind), embeddings=real_embeddings
    )
    answer = reranked.answers.ask("Which medal did Tesla receive?", "tesla")
    assert not answer.refused
    assert answer.citations[0].source == "medal.md"
    assert "Edison Medal" in answer.answer
    assert reranked.scorer.order_weight > plain.scorer.order_weight == 0.0


class KeywordReranker(Reranker):
    """A scripted reranker: chunks naming ``word`` first; it records how many it read."""

    word: str
    seen: list[int] = Field(default_factory=list)

    def warm_up(self) -> None:
        pass

    def relevance(self, query, passages):
        self.seen.append(len(passages))
        return [float(self.word in p.lower()) for p in passages]


def test_the_reranker_reads_a_deeper_pool_and_the_answer_keeps_top_k(tmp_path):
    from app.container import Container
    from app.settings import Settings
    from retrieval.answer.citations import CitationVerifier
    from retrieval.answer.service import AnswerService
    from tests.conftest import copy_samples
    from tests.fakes import HashingEmbeddings

    c = Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0), embeddings=HashingEmbeddings()
    )
    c.ingestor.ingest_folder(copy_samples(tmp_path / "docs"), "company")
    reranker = KeywordReranker(word="parking", retrieval_weight=0.0)
    service = AnswerService(
        c.retriever,
        c.provider,
        c.scorer,
        CitationVerifier(c.scorer),
        top_k=2,
        reranker=reranker,
        rerank_pool=8,
    )
    events = list(service.stream("How many vacation days carry over?", "company"))
    sources = next(e.data for e in events if e.kind == "sources")
    assert reranker.seen == [8]
    assert len(sources) == 2
    assert "parking" in sources[0].page_content.lower()


def test_passage_window_reads_the_sentences_around_the_question_words():
    from retrieval.rerank.window import passage_window

    filler = [f"Section {i} describes the cafeteria menu for week {i}." for i in range(8)]
    answer = "Up to 5 unused vacation days carry over into the next year."
    text = " ".join(filler[:4] + [answer] + filler[4:])
    assert passage_window("vacation days carry over?", "A short chunk.", 300) == "A short chunk."
    assert passage_window("vacation days carry over?", text, 0) == text  # 0: read it all
    window = passage_window("How many vacation days carry over?", text, 200)
    assert answer in window and len(window) <= 200
    assert window in text  # whole neighbouring sentences, in the text's order
    # one sentence longer than the window is cut at a word boundary
    long = "vacation " * 60
    assert (
        passage_window("vacation", long + ". Other text here.", 50).strip()
        == ("vacation " * 5).strip()
    )


def test_passage_setting_reaches_the_cross_encoder(tmp_path):
    from app.container import Container
    from app.settings import Settings

    reranker = Container(Settings(data_dir=tmp_path, rerank_passage_chars=400)).reranker
    long = "Tesla moved to Colorado Springs in 1899. " + "The lab had tall coils. " * 40
    assert reranker.passage("Where did Tesla move in 1899?", long).startswith("Tesla moved")
    assert len(reranker.passage("Where did Tesla move?", long)) <= 400
    default = Container(Settings(data_dir=tmp_path / "other")).reranker
    assert len(default.passage("Where did Tesla move?", long)) <= 600 < len(long)
    whole = Container(Settings(data_dir=tmp_path / "whole", rerank_passage_chars=0)).reranker
    assert whole.passage("Where did Tesla move?", long) == long  # 0: the whole chunk


@pytest.mark.parametrize(
    "logit,floor,refused",
    [(-5.0, -3.0, True), (5.0, -3.0, False), (-5.0, None, False)],
)
def test_an_answer_the_cross_encoder_reads_as_off_the_question_is_refused(
    tmp_path, logit, floor, refused
):
    """A question whose topic the documents mention without answering it shares words with
    them (the support gate passes); the cross-encoder's reading of the sentence the answer
    would lead with decides."""
    from app.container import Container
    from app.settings import Settings
    from retrieval.answer.citations import CitationVerifier
    from retrieval.answer.service import REFUSAL, AnswerService
    from tests.conftest import copy_samples
    from tests.fakes import HashingEmbeddings

    c = Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0), embeddings=HashingEmbeddings()
    )
    c.ingestor.ingest_folder(copy_samples(tmp_path / "docs"), "company")
    read: list[str] = []

    def relevance(question, passages):
        read.extend(passages)
        return [logit] * len(passages)

    service = AnswerService(
        c.retriever,
        c.provider,
        c.scorer,
        CitationVerifier(c.scorer, relevance=relevance),
        refuse_below_relevance=floor,
    )
    answer = service.ask("How many vacation days carry over?", "company")
    assert answer.refused is refused
    assert (answer.answer == REFUSAL) is refused
    assert read  # the cross-encoder read the candidate sentences either way
