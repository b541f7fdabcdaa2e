"""Where PDFs are split into pages (pypdf); one section per page, page numbers kept.

A page without a text layer (a scan) is rendered (pypdfium2) and read by OCR, so a mixed
PDF yields every page; ``GROUNDWORK_OCR=force`` reads every page by OCR. A page that
draws ruled tables reads them as header rows (``pdf_tables``); running headers and
footers are taken off (``page_furniture``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.loaders import options
from ingest.loaders.base import LoadedDocument, Loader, LoadError, Section, register_loader
from ingest.loaders.image import check_pixels
from ingest.loaders.ocr import OCR_OFF, read_image
from ingest.loaders.page_furniture import strip_running_lines
from ingest.loaders.pdf_tables import PdfTables, draws_lines

logging.getLogger("pypdf").setLevel(logging.ERROR)
log = logging.getLogger("groundwork.ingest")
MIN_TEXT_CHARS = 20  # a page with fewer characters of text layer counts as scanned
# a page with fewer characters than this, all in its top or bottom margin, over a picture
# that covers most of it, is a scan with a stamp, a reference number or a header added as
# text: it is read by OCR. Text in the page's body over a picture (a slide's title and
# points over its background) is the page's own text, kept as it is.
STAMP_CHARS = 300
PICTURE_SHARE = 0.6  # of the page's area, covered by one picture
MARGIN_SHARE = 0.15  # of the page's height, at the top and at the bottom


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
    revision = 3  # ruled tables as header rows, running headers and footers dropped; stamped scans

    @classmethod
    def reading(cls, options: options.LoadOptions) -> str:
        return f"{super().reading(options)}{' tables' if options.pdf_tables else ''}"

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
            texts = [_clean(page.extract_text() or "") for page in reader.pages]
            page_count = len(reader.pages)
            lined = []
            if options.current().pdf_tables:
                lined = [n for n, page in enumerate(reader.pages, start=1) if draws_lines(page)]
            title = ""
            if reader.metadata and reader.metadata.title:
                title = str(reader.metadata.title).strip()
                title = "" if title.lower() in {"untitled", "untitled document"} else title
        except LoadError:
            raise
        except FileNotDecryptedError as exc:
            raise LoadError("the PDF is encrypted with a password") from exc
        except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            log.info("pypdf could not read %s: %r", path.name, exc)
            raise LoadError(explain_pdf_error(exc)) from exc
        if page_count == 0:
            raise LoadError("the PDF has no pages")
        opts = options.current()
        chars = [len("".join(text.split())) for text in texts]
        stamped = set()
        if opts.ocr == "auto":
            stamped = _scans_under_text(
                path, [n for n, c in enumerate(chars, 1) if MIN_TEXT_CHARS <= c < STAMP_CHARS]
            )
        scanned = [
            n
            for n, c in enumerate(chars, start=1)
            if opts.ocr == "force" or c < MIN_TEXT_CHARS or n in stamped
        ]
        read = _ocr_pages(path, scanned) if scanned and opts.ocr != "off" else {}
        ocr_pages = set(scanned)
        if not set(lined) <= ocr_pages:
            with PdfTables(path) as tables:
                for number in lined:
                    if number not in ocr_pages and (text := tables.page_text(number)):
                        texts[number - 1] = _clean(text)
        layer = strip_running_lines(
            ["" if n in ocr_pages else text for n, text in enumerate(texts, start=1)]
        )
        texts = [text if n in ocr_pages else layer[n - 1] for n, text in enumerate(texts, start=1)]
        sections = []
        for number, text in enumerate(texts, start=1):
            if number in read and read[number].text:
                ocr = read[number]
                sections.append(Section(ocr.text, number, ocr_confidence=ocr.confidence))
            elif text:
                sections.append(Section(text=text, page=number))
        if not sections:
            why = OCR_OFF if opts.ocr == "off" else "OCR found no text on them"
            raise LoadError(f"no text layer in {page_count} page(s): the PDF looks scanned; {why}")
        return LoadedDocument(title=title or path.stem, sections=sections)


def _scans_under_text(path: Path, numbers: list[int]) -> set[int]:
    """Those of the 1-based pages ``numbers`` that one picture covers for the most part
    (``PICTURE_SHARE``) and whose text lies in the top or bottom margin alone: a scan
    whose short text layer is a stamp or a header, not its content. Reads the pages'
    objects and text boxes, not their pixels."""
    if not numbers:
        return set()
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    found = set()
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        log.info("pdfium could not open %s: %r", path.name, exc)
        return found
    try:
        for number in numbers:
            page = pdf[number - 1]
            try:
                width, height = page.get_size()
                area = max(width * height, 1.0)
                for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                    left, bottom, right, top = obj.get_bounds()
                    seen = max(0.0, min(right, width) - max(left, 0.0)) * max(
                        0.0, min(top, height) - max(bottom, 0.0)
                    )
                    if seen / area >= PICTURE_SHARE:
                        if _text_in_margins(page, height):
                            found.add(number)
                        break
            finally:
                page.close()
    except pdfium.PdfiumError as exc:  # a damaged page: its text layer stands
        log.info("pdfium could not read the pictures of %s: %r", path.name, exc)
    finally:
        pdf.close()
    return found


def _text_in_margins(page, height: float) -> bool:
    """Whether every box of the page's text layer lies in its top or bottom margin."""
    textpage = page.get_textpage()
    try:
        boxes = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    finally:
        textpage.close()
    margin = MARGIN_SHARE * height
    return bool(boxes) and all(
        top <= margin or bottom >= height - margin for _, bottom, _, top in boxes
    )


def _ocr_pages(path: Path, numbers: list[int]) -> dict:
    """OCR of the given 1-based pages, rendered at ``ocr_dpi``."""
    import pypdfium2 as pdfium

    opts = options.current()
    if len(numbers) > opts.max_frames:
        raise LoadError(
            f"{len(numbers):,} pages need OCR, over the limit of {opts.max_frames:,} per file "
            "(GROUNDWORK_MAX_OCR_PAGES)"
        )
    scale = opts.ocr_dpi / 72
    out = {}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise LoadError("the PDF's scanned pages cannot be rendered for OCR") from exc
    try:
        for number in numbers:
            page = pdf[number - 1]
            width, height = page.get_size()
            check_pixels(
                int(width * scale), int(height * scale), opts.max_image_pixels, f"page {number}"
            )
            image = page.render(scale=scale).to_pil()
            out[number] = read_image(image)
            page.close()
    finally:
        pdf.close()
    return out
