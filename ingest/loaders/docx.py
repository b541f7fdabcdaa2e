"""Word files (python-docx): paragraphs, headings and tables, in document order.

python-docx's own walk skips what templates and reviews put around text: content
controls (``w:sdt``, the fields of forms and policy templates), tracked insertions
(``w:ins``) and text boxes. The body is walked here instead: content controls are read
through, inserted text is kept and deleted text left out, and a text box's paragraphs
follow the paragraph that anchors it (once: Word stores each box twice, for new and
for old readers, and the old copy is skipped). Footnotes and endnotes follow the
paragraph that refers to them."""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

from ingest.loaders import tables
from ingest.loaders.archive_guard import check_archive, not_a_package
from ingest.loaders.base import (
    OLE_MAGIC,
    LoadedDocument,
    Loader,
    LoadError,
    SectionBuilder,
    register_loader,
    require_text,
)
from ingest.loaders.pictures import PictureReader
from ingest.loaders.tables import dedupe_merged

log = logging.getLogger("groundwork.ingest")
_HEADING = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SPACES = {W + "tab", W + "br", W + "cr"}
_NOT_TEXT = {W + "del", W + "moveFrom", MC_FALLBACK, W + "txbxContent"}
_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo"}


def paragraph_text(p) -> tuple[str, list]:
    """A ``w:p`` element's visible text (whitespace collapsed) and the ``w:txbxContent``
    elements of the text boxes anchored in it."""
    parts: list[str] = []
    boxes: list = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in _SPACES:
                parts.append(" ")
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag not in _NOT_TEXT:
                walk(child)

    walk(p)
    return " ".join("".join(parts).split()), boxes


_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"  # pictures of older Word versions
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def paragraph_pictures(p) -> list[str]:
    """The relationship ids of the pictures a ``w:p`` element shows, in order (not those
    of its text boxes, read with the box, nor the copies kept for old readers)."""
    found: list[str] = []

    def walk(el) -> None:
        for child in el:
            if child.tag == _BLIP:
                found.append(child.get(_REL + "embed", ""))
            elif child.tag == _IMAGEDATA:
                found.append(child.get(_REL + "id", ""))
            elif child.tag not in _NOT_TEXT:
                walk(child)

    walk(p)
    return [rid for rid in found if rid]


def notes(document) -> dict[tuple[str, str], list]:
    """Footnotes and endnotes by (kind, id): their paragraphs (``w:p`` elements)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    found: dict[tuple[str, str], list] = {}
    for rel in document.part.rels.values():
        kind = {RT.FOOTNOTES: "footnote", RT.ENDNOTES: "endnote"}.get(rel.reltype)
        if kind is None or rel.is_external:
            continue
        try:
            root = parse_xml(rel.target_part.blob)
        except Exception as exc:  # a damaged notes part: the body is still read
            log.info("the %ss cannot be read: %r", kind, exc)
            continue
        for note in root.iterchildren(W + kind):
            if note.get(W + "type") in (None, "normal"):
                found[(kind, note.get(W + "id", ""))] = list(note.iter(W + "p"))
    return found


def note_references(p) -> list[tuple[str, str]]:
    """The (kind, id) of each footnote and endnote a paragraph refers to, in order."""
    refs = []
    for el in p.iter(W + "footnoteReference", W + "endnoteReference"):
        kind = "footnote" if el.tag == W + "footnoteReference" else "endnote"
        refs.append((kind, el.get(W + "id", "")))
    return refs


def body_blocks(container, parent):
    """The paragraphs and tables under ``container``, in order, content controls and
    tracked insertions read through."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container:
        if child.tag == W + "p":
            yield Paragraph(child, parent)
        elif child.tag == W + "tbl":
            yield Table(child, parent)
        elif child.tag in _WRAPPERS:
            yield from body_blocks(child, parent)


def table_lines(table) -> list[str]:
    """Rows as ``Header: value; Header: value.`` so each row reads as a sentence."""
    rows = [dedupe_merged([" ".join(c.text.split()) for c in row.cells]) for row in table.rows]
    return tables.table_lines(rows)


@register_loader
class DocxLoader(Loader):
    extensions = (".docx",)
    revision = 3  # content controls, tracked insertions, text boxes, notes; pictures by OCR
    reads_pictures = True

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        if head.startswith((b"PK\x03\x04", OLE_MAGIC)):  # OLE: encrypted or 97-2003, told on load
            return None
        return "not a Word (OOXML zip) file"

    def load(self, path: Path) -> LoadedDocument:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        if not zipfile.is_zipfile(path):
            corrupt = "not a Word .docx file (not a zip package): the file is corrupt"
            raise LoadError(not_a_package(path, "Word", corrupt))
        check_archive(path, "Word")
        try:
            document = docx.Document(str(path))
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.info("python-docx could not open %s: %r", path.name, exc)
            raise LoadError("the Word file is corrupt: a part of its package is missing") from exc
        except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
            log.info("python-docx could not read %s: %r", path.name, exc)
            raise LoadError("the Word file is corrupt: its XML cannot be read") from exc

        pictures = PictureReader("picture in the Word file")
        sections = self._read(document, None)
        words = sum(len(s.text.split()) for s in sections)
        if pictures.wanted(words):  # a scan pasted into Word: read it where it stands
            sections = self._read(document, pictures)
        title = (document.core_properties.title or "").strip() or _first_title(document)
        if not sections and pictures.opts.ocr == "off" and _has_pictures(document):
            raise LoadError("no text found: the document holds only pictures and OCR is off")
        return require_text(LoadedDocument(title=title or path.stem, sections=sections))

    @staticmethod
    def _read(document, pictures: PictureReader | None) -> list:
        """The document's sections; with ``pictures``, what OCR reads in each picture
        follows the paragraph that shows it."""
        from docx.table import Table

        builder = SectionBuilder()
        footnotes = notes(document)

        def read(container) -> None:
            for block in body_blocks(container, document._body):
                if isinstance(block, Table):
                    for line in table_lines(block):
                        builder.line(line)
                    continue
                text, boxes = paragraph_text(block._p)
                style = (block.style.name if block.style is not None else "") or ""
                m = _HEADING.match(style.strip())
                if m and text:
                    builder.heading(int(m.group(1)) if m.group(1) else 0, text)
                elif text:
                    builder.line(text)
                if pictures is not None:
                    for rid in paragraph_pictures(block._p):
                        part = document.part.related_parts.get(rid)
                        ocr = pictures.read(part.blob) if part is not None else None
                        if ocr is not None:
                            builder.line(ocr.text)
                for box in boxes:
                    read(box)
                for ref in note_references(block._p):  # a note follows what it annotates
                    for p in footnotes.pop(ref, []):
                        builder.line(paragraph_text(p)[0])

        read(document.element.body)
        builder.flush()
        confidence = pictures.confidence() if pictures is not None else None
        if confidence is not None:  # pictures were read: the sections carry OCR's confidence
            for section in builder.sections:
                section.ocr_confidence = confidence
        return builder.sections


def _has_pictures(document) -> bool:
    return any(paragraph_pictures(p) for p in document.element.body.iter(W + "p"))


def _first_title(document) -> str:
    """The text of the first paragraph styled "Title" (the document's title when its
    properties name none)."""
    for block in body_blocks(document.element.body, document._body):
        style = getattr(block, "style", None)
        name = ((style.name if style is not None else "") or "").strip().lower()
        if name == "title":
            text = paragraph_text(block._p)[0]
            if text:
                return text
    return ""
