"""OpenDocument text (``.odt``) and presentations (``.odp``): a zip whose ``content.xml``
holds the text (LibreOffice, Google Docs and Collabora save these).

A text document reads like a Word file: headings start sections, tables read as
``Header: value`` rows, lists, text frames and footnotes in document order; tracked
deletions, hidden text and generated indexes (a table of contents) are left out.
A presentation reads like a PowerPoint deck: one section per slide (``page`` = slide
number), its title, then its text boxes and tables top to bottom and left to right, then
its speaker notes. Spreadsheets (``.ods``) are read by the spreadsheet loader.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from ingest.loaders.archive_guard import check_archive
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    SectionBuilder,
    register_loader,
    require_text,
)
from ingest.loaders.pictures import PictureReader
from ingest.loaders.pptx import NOTES
from ingest.loaders.tables import dedupe_merged, table_lines

log = logging.getLogger("groundwork.ingest")

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
XLINK = "{http://www.w3.org/1999/xlink}"

MAX_CONTENT_BYTES = 64 * 2**20  # content.xml; its parsed tree takes several times this
MAX_REPEATED_CELLS = 64  # an empty cell "repeated" 1,000 times to the sheet's edge

# elements whose text is not part of what a reader sees
_SKIPPED = {
    TEXT + "tracked-changes",  # the text of deletions still shown as changes
    TEXT + "table-of-content",  # generated: repeats the headings
    TEXT + "illustration-index",
    TEXT + "table-index",
    TEXT + "alphabetical-index",
    TEXT + "bibliography",
    TEXT + "sequence-decls",
    TEXT + "variable-decls",
    TEXT + "user-field-decls",
    TEXT + "hidden-text",
    TEXT + "hidden-paragraph",
    TEXT + "note-citation",
    OFFICE + "forms",
    OFFICE + "annotation",  # reviewers' comments
    OFFICE + "annotation-end",
    DRAW + "image",
}
# inline elements whose content is read as blocks after the paragraph that holds them
_BLOCKS_IN_LINE = {TEXT + "note", DRAW + "frame", DRAW + "custom-shape", DRAW + "g", DRAW + "a"}
_SPACE = {TEXT + "s", TEXT + "tab", TEXT + "line-break"}
_LENGTH = re.compile(r"^\s*(-?[\d.]+)\s*(cm|mm|in|pt|pc|px)?\s*$")
_TO_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72, "pc": 2.54 / 6, "px": 2.54 / 96}


def _count(value: str | None) -> int:
    """A repeat count or level attribute: a positive integer, 1 when absent or damaged."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _length(value: str | None) -> float:
    m = _LENGTH.match(value or "")
    if not m:
        return 0.0
    try:
        return float(m.group(1)) * _TO_CM[m.group(2) or "cm"]
    except ValueError:
        return 0.0


