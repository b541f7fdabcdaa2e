"""Where a table row becomes a sentence that stands on its own: ``Header: value; Header:
value.`` Every row carries its headers, so a chunk cut anywhere in a table still says what
each value means (Word and PowerPoint tables, spreadsheets, CSV)."""

from __future__ import annotations

from collections.abc import Sequence


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return " ".join(str(value).split())


def record_line(header: Sequence[str], cells: Sequence[str]) -> str:
    """One row as ``Header: value; ...`` (empty cells left out); "" for an empty row."""
    pairs = []
    for i, value in enumerate(cells):
        if not value:
            continue
        name = header[i] if i < len(header) else ""
        pairs.append(f"{name}: {value}" if name else value)
    if not pairs:
        return ""
    line = "; ".join(pairs)
    return line if line.endswith((".", "!", "?")) else line + "."


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """A small table (first row the header) as one line per body row; a table without a
    body or with one column reads as plain rows."""
    rows = [list(r) for r in rows if any(r)]
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if not body or len(header) < 2:
        return [" | ".join(c for c in r if c) for r in rows]
    return [line for cells in body if (line := record_line(header, cells))]


def dedupe_merged(cells: Sequence[str]) -> list[str]:
    """Merged cells repeat their text in each cell they span: keep it once."""
    out: list[str] = []
    for text in cells:
        if not out or out[-1] != text:
            out.append(text)
    return out
