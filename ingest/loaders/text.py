"""Plain text files (and logs, reStructuredText and YAML, read as text): one section,
split by the chunker."""

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
class TextLoader(Loader):
    extensions = (".txt", ".text", ".log", ".rst", ".yaml", ".yml")

    def load(self, path: Path) -> LoadedDocument:
        text = read_text_file(path)
        return require_text(LoadedDocument(title=path.stem, sections=[Section(text)]))
