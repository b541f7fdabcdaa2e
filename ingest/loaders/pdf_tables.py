"""Where a ruled table on a PDF page becomes rows that carry their headers (pdfplumber).

pypdf's text of a table is one cell per line, with the header row once, at the top: a
chunk cut anywhere in it has values without the words that say what they mean. On a page
that draws lines (a ruled table needs them), pdfplumber finds the tables from those lines;
each body row then reads ``Header: value; Header: value.`` like a Word or Excel table,
between the page's other text above and below it. A table that runs on from the page
before (it starts at the top with the same columns, the one before ended at the bottom,
and its first row is data, not the header again) is read with the earlier header.

Pages that draw fewer than ``MIN_PATH_SEGMENTS`` lines or rectangles (or more than
``MAX_PATH_SEGMENTS``: a drawing) are never handed to pdfplumber, so text pages cost
nothing more; a "table" whose cells are mostly empty is crossing lines of a chart or a
form, and is left alone. Anything pdfplumber cannot read leaves the
page as pypdf read it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders.tables import cell_text, table_lines

log = logging.getLogger("groundwork.ingest")
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MIN_PATH_SEGMENTS = 6  # lines ("l") and rectangles ("re") a page must draw to be examined
MAX_PATH_SEGMENTS = 20_000  # more is a drawing or a map, not a page of tables
MIN_FILLED = 0.3  # the share of a table's cells that must hold text
EDGE = 0.2  # a table within this share of the page's top (bottom) starts (ends) there
_PATH = re.compile(rb"[\d.]\s+(?:re|l)\s")


def draws_lines(page) -> bool:
    """Whether a pypdf page's content draws enough lines or rectangles to hold a table."""
    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except Exception:  # a damaged stream: the text layer is what we have
        return False
    return MIN_PATH_SEGMENTS <= len(_PATH.findall(data)) <= MAX_PATH_SEGMENTS


@dataclass
class _Carry:
    """The last table of the previous page, when it ran to the page's bottom."""

    header: list[str]
    last_row: list[str]


def _digits(row: list[str]) -> tuple[bool, ...]:
    return tuple(any(ch.isdigit() for ch in cell) for cell in row)


def _rows(table) -> list[list[str]]:
    """The table's non-empty rows, or [] when its cells are mostly empty or it has fewer
    than two rows of two values: lines that cross, not a table (a chart, a form)."""
    rows = [[cell_text(c) for c in row] for row in table.extract()]
    cells = sum(len(r) for r in rows)
    filled = sum(1 for r in rows for c in r if c)
    if sum(1 for r in rows if sum(1 for c in r if c) >= 2) < 2 or filled < MIN_FILLED * cells:
        return []
    return [r for r in rows if any(r)]


class PdfTables:
    """Table-aware text for the pages of one PDF; open it once, ask per page."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdf = None
        self._carry: _Carry | None = None
        self._carry_page = 0

    def __enter__(self) -> PdfTables:
        return self

    def __exit__(self, *exc) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def page_text(self, number: int) -> str | None:
        """The 1-based page's text with its tables as header rows, or None if it holds no
        table pdfplumber can read (the caller keeps pypdf's text)."""
        try:
            return self._page_text(number)
        except Exception as exc:  # pdfminer's errors are many and undocumented
            log.info("%s: page %d tables not read: %r", self.path.name, number, exc)
            return None

    def _page_text(self, number: int) -> str | None:
        import pdfplumber

        if self._pdf is None:
            self._pdf = pdfplumber.open(str(self.path))
        page = self._pdf.pages[number - 1]
        tables = []
        for table in page.find_tables():
            if rows := _rows(table):
                tables.append((table.bbox, rows))
        continues = self._carry_page == number - 1
        self._carry = self._carry if continues else None
        if not tables:
            self._carry = None
            return None
        tables.sort(key=lambda t: t[0][1])
        outside = page
        for bbox, _ in tables:
            outside = outside.outside_bbox(bbox)
        parts: list[str] = []
        top = 0.0
        for i, (bbox, rows) in enumerate(tables):
            parts.append(_text_between(outside, top, bbox[1]))
            if i == 0 and bbox[1] < EDGE * page.height:
                rows = self._continued(rows)
            parts.extend(table_lines(rows))
            top = bbox[3]
        parts.append(_text_between(outside, top, page.height))
        bbox, rows = tables[-1]
        self._carry = None
        if bbox[3] > (1 - EDGE) * page.height:
            self._carry = _Carry(rows[0], rows[-1])
            self._carry_page = number
        return "\n".join(p for p in parts if p)

    def _continued(self, rows: list[list[str]]) -> list[list[str]]:
        """``rows`` with the header of the table it continues, when it continues one."""
        carry = self._carry
        if carry is None or len(rows[0]) != len(carry.header):
            return rows
        if rows[0] == carry.header:
            return rows  # the header is repeated on each page
        first = _digits(rows[0])
        if first == _digits(carry.last_row) and first != _digits(carry.header):
            return [carry.header, *rows]
        return rows


def _text_between(page, top: float, bottom: float) -> str:
    top, bottom = max(top, page.bbox[1]), min(bottom, page.bbox[3])
    if bottom - top < 1:
        return ""
    region = page.crop((page.bbox[0], top, page.bbox[2], bottom))
    return (region.extract_text() or "").strip()
