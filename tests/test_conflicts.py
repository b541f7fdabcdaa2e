"""Two sources that state the same thing with different values are both quoted."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from retrieval.answer.conflicts import NOTE, disagree, sources_disagree
from retrieval.answer.facts import facts, numbers
from retrieval.answer.providers.extractive import ExtractiveProvider
from retrieval.answer.support import SupportScorer
from tests.fakes import HashingEmbeddings

OLD = Document(
    id="a:0",
    page_content="Leave policy 2023. Up to 5 unused vacation days carry over into the next year.",
    metadata={"document_id": "a", "source": "leave-2023.md"},
)
NEW = Document(
    id="b:0",
    page_content="Leave policy 2024. Up to 10 unused vacation days carry over into the next year.",
    metadata={"document_id": "b", "source": "leave-2024.md"},
)
SAME_DOC = Document(
    id="a:1",
    page_content="Up to 8 unused vacation days carry over for part-time staff into the next year.",
    metadata={"document_id": "a", "source": "leave-2023.md"},
)
QUESTION = "How many unused vacation days carry over into the next year?"


def test_numbers_are_read_in_digits_and_words_alike():
    assert numbers("five days, 1,000 euros, 2.50 per cent") == {"5", "1000", "2.5"}
    assert "may" in facts("due on 1 May") and "may" not in facts("staff may carry over")


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (
            "Up to 5 days carry over into next year.",
            "Up to 10 days carry over into next year.",
            True,
        ),
        ("The deadline is 30 June for claims.", "The deadline is 31 July for claims.", True),
        ("Up to 5 days carry over into next year.", "Parking costs 5 euros per day.", False),
        ("Up to 5 days carry over into next year.", "Up to 5 days carry over, we said.", False),
        ("Employees accrue 25 days per year.", "Parking has 12 spaces in the basement.", False),
    ],
)
def test_the_same_statement_with_other_values_disagrees(a, b, expected):
    assert disagree(a, b) is expected


def test_values_the_question_names_are_not_a_disagreement():
    a = "In 2024 the plan covers 80 percent of dental costs."
    b = "In 2023 the plan covers 80 percent of dental costs."
    assert disagree(a, b)
    assert not disagree(a, b, "What did the plan cover in 2023 and 2024?")


def test_the_extractive_answer_quotes_both_documents_that_disagree():
    provider = ExtractiveProvider(SupportScorer(HashingEmbeddings()), max_sentences=1)
    answer = "".join(provider.stream(QUESTION, [OLD, NEW]))
    assert "5 unused" in answer and "10 unused" in answer
    assert "[1]" in answer and "[2]" in answer
    assert sources_disagree(answer, [OLD, NEW], QUESTION)


def test_a_single_document_with_two_values_is_not_a_disagreement_between_sources():
    provider = ExtractiveProvider(SupportScorer(HashingEmbeddings()), max_sentences=1)
    answer = "".join(provider.stream(QUESTION, [OLD, SAME_DOC]))
    assert answer.count("[") == 1  # one sentence: the other document is the same policy
    both = "Up to 5 unused vacation days carry over [1]. Up to 8 unused days carry over [2]."
    assert not sources_disagree(both, [OLD, SAME_DOC], QUESTION)


@pytest.mark.integration
def test_asking_a_collection_whose_policies_disagree_cites_both_and_says_so(
    real_embeddings, tmp_path
):
    from app.container import Container
    from app.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    for doc in (OLD, NEW):
        (docs / doc.metadata["source"]).write_text(
            f"# {doc.page_content.split('.')[0]}\n\n{doc.page_content}\n\n"
            "Vacation requests need two weeks' notice.\n"
        )
    container = Container(
        Settings(data_dir=tmp_path / "data", ingest_workers=0), embeddings=real_embeddings
    )
    container.ingestor.ingest_folder(docs, "company")
    answer = container.answers.ask(QUESTION, "company")
    assert "5 unused" in answer.answer and "10 unused" in answer.answer
    assert {c.source for c in answer.citations} == {"leave-2023.md", "leave-2024.md"}
    assert answer.notes == [NOTE]
    plain = container.answers.ask("How much notice do vacation requests need?", "company")
    assert plain.notes == []
