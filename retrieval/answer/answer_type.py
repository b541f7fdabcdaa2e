"""What kind of answer a question expects, and whether a sentence offers one.

"How many days…?" wants a number, "When…?" a date or time. A sentence that offers the
expected kind of answer is a better answer candidate than one that only repeats the
question's words.
"""

from __future__ import annotations

import re

_NUMBER_Q = re.compile(
    r"\b(how (many|much|long|tall|old|far|big|large|high|wide|deep|often|heavy|fast)|"
    r"what (percentage|percent|number|amount|size|age|length|height|share|fraction)|"
    r"how many)\b",
    re.IGNORECASE,
)
_TIME_Q = re.compile(
    r"\b(when|what (year|date|day|month|time|century|decade)|which year)\b", re.IGNORECASE
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half|once|twice)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(1[0-9]{3}|20[0-9]{2}|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"century|decade|daily|weekly|monthly|annually|yearly|morning|evening|"
    r"\d{1,2}:\d{2}|(before|after|until|by|within|during) [a-z0-9])\b",
    re.IGNORECASE,
)


def expected_type(question: str) -> str | None:
    if _TIME_Q.search(question):
        return "time"
    if _NUMBER_Q.search(question):
        return "number"
    return None


def offers(sentence: str, kind: str | None, question: str = "") -> bool:
    """Does ``sentence`` hold an answer of ``kind`` that the question does not already hold?"""
    if kind is None:
        return False
    pattern = _TIME if kind == "time" else _NUMBER
    asked = {m.group(0).lower() for m in pattern.finditer(question)}
    return any(m.group(0).lower() not in asked for m in pattern.finditer(sentence))
