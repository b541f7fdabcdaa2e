"""Citation markers in answer text: ``[n]`` refers to the n-th numbered source.

One rule for placing them: before the sentence's closing punctuation (and any closing
quote or bracket after it), so "It carries over [1]." rather than "It carries over. [1]".
"""

from __future__ import annotations

import re

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
ONLY_MARKERS = re.compile(r"^(\s*\[\d{1,3}\])+\s*[.!?]?\s*$")
_CLOSING = re.compile(r"[.!?]+[\"')\]]*$")


def with_markers(text: str, numbers: list[int]) -> str:
    """``text`` with ``[n]`` markers for ``numbers`` placed before its closing punctuation."""
    marks = "".join(f"[{n}]" for n in numbers)
    if not marks:
        return text
    m = _CLOSING.search(text)
    if m:
        return f"{text[: m.start()]} {marks}{text[m.start() :]}"
    return f"{text} {marks}"
