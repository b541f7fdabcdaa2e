"""Answer sentences are checked as claims: the sentence of the source that states them must
answer the question. The three answers a small model got verified before are refused now."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from retrieval.answer.citations import CitationVerifier
from retrieval.answer.claim_check import NO_CLAIM, NOT_IN_SOURCE, OFF_QUESTION, read_claim
from retrieval.answer.support import SupportScorer
from tests.fakes import HashingEmbeddings, ScriptedProvider

HANDBOOK = Document(
    id="h:0",
    page_content=(
        "Full-time employees accrue 25 vacation days per calendar year, credited monthly. "
        "Up to 5 unused vacation days carry over into the next calendar year. "
        "Birth parents receive 16 weeks of fully paid parental leave. "
        "Non-birth parents receive 10 weeks of fully paid parental leave."
    ),
    metadata={"document_id": "h", "source": "handbook.pdf", "page": 2, "start": 0},
)


def verifier() -> CitationVerifier:
    return CitationVerifier(SupportScorer(HashingEmbeddings()))


@pytest.mark.parametrize(
    "sentence",
    [
        "2",
        "The answer is [n].",
        "According to the source, the information is provided.",
        "How long is parental leave for non-birth parents",
    ],
)
def test_sentences_without_a_claim_are_recognised(sentence):
    assert read_claim(sentence, "How long is parental leave for non-birth parents?") is None


def test_a_short_answer_is_read_with_its_question():
    claim = read_claim("10 weeks.", "How long is parental leave for non-birth parents?")
    assert claim is not None and claim.facts == {"10"}


def test_a_true_sentence_that_answers_another_question_is_dropped():
    question = "How long is parental leave for non-birth parents?"
    out = verifier().verify(
        "Non-birth parents receive 10 weeks of paid parental leave [1]. "
        "Full-time employees accrue 25 vacation days per calendar year [1].",
        [HANDBOOK],
        question,
    )
    assert out.text == "Non-birth parents receive 10 weeks of paid parental leave [1]."
    assert out.reasons == [OFF_QUESTION]


def test_a_value_the_aligned_sentence_does_not_hold_is_not_supported():
    question = "How long is parental leave for non-birth parents?"
    # 16 weeks is the birth parents' leave: that sentence does not answer the question
    out = verifier().verify("Non-birth parents receive 16 weeks [1].", [HANDBOOK], question)
    assert out.refused and out.reasons == [OFF_QUESTION]
    out = verifier().verify("Non-birth parents receive 12 weeks [1].", [HANDBOOK], question)
    assert out.refused and out.reasons == [NOT_IN_SOURCE]


def test_facts_scattered_over_a_chunk_do_not_support_a_claim():
    # "25" and "parental leave" are both in the chunk, in different sentences
    out = verifier().verify("Parental leave lasts 25 weeks [1].", [HANDBOOK])
    assert out.refused


def test_citation_offsets_point_at_the_aligned_sentence():
    question = "How long is parental leave for non-birth parents?"
    out = verifier().verify("Non-birth parents get 10 weeks [1].", [HANDBOOK], question)
    (c,) = out.citations
    assert c.snippet == "Non-birth parents receive 10 weeks of fully paid parental leave."
    assert HANDBOOK.page_content[c.start : c.end] == c.snippet


def test_bare_numbers_and_filler_are_dropped():
    out = verifier().verify(
        "2 [1]. 3 [1]. Up to 5 unused vacation days carry over [1]. The answer is [1].",
        [HANDBOOK],
        "How many vacation days can I carry over into the next year?",
    )
    assert out.text == "Up to 5 unused vacation days carry over [1]."
    assert out.reasons == [NO_CLAIM, NO_CLAIM, NO_CLAIM]


# the three answers SmolLM2 gave that the word-overlap check let through (issue 17)
BAD_ANSWERS = [
    (
        "How many vacation days can I carry over into the next year?",
        "2 [1]. 3 [5]. 7 [1]. 14 [4]. 20 [4]. 24 [4]. 25 [3]. 27 [1]. 31 [1].",
    ),
    ("How long is parental leave for non-birth parents?", "The answer is: 25 days [1]."),
    (
        "Who must approve a fully remote work arrangement?",
        "The source that confirms that the company must approve a fully remote work "
        "arrangement is [n] [1].",
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize("question,bad", BAD_ANSWERS)
def test_the_answers_a_small_model_got_verified_are_refused(company, question, bad):
    from retrieval.answer.service import AnswerService

    service = AnswerService(
        company.retriever,
        ScriptedProvider(bad),
        company.scorer,
        company.verifier,
        reranker=company.reranker,
        rerank_pool=company.settings.rerank_pool,
    )
    answer = service.ask(question, "company")
    assert answer.refused, answer.answer


@pytest.mark.integration
def test_a_stream_through_the_openai_face_ends_with_the_verified_answer(company):
    from fastapi.testclient import TestClient
    from openai import OpenAI

    from app.api import create_app
    from app.api.routes.openai_compat import CORRECTED
    from app.container import Container

    text = "Up to 5 unused vacation days carry over into the next calendar year [1]. 25 [1]."
    container = Container(
        company.settings, embeddings=company.embeddings, provider=ScriptedProvider(text)
    )
    container.chroma_client = company.chroma_client
    with TestClient(create_app(container=container)) as http:
        client = OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=http)
        chunks = list(
            client.chat.completions.create(
                model="company",
                messages=[{"role": "user", "content": "How many vacation days carry over?"}],
                stream=True,
            )
        )
    shown = "".join(c.choices[0].delta.content or "" for c in chunks)
    verified = chunks[-1].model_extra["answer"]
    assert "25 [1]" not in verified and "5 unused vacation days" in verified
    assert shown.endswith(f"{CORRECTED}\n{verified}")
    assert any("removed" in note for note in chunks[-1].model_extra["notes"])
