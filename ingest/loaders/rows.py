"""Where rows of a sheet or a CSV file become text: a header row is found, and each row
after it reads as ``Header: value; Header: value.`` (see ``tables``), one line per row,
so every chunk of a long sheet carries its headers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ingest.loaders.base import LoadError
from ingest.loaders.tables import cell_text, record_line

LOOK_AHEAD = 20  # rows read to find the header row


def _is_header(cells: Sequence[str], widest: int) -> bool:
    filled = [c for c in cells if c]
    if len(filled) < max(2, widest // 2):
        return False
    # a header names things: at most one of its cells is a number
    numeric = sum(1 for c in filled if c.replace(".", "", 1).replace(",", "").lstrip("-").isdigit())
    return numeric <= 1


def row_lines(
    rows: Iterable[Sequence[object]], max_rows: int, what: str = "sheet"
) -> Iterator[str]:
    """Lines for ``rows``: rows above the header (a title, notes) as plain text, then one
    ``Header: value`` line per row. Empty rows and cells are left out; more than
    ``max_rows`` rows fail the file (GROUNDWORK_MAX_ROWS)."""
    it = iter(rows)
    head: list[list[str]] = []
    for raw in it:
        head.append([cell_text(v) for v in raw])
        if len(head) >= LOOK_AHEAD:
            break
    widest = max((sum(1 for c in r if c) for r in head), default=0)
    header: list[str] | None = None
    count = 0

    def emit(cells: list[str]) -> Iterator[str]:
        nonlocal header, count
        if not any(cells):
            return
        count += 1
        if count > max_rows:
            raise LoadError(
                f"the {what} has more than {max_rows:,} rows, over the limit (GROUNDWORK_MAX_ROWS)"
            )
        if header is None:
            if _is_header(cells, widest):
                header = cells
                return
            yield " | ".join(c for c in cells if c)
            return
        if line := record_line(header, cells):
            yield line

    for cells in head:
        yield from emit(cells)
    for raw in it:
        yield from emit([cell_text(v) for v in raw])
