"""PowerPoint decks (python-pptx): one section per slide, ``page`` = slide number.

A slide reads as its title, then its text boxes and tables top to bottom, left to right
(tables as ``Header: value`` rows), then its speaker notes, marked as notes."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ingest.loaders.archive_guard import check_archive
from ingest.loaders.base import LoadedDocument, Loader, LoadError, Section, register_loader
from ingest.loaders.tables import dedupe_merged, table_lines

log = logging.getLogger("groundwork.ingest")
NOTES = "Speaker notes:"


def _position(shape) -> tuple[int, int]:
    return (shape.top or 0, shape.left or 0)


def _shape_lines(shape, skip) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_id == skip:
        return []
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        lines = []
        for inner in sorted(shape.shapes, key=_position):
            lines.extend(_shape_lines(inner, skip))
        return lines
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [
            dedupe_merged([" ".join(c.text.split()) for c in r.cells]) for r in shape.table.rows
        ]
        return table_lines(rows)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines = []
        for paragraph in shape.text_frame.paragraphs:
            text = " ".join("".join(run.text for run in paragraph.runs).split())
            if text:
                lines.append(text)
        return lines
    return []


@register_loader
class PptxLoader(Loader):
    extensions = (".pptx",)

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if head.startswith(b"PK\x03\x04") else "not a PowerPoint (OOXML zip) file"

    def load(self, path: Path) -> LoadedDocument:
        from pptx import Presentation
        from pptx.exc import PackageNotFoundError

        if not zipfile.is_zipfile(path):
            raise LoadError("not a PowerPoint .pptx file (not a zip package): the file is corrupt")
        check_archive(path, "PowerPoint")
        try:
            deck = Presentation(str(path))
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.info("python-pptx could not open %s: %r", path.name, exc)
            raise LoadError("the PowerPoint file is corrupt: a part of it is missing") from exc
        except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
            log.info("python-pptx could not read %s: %r", path.name, exc)
            raise LoadError("the PowerPoint file is corrupt: its XML cannot be read") from exc
        title = (deck.core_properties.title or "").strip()
        sections = []
        for number, slide in enumerate(deck.slides, start=1):
            heading = ""
            skip = None
            if slide.shapes.title is not None:
                heading = " ".join(slide.shapes.title.text.split())
                skip = slide.shapes.title.shape_id
            lines = [heading] if heading else []
            for shape in sorted(slide.shapes, key=_position):
                lines.extend(_shape_lines(shape, skip))
            if slide.has_notes_slide:
                frame = slide.notes_slide.notes_text_frame
                notes = " ".join((frame.text if frame is not None else "").split())
                if notes:
                    lines.append(f"{NOTES} {notes}")
            if lines:
                path_ = [heading] if heading else []
                sections.append(Section("\n".join(lines), number, path_))
            if number == 1 and not title and heading:
                title = heading
        if not sections:
            raise LoadError("no text found: the slides are empty (or hold only pictures)")
        return LoadedDocument(title or path.stem, sections, page_kind="slide")
