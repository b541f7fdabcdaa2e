"""Markdown, split at headings (markdown-it-py finds them; code fences are respected).
Pipe tables (GitHub style) read as ``Header: value`` rows, so every row keeps its headers."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    Section,
    read_text_file,
    register_loader,
    require_text,
)
from ingest.loaders.tables import table_lines


def _tables(tokens) -> dict[int, tuple[int, list[str]]]:
    """Each pipe table's first line -> (its end line, its rows as header lines)."""
    found: dict[int, tuple[int, list[str]]] = {}
    rows: list[list[str]] = []
    span: list[int] | None = None
    for tok in tokens:
        if tok.type == "table_open" and tok.map:
            span, rows = tok.map, []
        elif tok.type == "tr_open":
            rows.append([])
        elif tok.type == "inline" and span is not None and rows:
            rows[-1].append(" ".join(tok.content.split()))
        elif tok.type == "table_close" and span is not None:
            found[span[0]] = (span[1], table_lines(rows))
            span = None
    return found


@register_loader
class MarkdownLoader(Loader):
    extensions = (".md", ".markdown")
    revision = 2  # pipe tables as header rows

    def load(self, path: Path) -> LoadedDocument:
        from markdown_it import MarkdownIt

        source = read_text_file(path)
        lines = source.splitlines()
        tokens = MarkdownIt("commonmark").enable("table").parse(source)
        tables = _tables(tokens)
        headings: list[tuple[int, int, int, str]] = []  # (first line, end line, level, text)
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and tok.map:
                text = tokens[i + 1].content.strip()
                headings.append((tok.map[0], tok.map[1], int(tok.tag[1]), text))

        sections: list[Section] = []
        stack: list[tuple[int, str]] = []
        title = ""

        def add(start: int, end: int) -> None:
            out: list[str] = []
            n = start
            while n < end:
                if n in tables:
                    table_end, rows = tables[n]
                    out.extend(rows)
                    n = table_end
                    continue
                out.append(lines[n])
                n += 1
            text = "\n".join(out).strip("\n")
            if text.strip():
                sections.append(Section(text, None, [h for _, h in stack]))

        cursor = 0
        for first, end, level, text in headings:
            add(cursor, first)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            if level == 1 and not title:
                title = text
            cursor = end
        add(cursor, len(lines))
        return require_text(LoadedDocument(title=title or path.stem, sections=sections))
