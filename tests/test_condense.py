"""Follow-up questions become standalone queries; standalone ones stay as they are."""

import pytest

from retrieval.answer.condense import Turn, is_follow_up, standalone_question

HISTORY = [
    Turn("user", "How long is parental leave for birth parents?"),
    Turn("assistant", "Birth parents receive 16 weeks of fully paid parental leave [1]."),
]


@pytest.mark.parametrize(
    "question",
    [
        "and for non-birth parents?",
        "What about adoptive parents?",
        "Can it be split into blocks?",
        "How is that paid?",
        "Why?",
    ],
)
def test_follow_ups_are_recognised(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "How many vacation days carry over to the next year?",
        "What is the annual deductible of the Silver plan?",
        "Which class can I book for long-haul flights?",
    ],
)
def test_standalone_questions_are_not_follow_ups(question):
    assert not is_follow_up(question)


def test_follow_up_carries_the_topic_it_follows():
    q = standalone_question("and for non-birth parents?", HISTORY)
    assert q.startswith("and for non-birth parents?")
    assert "parental leave" in q


def test_a_chain_of_follow_ups_keeps_the_first_topic():
    history = HISTORY + [Turn("user", "and for non-birth parents?"), Turn("assistant", "...")]
    assert "parental leave" in standalone_question("Can it be split?", history)


def test_a_new_subject_is_searched_alone():
    q = "What is the daily meal allowance when travelling?"
    assert standalone_question(q, HISTORY) == q


def test_no_history_leaves_the_question_alone():
    assert standalone_question("and for non-birth parents?") == "and for non-birth parents?"


def test_an_answer_to_a_follow_up_must_speak_of_what_it_asks():
    from retrieval.answer.condense import follow_up_terms, speaks_of
    from retrieval.terms import content_terms

    asked = "What is the capital of Australia?"
    searched = standalone_question(asked, HISTORY)
    own = follow_up_terms(asked, searched)
    leave = set(content_terms("Birth parents receive 16 weeks of fully paid parental leave."))
    assert searched != asked and not speaks_of(own, leave)
    partner = set(content_terms("Non-birth parents receive 10 weeks of paid leave."))
    assert speaks_of(follow_up_terms("and for non-birth parents?", "x"), partner)
    assert (
        follow_up_terms("How many vacation days carry over?", "How many vacation days carry over?")
        == set()
    )
