"""Split chunk text into sentences with character offsets (pysbd, plus line structure).

Offsets index the original text, so a sentence can be quoted and located exactly.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


_LOCAL = threading.local()


def _segmenter():
    """This thread's segmenter: pysbd keeps the text being split on the segmenter
    (``self.original_text``), so one shared by threads (the API answers on several)
    can give a sentence the offsets of another thread's text, or none."""
    seg = getattr(_LOCAL, "segmenter", None)
    if seg is None:
        import pysbd

        class Segmenter(pysbd.Segmenter):
            def sentences_with_char_spans(self, sentences):
                if not all(sentences):  # an empty pattern matches between characters
                    return super().sentences_with_char_spans(sentences)
                return _literal_char_spans(self.original_text, sentences)

        seg = _LOCAL.segmenter = Segmenter(language="en", clean=False, char_span=True)
    return seg


def _literal_char_spans(text: str, sentences: list[str]) -> list:
    """pysbd's ``sentences_with_char_spans`` for non-empty sentences, found with
    ``str.find``.

    pysbd locates each sentence with a regular expression made of the sentence itself
    (``re.escape(sentence) + r"\s*"``): every sentence is a new pattern to compile, a
    third of the segmenter's time, and each one pushes a pattern out of ``re``'s cache.
    This walks the same matches: the leftmost non-overlapping occurrences, each with the
    whitespace after it, the first that ends past the previous sentence."""
    from pysbd.utils import TextSpan

    spans = []
    prior_end = 0
    for sent in sentences:
        pos = 0
        while (start := text.find(sent, pos)) >= 0:
            end = start + len(sent)
            while end < len(text) and text[end].isspace():
                end += 1
            if end > prior_end:
                spans.append(TextSpan(text[start:end], start, end))
                prior_end = end
                break
            pos = end
    return spans


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
    takes about 10 ms a chunk here, so recent results are kept, and splits stored at
    ingest can be put in front of it (``remember``)."""
    found = _CACHE.get(text)
    if found is None:
        found = _split(text)
        _CACHE.put(text, found)
    return list(found)


def offsets(spans: Iterable[Span]) -> list[tuple[int, int]]:
    """``(start, end)`` of each span: what ``remember`` takes back."""
    return [(s.start, s.end) for s in spans]


def remember(text: str, bounds: Sequence[tuple[int, int]]) -> bool:
    """Cache ``text``'s sentences as ``offsets(split_sentences(text))`` once gave them (for
    example, stored at ingest), so that splitting it again is a lookup. Offsets that do
    not fit ``text`` (out of order, out of range, untrimmed) are refused: False."""
    spans: list[Span] = []
    last = 0
    for start, end in bounds:
        piece = text[start:end] if 0 <= last <= start < end <= len(text) else ""
        if not piece or piece != piece.strip():
            return False
        spans.append(Span(start, end, piece))
        last = end
    _CACHE.put(text, tuple(spans))
    return True


def is_cached(text: str) -> bool:
    return _CACHE.get(text) is not None


class _Recent:
    """The splits of the last ``size`` texts (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[Span, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> tuple[Span, ...] | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, spans: tuple[Span, ...]) -> None:
        with self._lock:
            self._items[text] = spans
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_CACHE = _Recent(4096)


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
