"""Where a picture inside a Word file or a slide (or their OpenDocument counterparts)
becomes text: OCR of the pictures a document shows instead of text.

A slide that is a screenshot, or a scan pasted into a Word file, holds its words in a
picture. With ``GROUNDWORK_OCR=auto`` such pictures are read when their slide (or the
Word file) has little text of its own (under ``FEW_WORDS``), as a PDF page without a text
layer is; ``force`` reads every picture; ``off`` none. Pictures too small to hold a line
of text (icons, bullets, most logos) are skipped, the same picture is read once per file,
and pictures count against the file's OCR page limit (``GROUNDWORK_MAX_OCR_PAGES``). A
picture that cannot be decoded (a vector EMF or WMF, a damaged image) is skipped: the rest
of the file is still read.
"""

from __future__ import annotations

import hashlib
import io
import logging

from ingest.loaders import options
from ingest.loaders.base import LoadError
from ingest.loaders.image import check_pixels
from ingest.loaders.ocr import OcrText, read_image

log = logging.getLogger("groundwork.ingest")
FEW_WORDS = 25  # a slide (or a Word file) with fewer words of its own has its pictures read
MIN_PIXELS = 40_000  # smaller pictures (200 x 200) are icons and logos, not text
MIN_SIDE = 20  # pixels: no line of text fits in a thinner picture


class PictureReader:
    """Reads one file's pictures by OCR, each distinct picture once, within the file's
    OCR page limit; ``confidence`` gives the mean of what it read for a section."""

    def __init__(self, what: str = "picture") -> None:
        self.opts = options.current()
        self.what = what
        self._seen: dict[str, OcrText | None] = {}
        self._runs = 0  # pictures given to OCR, with text found or not
        self._confidences: list[float] = []

    def wanted(self, own_words: int) -> bool:
        """Whether pictures are read where the text around them has ``own_words`` words."""
        if self.opts.ocr == "force":
            return True
        return self.opts.ocr == "auto" and own_words < FEW_WORDS

    def read(self, blob: bytes) -> OcrText | None:
        """The text OCR finds in the picture ``blob``; None for a picture skipped (too
        small, not decodable) or without text."""
        key = hashlib.sha1(blob).hexdigest()
        if key not in self._seen:
            self._seen[key] = self._read(blob)
        found = self._seen[key]
        if found is not None:
            self._confidences.append(found.confidence)
        return found

    def confidence(self) -> float | None:
        """The mean OCR confidence of the pictures read since the last call (None when
        none was): what the section they went into carries as ``ocr_confidence``."""
        found, self._confidences = self._confidences, []
        return round(sum(found) / len(found), 3) if found else None

    def _read(self, blob: bytes) -> OcrText | None:
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = None  # checked below, from the header
        try:
            image = Image.open(io.BytesIO(blob))
        except (UnidentifiedImageError, OSError, ValueError):
            return None  # EMF, WMF, SVG or damaged: not a picture OCR reads
        with image:
            width, height = image.size
            if width * height < MIN_PIXELS or min(width, height) < MIN_SIDE:
                return None
            check_pixels(width, height, self.opts.max_image_pixels, f"a {self.what}")
            if self._runs >= self.opts.max_frames:
                raise LoadError(
                    f"more than {self.opts.max_frames:,} pictures to read by OCR, over the "
                    "limit (GROUNDWORK_MAX_OCR_PAGES)"
                )
            try:
                image.load()
            except (OSError, ValueError, EOFError) as exc:
                log.info("a %s could not be decoded: %r", self.what, exc)
                return None
            self._runs += 1
            ocr = read_image(image)
        return ocr if ocr.text else None
