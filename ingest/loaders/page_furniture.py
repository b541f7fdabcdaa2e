"""Where running headers and footers are taken off PDF pages.

"Company Confidential", "Annual Report 2026 | Page 7 of 120": lines a PDF repeats at the
top or bottom of every page say nothing about the page, yet they land in its chunks, in
its embeddings and in the snippets citations quote. A line counts as page furniture when
it stands among the first or last ``EDGE_LINES`` lines of at least ``MIN_SHARE`` of the
pages (and of at least ``MIN_PAGES`` of them), either word for word, or with a number that
counts the pages ("Page 3 of 10", "Page 4 of 10": the same words, a number that grows by
one a page). Only those positions are cleaned: the same words in the body of a page stay.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

EDGE_LINES = 2
MIN_PAGES = 3
MIN_SHARE = 0.6
_DIGITS = re.compile(r"\d+")


def _exact(line: str) -> str:
    return " ".join(line.lower().split())


def _masked(line: str) -> str:
    return _DIGITS.sub("#", _exact(line))


def _edges(lines: list[str]) -> set[int]:
    """Indexes of the first and last ``EDGE_LINES`` non-empty lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def _running(split: list[list[str]]) -> tuple[set[str], set[str]]:
    """The exact and the digit-masked forms of the lines that run over the pages."""
    pages = [n for n, lines in enumerate(split) if any(line.strip() for line in lines)]
    needed = max(MIN_PAGES, MIN_SHARE * len(pages))
    exact: Counter[str] = Counter()
    offsets: dict[str, Counter[int]] = defaultdict(Counter)
    for n in pages:
        lines = split[n]
        edge = [lines[i] for i in _edges(lines)]
        exact.update({_exact(line) for line in edge})
        for line in edge:
            numbers = {int(d) for d in _DIGITS.findall(line) if len(d) < 7}
            # a page counter differs from the page's index by the same amount on every page
            offsets[_masked(line)].update({x - n for x in numbers})
    same = {key for key, count in exact.items() if key and count >= needed}
    counted = {key for key, c in offsets.items() if c and c.most_common(1)[0][1] >= needed}
    return same, counted


def strip_running_lines(pages: list[str]) -> list[str]:
    """``pages`` (their text, "" for a page without text) with running headers and footers
    removed; unchanged when the document has fewer than ``MIN_PAGES`` pages of text."""
    split = [page.splitlines() for page in pages]
    if sum(1 for lines in split if any(line.strip() for line in lines)) < MIN_PAGES:
        return pages
    same, counted = _running(split)
    if not same and not counted:
        return pages
    out = []
    for page, lines in zip(pages, split, strict=True):
        drop = {
            i for i in _edges(lines) if _exact(lines[i]) in same or _masked(lines[i]) in counted
        }
        out.append(
            "\n".join(line for i, line in enumerate(lines) if i not in drop) if drop else page
        )
    return out
