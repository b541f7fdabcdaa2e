"""What a parser process may spend on one file, and whether it reads text by OCR.

The options travel with each parse task; ``parse_file`` makes them current for the loader
it calls (``using``), so a loader asks ``current()`` instead of every loader taking them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

OcrMode = Literal["auto", "off", "force"]


@dataclass(frozen=True)
class LoadOptions:
    ocr: OcrMode = "auto"  # auto: pages and images without text; force: every page
    ocr_dpi: int = 150  # the resolution PDF pages are rendered at for OCR
    max_unzipped_mb: int = 256  # a zip-based file (DOCX, PPTX, XLSX, ODS, ODT, ODP, EPUB) in all
    max_image_pixels: int = 60_000_000  # one image or frame (decompression-bomb guard)
    max_frames: int = 500  # pages rendered or frames read by OCR per file
    max_rows: int = 1_000_000  # spreadsheet and CSV rows per file
    pdf_tables: bool = True  # ruled tables on PDF pages read as header rows (pdfplumber)

    def __post_init__(self) -> None:
        if self.ocr not in ("auto", "off", "force"):
            raise ValueError(f"ocr must be auto, off or force, got {self.ocr!r}")


_DEFAULT = LoadOptions()
_CURRENT: ContextVar[LoadOptions | None] = ContextVar("groundwork_load_options", default=None)


def current() -> LoadOptions:
    return _CURRENT.get() or _DEFAULT


@contextmanager
def using(options: LoadOptions) -> Iterator[LoadOptions]:
    token = _CURRENT.set(options)
    try:
        yield options
    finally:
        _CURRENT.reset(token)