class _Lines:
    """Collects the lines of one slide (headings are lines there)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.line(text)

    def line(self, text: str) -> None:
        if text:
            self.lines.append(text)


def inline_text(element: ElementTree.Element, later: list[ElementTree.Element]) -> str:
    """The visible text of a paragraph, whitespace collapsed; notes and frames anchored in
    it are appended to ``later`` to be read after it."""
    parts: list[str] = []

    def walk(el: ElementTree.Element) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if child.tag in _SPACE:
                parts.append(" ")
            elif child.tag in _BLOCKS_IN_LINE:
                later.append(child)
            elif child.tag not in _SKIPPED:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())


def table_rows(table: ElementTree.Element) -> list[list[str]]:
    rows: list[list[str]] = []

    def walk(el: ElementTree.Element) -> None:
        for child in el:
            if child.tag == TABLE + "table-row":
                repeat = min(_count(child.get(TABLE + "number-rows-repeated")), 2)
                cells = row_cells(child)
                rows.extend([cells] * (repeat if any(cells) else 1))
            elif child.tag in (
                TABLE + "table-header-rows",
                TABLE + "table-rows",
                TABLE + "table-row-group",
            ):
                walk(child)

    walk(table)
    return rows


def row_cells(row: ElementTree.Element) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag != TABLE + "table-cell":
            continue  # covered cells (under a merged one) hold nothing
        later: list[ElementTree.Element] = []
        lines = [inline_text(p, later) for p in cell.iter() if p.tag in (TEXT + "p", TEXT + "h")]
        text = " ".join(t for t in lines if t)
        repeat = _count(cell.get(TABLE + "number-columns-repeated"))
        cells.extend([text] * max(1, min(repeat, MAX_REPEATED_CELLS if not text else 1)))
    while cells and not cells[-1]:
        cells.pop()
    return dedupe_merged(cells)


PictureText = Callable[[ElementTree.Element], str]


def read_blocks(element: ElementTree.Element, out, pictures: PictureText | None = None) -> None:
    """Headings, paragraphs, lists, tables and frames under ``element``, in order, into
    ``out`` (a ``SectionBuilder`` or ``_Lines``); with ``pictures``, the text it reads in
    each ``draw:image`` where the image stands."""
    for child in element:
        tag = child.tag
        if tag == DRAW + "image" and pictures is not None:
            out.line(pictures(child))
            continue
        if tag in _SKIPPED:
            continue
        if tag in (TEXT + "p", TEXT + "h"):
            later: list[ElementTree.Element] = []
            text = inline_text(child, later)
            if tag == TEXT + "h":
                out.heading(min(_count(child.get(TEXT + "outline-level")), 10), text)
            else:
                out.line(text)
            for block in later:
                if block.tag == TEXT + "note":
                    body = block.find(TEXT + "note-body")
                    if body is not None:
                        read_blocks(body, out, pictures)
                else:
                    read_blocks(block, out, pictures)
        elif tag == TABLE + "table":
            for line in table_lines(table_rows(child)):
                out.line(line)
        else:  # lists, list items, sections, frames, text boxes, groups: read inside
            read_blocks(child, out, pictures)


def _frame_position(frame: ElementTree.Element) -> tuple[float, float]:
    return (_length(frame.get(SVG + "y")), _length(frame.get(SVG + "x")))


def _slide(page: ElementTree.Element, number: int, images: _Pictures) -> Section | None:
    heading = ""
    lines = _Lines()
    frames = [f for f in page if f.tag not in (PRESENTATION + "notes",) and f.tag not in _SKIPPED]
    for frame in sorted(frames, key=_frame_position):
        if frame.get(PRESENTATION + "class") == "title" and not heading:
            title = _Lines()
            read_blocks(frame, title)
            heading = " ".join(title.lines)
            continue
        read_blocks(frame, lines)
    if images.reader.wanted(len(heading.split()) + sum(len(t.split()) for t in lines.lines)):
        for frame in sorted(frames, key=_frame_position):
            for image in frame.iter(DRAW + "image"):
                lines.line(images.text(image))
    notes = page.find(PRESENTATION + "notes")
    note_lines = _Lines()
    if notes is not None:
        for frame in notes:
            if frame.get(PRESENTATION + "class") == "notes":
                read_blocks(frame, note_lines)
    body = ([heading] if heading else []) + lines.lines
    if note_lines.lines:
        body.append(f"{NOTES} {' '.join(note_lines.lines)}")
    if not body:
        return None
    return Section(
        "\n".join(body),
        number,
        [heading] if heading else [],
        ocr_confidence=images.reader.confidence(),
    )


class _Pictures:
    """The pictures of one OpenDocument file, read by OCR from its package on request
    (opened once, at the first picture; closed on leaving the ``with`` block)."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.reader = PictureReader(what)
        self._archive: zipfile.ZipFile | None = None

    def __enter__(self) -> _Pictures:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._archive is not None:
            self._archive.close()

    def text(self, image: ElementTree.Element) -> str:
        href = image.get(XLINK + "href", "")
        if not href or "://" in href:  # a linked picture: not in the package
            return ""
        try:
            if self._archive is None:
                self._archive = zipfile.ZipFile(self.path)
            blob = self._archive.read(href.removeprefix("./"))
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            return ""
        ocr = self.reader.read(blob)
        return ocr.text if ocr is not None else ""


