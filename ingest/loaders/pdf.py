"""Where PDFs are split into pages (pypdf); one section per page, page numbers kept."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.loaders.base import LoadedDocument, Loader, LoadError, Section, register_loader

logging.getLogger("pypdf").setLevel(logging.ERROR)
log = logging.getLogger("groundwork.ingest")


def _clean(text: str) -> str:
    text = text.replace("\x00", "")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # words hyphenated across lines
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()


def explain_pdf_error(exc: BaseException) -> str:
    """pypdf's message turned into a sentence a user understands (the original is logged)."""
    text = str(exc).lower()
    if "eof marker" in text or "truncated" in text or "ended unexpectedly" in text:
        return "the PDF is corrupt: it is truncated (its end is missing)"
    if "xref" in text or "trailer" in text or "cross-reference" in text or "startxref" in text:
        return "the PDF is corrupt: its cross-reference table is broken"
    if "stream" in text or "decode" in text or "filter" in text:
        return "the PDF is corrupt: a content stream in it is damaged"
    if "page" in text:
        return "the PDF is corrupt: its page tree is damaged"
    return "the PDF is corrupt and cannot be read"


@register_loader
class PdfLoader(Loader):
    extensions = (".pdf",)

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if b"%PDF-" in head[:1024] else "no PDF header"

    def load(self, path: Path) -> LoadedDocument:
        from pypdf import PdfReader
        from pypdf.errors import FileNotDecryptedError, PdfReadError

        with open(path, "rb") as fh:
            head = fh.read(1024)
        if not head.strip():
            raise LoadError("the file is empty")
        if b"%PDF" not in head:
            raise LoadError("not a PDF file (no %PDF header): the file is corrupt or mislabelled")
        try:
            reader = PdfReader(str(path), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception as exc:
                    log.info("pypdf could not decrypt %s: %r", path.name, exc)
                    raise LoadError("the PDF is encrypted in a way that cannot be opened") from exc
                if not ok:
                    raise LoadError("the PDF is encrypted with a password")
            sections = []
            for number, page in enumerate(reader.pages, start=1):
                text = _clean(page.extract_text() or "")
                if text:
                    sections.append(Section(text=text, page=number))
            page_count = len(reader.pages)
            title = ""
            if reader.metadata and reader.metadata.title:
                title = str(reader.metadata.title).strip()
        except LoadError:
            raise
        except FileNotDecryptedError as exc:
            raise LoadError("the PDF is encrypted with a password") from exc
        except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            log.info("pypdf could not read %s: %r", path.name, exc)
            raise LoadError(explain_pdf_error(exc)) from exc
        if page_count == 0:
            raise LoadError("the PDF has no pages")
        if not sections:
            raise LoadError(
                f"no text layer in {page_count} page(s): the PDF looks scanned; run OCR first"
            )
        return LoadedDocument(title=title or path.stem, sections=sections)
