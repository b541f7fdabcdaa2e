"""What a loader returns, and the registry that picks a loader for a file."""

from __future__ import annotations

import codecs
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ingest.loaders.options import LoadOptions


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound files: Office 97-2003,
# Outlook messages, and Office files saved with a password


class LoadError(Exception):
    """A file that cannot be read; the message is the reason shown to the user."""


@dataclass
class Section:
    """A unit that chunks never cross: a page, a slide, a sheet, or the text under one
    heading."""

    text: str
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)
    name: str = ""  # the sheet, chapter or e-mail subject it belongs to
    ocr_confidence: float | None = None  # set when OCR read the text: its mean confidence
    part: str = ""  # an attachment's file name: its chunks cite "<file>/<part>"
    page_kind: str = ""  # what ``page`` counts here, when not the document's (attachments)


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section]
    page_kind: str = "page"  # what a section's ``page`` counts: page, slide or frame

    @property
    def ocr_pages(self) -> int:
        return len({(s.part, s.page) for s in self.sections if s.ocr_confidence is not None})


class SectionBuilder:
    """Collects lines under the current heading path; a heading starts a new section."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._stack: list[tuple[int, str]] = []
        self._lines: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        if text:
            self._stack.append((level, text))

    def line(self, text: str) -> None:
        if text:
            self._lines.append(text)

    def flush(self) -> None:
        if self._lines:
            self.sections.append(Section("\n".join(self._lines), None, [h for _, h in self._stack]))
            self._lines = []


class Loader(ABC):
    extensions: ClassVar[tuple[str, ...]]
    # bumped when the loader reads files differently (tables, furniture): a document
    # read under another revision is read again by the next ingest of its folder
    revision: ClassVar[int] = 1
    # reads pictures by OCR (``ingest/loaders/pictures.py``): turning OCR on or off reads
    # its documents again on the next ingest
    reads_pictures: ClassVar[bool] = False

    @classmethod
    def reading(cls, options: LoadOptions) -> str:
        """How this loader reads with ``options``, stored with each document it read;
        "" for revision 1 with options that change nothing (no re-read on upgrade)."""
        tag = "" if cls.revision == 1 else f"{cls.__name__} {cls.revision}"
        return f"{tag} ocr={options.ocr}" if cls.reads_pictures else tag

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        """Why the first bytes of a file cannot be this format, or None if they can.

        A cheap check before anything is stored (uploads); text formats by default."""
        if b"\x00" in head and not head.startswith(tuple(bom for bom, _ in _BOMS)):
            return "the file holds binary data, not text"
        return None

    @abstractmethod
    def load(self, path: Path) -> LoadedDocument:
        """Parse ``path``; raise ``LoadError`` with a reason a user understands."""


_REGISTRY: dict[str, type[Loader]] = {}


def register_loader(cls: type[Loader]) -> type[Loader]:
    for ext in cls.extensions:
        _REGISTRY[ext.lower()] = cls
    return cls


def supported_extensions() -> list[str]:
    return sorted(_REGISTRY)


def loader_for(path: Path) -> Loader | None:
    cls = _REGISTRY.get(path.suffix.lower())
    return cls() if cls else None


# formats seen often enough in company folders to deserve a better reason than "unsupported"
LEGACY_FORMATS = {
    ".doc": "a legacy Word 97-2003 file (.doc): save it as .docx or PDF",
    ".ppt": "a legacy PowerPoint 97-2003 file (.ppt): save it as .pptx or PDF",
    ".pps": "a legacy PowerPoint 97-2003 show (.pps): save it as .pptx or PDF",
    ".pages": "an Apple Pages file: export it as .docx or PDF",
    ".key": "an Apple Keynote file: export it as .pptx or PDF",
    ".numbers": "an Apple Numbers file: export it as .xlsx or CSV",
}


def reading_config(fingerprint: str, path: Path, options: LoadOptions) -> str:
    """The configuration a document is written under: the index's ``fingerprint`` (chunking,
    embedding model) and how its loader reads it. A change of either reads it again."""
    cls = _REGISTRY.get(path.suffix.lower())
    tag = cls.reading(options) if cls else ""
    return f"{fingerprint}|{tag}" if tag else fingerprint


def unsupported_reason(path: Path | str) -> str:
    """Why a file of this type is not read, naming what to convert it to where we know."""
    suffix = Path(path).suffix.lower()
    if suffix in LEGACY_FORMATS:
        return f"unsupported file type: {LEGACY_FORMATS[suffix]}"
    return f"unsupported file type {suffix or '(none)'}"


def check_upload(filename: str, head: bytes) -> str | None:
    """Why a file with this name and these first bytes is not accepted, or None."""
    cls = _REGISTRY.get(Path(filename).suffix.lower())
    if cls is None:
        return f"{unsupported_reason(filename)}; accepted: {', '.join(supported_extensions())}"
    if not head:
        return "the file is empty"
    reason = cls.check_content(head)
    return f"the content does not match {Path(filename).suffix}: {reason}" if reason else None


_BOMS = [  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
NOT_TEXT = "the file is not text (binary data or an unknown encoding)"


def _guessed_encoding(data: bytes) -> str:
    """The encoding charset-normalizer finds for bytes that are not UTF-8."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise LoadError(NOT_TEXT)
    # single-byte code pages often decode the same bytes equally cleanly; among equals
    # prefer Windows-1252, the Western European one most office files use
    western = [m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos]
    return (western[0] if western else best).encoding


def text_encoding(data: bytes) -> str:
    """The encoding ``decode_text`` reads ``data`` with (a sample is enough for a stream)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data[:4096]:
        raise LoadError(NOT_TEXT)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _guessed_encoding(data)
    return "utf-8"


def decode_text(data: bytes) -> str:
    """Text from bytes: a byte-order mark (UTF-8/16/32) decides; else UTF-8; else the
    encoding charset-normalizer finds. Binary data or text that would decode to mostly
    control characters raises ``LoadError`` ("not text")."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise LoadError(f"the file is damaged {encoding.upper()} text") from None
    if b"\x00" in data[:4096]:
        raise LoadError(NOT_TEXT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode(_guessed_encoding(data))
    sample = text[:20_000]
    controls = sum(1 for ch in sample if not ch.isprintable() and ch not in "\n\r\t\f\v")
    if sample and controls / len(sample) > 0.05:
        raise LoadError(NOT_TEXT)
    return text


def read_text_file(path: Path) -> str:
    """Decode a text file (see ``decode_text``)."""
    return decode_text(path.read_bytes())


def require_text(doc: LoadedDocument, what: str = "text") -> LoadedDocument:
    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise LoadError(f"no {what} found: the file is empty")
    return doc
