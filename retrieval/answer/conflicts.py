"""Where two sources state the same thing with different facts.

"Up to 5 unused days carry over" (2023 policy) and "Up to 10 unused days carry over" (2024
policy) say the same thing except for the value asked for. The answer then quotes both,
each with its citation, and says that the sources disagree, instead of silently picking one.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.documents import Document

from retrieval import metadata as md
from retrieval.answer.citations import claims
from retrieval.answer.facts import facts
from retrieval.terms import content_terms

NOTE = "The sources disagree on this: each statement is quoted with its source."


def disagree(a: str, b: str, question: str = "", *, min_overlap: float = 0.6) -> bool:
    """``a`` and ``b`` make the same statement (most content words shared) with values that
    differ, ignoring values the question itself names."""
    asked = facts(question)
    fa, fb = facts(a) - asked, facts(b) - asked
    if not (fa - fb and fb - fa):
        return False
    ta = set(content_terms(a)) - fa
    tb = set(content_terms(b)) - fb
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= min_overlap


def sources_disagree(answer: str, sources: Sequence[Document], question: str = "") -> bool:
    """Whether two sentences of ``answer``, cited to different documents, disagree."""
    cited = []
    for claim, numbers in claims(answer):
        docs = {
            str(sources[n - 1].metadata.get(md.DOCUMENT_ID, n))
            for n in numbers
            if 1 <= n <= len(sources)
        }
        cited.append((claim, docs))
    return any(
        da.isdisjoint(db) and disagree(a, b, question)
        for i, (a, da) in enumerate(cited)
        for b, db in cited[i + 1 :]
    )