class _OpenDocumentLoader(Loader):
    kind: str  # in messages: "OpenDocument text"
    mimetype: str
    revision = 2  # pictures read by OCR where there is little text
    reads_pictures = True

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if head.startswith(b"PK\x03\x04") else f"not an {cls.kind} (zip) file"

    def _open(self, path: Path) -> tuple[ElementTree.Element, str]:
        """The parsed ``content.xml`` and the title from ``meta.xml``."""
        if not zipfile.is_zipfile(path):
            raise LoadError(f"not an {self.kind} file (not a zip package): the file is corrupt")
        check_archive(path, self.kind)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:200].decode("ascii", "replace").strip()
                if mimetype and mimetype != self.mimetype:
                    raise LoadError(
                        f"the file is not an {self.kind} file: its package says {mimetype}"
                    )
            if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read(
                "META-INF/manifest.xml"
            ):
                raise LoadError(
                    f"the {self.kind} file is password-protected: save it without a "
                    "password to index it"
                )
            try:
                info = archive.getinfo("content.xml")
            except KeyError as exc:
                raise LoadError(f"the {self.kind} file is corrupt: content.xml is missing") from exc
            if info.file_size > MAX_CONTENT_BYTES:
                raise LoadError(
                    f"the {self.kind} file's text (content.xml) is "
                    f"{info.file_size / 2**20:,.0f} MB, over the limit of "
                    f"{MAX_CONTENT_BYTES // 2**20} MB"
                )
            try:
                content = ElementTree.fromstring(archive.read(info))
            except ElementTree.ParseError as exc:
                log.info("%s: content.xml: %r", path.name, exc)
                raise LoadError(f"the {self.kind} file is corrupt: its XML cannot be read") from exc
            except (zipfile.BadZipFile, OSError, EOFError) as exc:  # bad CRC, truncated data
                raise LoadError(f"the {self.kind} file is corrupt: {exc}") from exc
            title = ""
            if "meta.xml" in names:
                try:
                    meta = ElementTree.fromstring(archive.read("meta.xml"))
                    el = meta.find(f".//{DC}title")
                    title = " ".join((el.text or "").split()) if el is not None else ""
                except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError):
                    log.info("%s: meta.xml cannot be read; the title comes from the text", path)
        return content, title

    def _body(self, content: ElementTree.Element, part: str) -> ElementTree.Element:
        body = content.find(f"{OFFICE}body/{OFFICE}{part}")
        if body is None:
            raise LoadError(f"the {self.kind} file holds no {part} body: the file is corrupt")
        return body


@register_loader
class OdtLoader(_OpenDocumentLoader):
    extensions = (".odt",)
    kind = "OpenDocument text"
    mimetype = "application/vnd.oasis.opendocument.text"

    def load(self, path: Path) -> LoadedDocument:
        content, title = self._open(path)
        body = self._body(content, "text")
        builder = SectionBuilder()
        read_blocks(body, builder)
        builder.flush()
        with _Pictures(path, "picture in the document") as images:
            if images.reader.wanted(sum(len(s.text.split()) for s in builder.sections)):
                builder = SectionBuilder()  # a scan pasted into the document: read in place
                read_blocks(body, builder, images.text)
                builder.flush()
                confidence = images.reader.confidence()
                for section in builder.sections:
                    section.ocr_confidence = confidence
        if not title:
            title = next((s.heading_path[0] for s in builder.sections if s.heading_path), "")
        return require_text(LoadedDocument(title=title or path.stem, sections=builder.sections))


@register_loader
class OdpLoader(_OpenDocumentLoader):
    extensions = (".odp",)
    kind = "OpenDocument presentation"
    mimetype = "application/vnd.oasis.opendocument.presentation"

    def load(self, path: Path) -> LoadedDocument:
        content, title = self._open(path)
        pages = self._body(content, "presentation").findall(DRAW + "page")
        with _Pictures(path, "picture on a slide") as images:
            sections = [s for n, page in enumerate(pages, 1) if (s := _slide(page, n, images))]
        if not sections:
            raise LoadError("no text found: the slides are empty (or hold only pictures)")
        if not title and sections[0].heading_path:
            title = sections[0].heading_path[0]
        return LoadedDocument(title or path.stem, sections, page_kind="slide")
