"""Word files (python-docx): paragraphs, headings and tables, in document order."""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

from ingest.loaders import tables
from ingest.loaders.archive_guard import check_archive
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    SectionBuilder,
    register_loader,
    require_text,
)
from ingest.loaders.tables import dedupe_merged

log = logging.getLogger("groundwork.ingest")
_HEADING = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


def table_lines(table) -> list[str]:
    """Rows as ``Header: value; Header: value.`` so each row reads as a sentence."""
    rows = [dedupe_merged([" ".join(c.text.split()) for c in row.cells]) for row in table.rows]
    return tables.table_lines(rows)


@register_loader
class DocxLoader(Loader):
    extensions = (".docx",)

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if head.startswith(b"PK\x03\x04") else "not a Word (OOXML zip) file"

    def load(self, path: Path) -> LoadedDocument:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table

        if not zipfile.is_zipfile(path):
            raise LoadError("not a Word .docx file (not a zip package): the file is corrupt")
        check_archive(path, "Word")
        try:
            document = docx.Document(str(path))
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.info("python-docx could not open %s: %r", path.name, exc)
            raise LoadError("the Word file is corrupt: a part of its package is missing") from exc
        except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
            log.info("python-docx could not read %s: %r", path.name, exc)
            raise LoadError("the Word file is corrupt: its XML cannot be read") from exc

        title = (document.core_properties.title or "").strip()
        builder = SectionBuilder()
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for line in table_lines(block):
                    builder.line(line)
                continue
            text = block.text.strip()
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            m = _HEADING.match(style.strip())
            if m:
                level = int(m.group(1)) if m.group(1) else 0
                if level == 0 and not title:
                    title = text
                builder.heading(level, text)
                continue
            builder.line(text)
        builder.flush()
        return require_text(LoadedDocument(title=title or path.stem, sections=builder.sections))
