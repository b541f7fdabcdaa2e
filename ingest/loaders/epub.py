"""E-books (``.epub``: a zip of XHTML chapters): one section group per chapter of the
spine, in reading order, each read by the HTML loader; ``section`` = chapter title."""

from __future__ import annotations

import logging
import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ingest.loaders.archive_guard import check_archive
from ingest.loaders.base import LoadedDocument, Loader, LoadError, register_loader

log = logging.getLogger("groundwork.ingest")
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
MAX_CHAPTER_BYTES = 32 * 2**20


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        return ElementTree.fromstring(archive.read(name))
    except KeyError as exc:
        raise LoadError(f"the e-book is corrupt: {name} is missing") from exc
    except ElementTree.ParseError as exc:
        raise LoadError(f"the e-book is corrupt: {name} is not valid XML") from exc


@register_loader
class EpubLoader(Loader):
    extensions = (".epub",)
    revision = 2  # chapters' data tables as header rows (the HTML loader's revision 2)

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if head.startswith(b"PK\x03\x04") else "not an EPUB (zip) file"

    def load(self, path: Path) -> LoadedDocument:
        from ingest.loaders.html import html_document

        if not zipfile.is_zipfile(path):
            raise LoadError("not an EPUB file (not a zip package): the file is corrupt")
        check_archive(path, "e-book")
        with zipfile.ZipFile(path) as archive:
            if any(i.flag_bits & 0x1 for i in archive.infolist()):
                raise LoadError("the e-book is encrypted (DRM): it cannot be read")
            container = _xml(archive, "META-INF/container.xml")
            rootfile = container.find(".//c:rootfile", _NS)
            if rootfile is None or not rootfile.get("full-path"):
                raise LoadError("the e-book is corrupt: it names no package document")
            opf_path = rootfile.get("full-path", "")
            opf = _xml(archive, opf_path)
            base = posixpath.dirname(opf_path)
            title_el = opf.find(".//dc:title", _NS)
            title = " ".join((title_el.text or "").split()) if title_el is not None else ""
            items = {
                i.get("id"): i.get("href", "") for i in opf.findall(".//opf:manifest/opf:item", _NS)
            }
            spine = [r.get("idref") for r in opf.findall(".//opf:spine/opf:itemref", _NS)]
            sections = []
            for number, idref in enumerate(spine, start=1):
                href = items.get(idref)
                if not href:
                    continue
                name = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    log.info("%s: chapter %s is missing", path.name, name)
                    continue
                if info.file_size > MAX_CHAPTER_BYTES:
                    raise LoadError(f"a chapter of the e-book ({name}) is over 32 MB")
                chapter = html_document(archive.read(name), "")
                heading = chapter.title or next(
                    (s.heading_path[0] for s in chapter.sections if s.heading_path), ""
                )
                heading = heading or f"Chapter {number}"
                for s in chapter.sections:
                    s.name = heading
                    if not s.heading_path or s.heading_path[0] != heading:
                        s.heading_path = [heading, *s.heading_path]
                    sections.append(s)
        sections = [s for s in sections if s.text.strip()]
        if not sections:
            raise LoadError("no text found: the e-book has no readable chapters")
        return LoadedDocument(title or path.stem, sections)
