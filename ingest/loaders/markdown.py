"""Markdown, split at headings (markdown-it-py finds them; code fences are respected)."""

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


@register_loader
class MarkdownLoader(Loader):
    extensions = (".md", ".markdown")

    def load(self, path: Path) -> LoadedDocument:
        from markdown_it import MarkdownIt

        source = read_text_file(path)
        lines = source.splitlines()
        tokens = MarkdownIt("commonmark").parse(source)
        headings: list[tuple[int, int, int, str]] = []  # (first line, end line, level, text)
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and tok.map:
                text = tokens[i + 1].content.strip()
                headings.append((tok.map[0], tok.map[1], int(tok.tag[1]), text))

        sections: list[Section] = []
        stack: list[tuple[int, str]] = []
        title = ""

        def add(start: int, end: int) -> None:
            text = "\n".join(lines[start:end]).strip("\n")
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
