"""The checkable facts of a sentence: numbers (digits or words), years, dates and names.

A claim's facts must occur in the source sentence that supports it; two sources that state
the same thing with different facts disagree.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000", "dozen": "12", "once": "1", "twice": "2",
    "half": "0.5", "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
}  # fmt: skip
_MONTHS = frozenset(
    ["january", "february", "march", "april", "june", "july", "august"]
    + ["september", "october", "november", "december"]
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])|\d+", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})\b")


def numbers(text: str) -> set[str]:
    """Numbers as canonical strings: "1,000" and "1000" are one; "five" is "5"."""
    found = set()
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        if re.fullmatch(r"\d{1,3}(,\d{3})+", raw):
            raw = raw.replace(",", "")
        raw = raw.replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", raw) else raw
        found.add(raw.rstrip("0").rstrip(".") if "." in raw else raw.lstrip("0") or "0")
    for w in _WORD.findall(text.lower()):
        if w in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[w])
    return found


_MAY = re.compile(r"\bmay\s+\d|\d(?:st|nd|rd|th)?\s+may\b|\bin\s+may\b", re.IGNORECASE)


def months(text: str) -> set[str]:
    """Month names; "may" only where it is the month ("1 May", "May 3", "in May")."""
    found = {w for w in _WORD.findall(text.lower()) if w in _MONTHS}
    return found | {"may"} if _MAY.search(text) else found


def names(text: str) -> set[str]:
    """Capitalised words inside a sentence (not its first word): names of people, places,
    organisations and products, lower-cased."""
    out = set()
    for span in re.split(r"(?<=[.!?])\s+", text.strip()):
        out.update(m.group(0).lower() for m in _NAME.finditer(span) if m.start() > 0)
    return out


def tokens(text: str) -> set[str]:
    """Lower-cased runs of letters and digits (apostrophes split them): what ``names``
    are looked up in."""
    return set(_TOKEN.findall(text.lower()))


def facts(text: str) -> set[str]:
    """Numbers and months: the values a claim can get wrong while keeping its words."""
    return numbers(text) | months(text)
