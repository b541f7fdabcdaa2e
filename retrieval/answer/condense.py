"""Turning a follow-up question into a standalone one before retrieval.

"And for non-birth parents?" means nothing to a search index on its own. A question that
leans on the conversation (it opens with a connective, points back with a pronoun, or
names almost nothing) is searched together with the question it follows; earlier
follow-ups are condensed the same way, so a chain of them keeps its topic. A question
that stands on its own is searched as it is, so changing the subject works too.

The topic only helps the search: the answer must still speak of what the follow-up itself
asks about (``follow_up_terms``). "What is the capital of Australia?" after a question on
parental leave is searched with the topic, but a sentence about parental leave does not
answer it, and the answer is a refusal instead of the previous topic again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from retrieval.terms import content_terms, words

Role = Literal["user", "assistant", "system"]

_CONNECTIVE = re.compile(
    r"^\s*(and|but|or|also|so|then|what about|how about|what if|same|as for|and what about)\b",
    re.IGNORECASE,
)
# words that point back at something said before ("that" and "which" are left out: they
# mostly start relative clauses, "there" mostly means "is there")
_POINTERS = frozenset(
    [
        "it",
        "its",
        "it's",
        "they",
        "them",
        "their",
        "theirs",
        "this",
        "these",
        "those",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
    ]
)


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


def recent_turns(turns: Sequence[Turn], limit: int) -> list[Turn]:
    """The last ``limit`` turns of a conversation (none when ``limit`` is 0)."""
    return list(turns[-limit:]) if limit > 0 else []


def is_follow_up(question: str, min_terms: int = 3) -> bool:
    """Whether ``question`` needs the conversation to be understood."""
    if _CONNECTIVE.match(question):
        return True
    if any(w in _POINTERS for w in words(question)):
        return True
    return len(set(content_terms(question))) < min_terms


def standalone_question(question: str, history: Sequence[Turn] = ()) -> str:
    """``question`` with the topic it follows attached when it is a follow-up."""
    topic = ""
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            topic = _condense(turn.content.strip(), topic)
    return _condense(question.strip(), topic)


def _condense(question: str, topic: str) -> str:
    if not topic or not is_follow_up(question):
        return question
    return f"{question} (follow-up to: {topic})"


def follow_up_terms(asked: str, searched: str) -> set[str]:
    """The content terms an answer to ``asked`` must speak of when it was searched as the
    follow-up ``searched``; empty for a standalone question (nothing extra to check)."""
    if searched == asked:
        return set()
    return set(content_terms(asked))


def speaks_of(terms: set[str], present: set[str], share: float = 0.5) -> bool:
    """Whether at least ``share`` of ``terms`` occur in ``present`` (always, for none)."""
    return not terms or len(terms & present) >= share * len(terms)
