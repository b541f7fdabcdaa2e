"""Split chunk text into sentences with character offsets (pysbd, plus line structure).

Offsets index the original text, so a sentence can be quoted and located exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# an abbreviation the segmenter ends a sentence at when a number or a lowercase word follows
# ("ca. 2 million", "see Fig. 3", "approx. 40 staff")
_ABBREVIATION_END = re.compile(
    r"(?:^|[\s(])(?:ca|c|approx|est|no|nos|vol|pp|p|fig|figs|cf|vs|incl|ref|sec|ch|art)\.$",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"^[\d(a-z]")
_LIST_START = re.compile(r"^\s*(?:[-*•▪◦]|\d{1,3}[.)]|[A-Za-z][.)])\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _line_blocks(text: str, base: int) -> list[tuple[int, int]]:
    """Break a paragraph at lines that are list items, table rows or label lines."""
    blocks: list[tuple[int, int]] = []
    start = 0
    pos = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        line_end = pos + len(line)
        if i + 1 < len(lines):
            nxt = lines[i + 1]
            stripped = line.rstrip()
            boundary = (
                _LIST_START.match(nxt) is not None
                or "|" in stripped
                or "|" in nxt
                or stripped.endswith(":")
                or stripped == ""
                or (stripped.endswith((".", "!", "?")) and nxt[:1].isupper())
            )
            if boundary:
                blocks.append((base + start, base + line_end))
                start = line_end + 1
        pos = line_end + 1
    blocks.append((base + start, base + len(text)))
    return blocks


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text``, trimmed, in order, each with ``text[start:end] == span.text``.

    One answer splits the same retrieved chunks several times (support scores, the claim
    check, the citations) and popular chunks come back in later answers; the segmenter
    takes about 10 ms a chunk here, so recent results are kept."""
    return list(_split(text))


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    seg = _segmenter()
    para_start = 0
    paragraphs = []
    for m in _PARAGRAPH.finditer(text):
        paragraphs.append((para_start, m.start()))
        para_start = m.end()
    paragraphs.append((para_start, len(text)))
    for p_start, p_end in paragraphs:
        for b_start, b_end in _line_blocks(text[p_start:p_end], p_start):
            block = text[b_start:b_end]
            if not block.strip():
                continue
            flat = block.replace("\n", " ")
            for piece in seg.segment(flat):
                s, e = b_start + piece.start, b_start + piece.end
                raw = text[s:e]
                lead = len(raw) - len(raw.lstrip())
                trail = len(raw) - len(raw.rstrip())
                s, e = s + lead, e - trail
                if e <= s:
                    continue
                prev = spans[-1] if spans else None
                if (
                    prev is not None
                    and prev.start >= b_start
                    and _ABBREVIATION_END.search(prev.text)
                    and _CONTINUES.match(text[s:e])
                ):
                    spans[-1] = Span(prev.start, e, text[prev.start : e])
                else:
                    spans.append(Span(s, e, text[s:e]))
    return tuple(spans)
