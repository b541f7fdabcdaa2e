"""Images (PNG, JPEG, TIFF, BMP, WebP) read by OCR; ``page`` is the frame of a multi-page
TIFF. Size and frame count are checked from the header before any pixel is decoded."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import options
from ingest.loaders.base import LoadedDocument, Loader, LoadError, Section, register_loader
from ingest.loaders.ocr import OCR_OFF, read_image

_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)


def check_pixels(width: int, height: int, limit: int, what: str = "the image") -> None:
    if width * height > limit:
        raise LoadError(
            f"{what} is {width:,} x {height:,} pixels, over the limit of {limit:,} "
            "(GROUNDWORK_MAX_IMAGE_PIXELS; a decompression bomb?)"
        )


@register_loader
class ImageLoader(Loader):
    extensions = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        if head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
            return None
        return "not an image (no PNG, JPEG, TIFF, BMP or WebP signature)"

    def load(self, path: Path) -> LoadedDocument:
        from PIL import Image, UnidentifiedImageError

        opts = options.current()
        if opts.ocr == "off":
            raise LoadError(f"an image has no text layer and {OCR_OFF}")
        Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, from the header
        try:
            image = Image.open(path)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise LoadError("the image is corrupt or not an image Pillow can read") from exc
        with image:
            frames = 1
            if getattr(image, "is_animated", False):
                frames = self._count_frames(image, opts.max_frames)
            sections = []
            for frame in range(frames):
                try:
                    image.seek(frame)
                    check_pixels(*image.size, opts.max_image_pixels)
                    image.load()
                except LoadError:
                    raise
                except (OSError, ValueError, EOFError) as exc:
                    raise LoadError(f"frame {frame + 1} of the image is corrupt") from exc
                ocr = read_image(image)
                if ocr.text:
                    page = frame + 1 if frames > 1 else None
                    sections.append(Section(ocr.text, page, ocr_confidence=ocr.confidence))
        if not sections:
            raise LoadError("no text found in the image by OCR")
        return LoadedDocument(path.stem, sections, page_kind="frame")

    @staticmethod
    def _count_frames(image, limit: int) -> int:
        """Frames up to ``limit``; more fails (read one header at a time, no pixels)."""
        count = 0
        try:
            while True:
                image.seek(count)
                count += 1
                if count > limit:
                    raise LoadError(
                        f"the image has more than {limit:,} frames (pages), over the limit "
                        "(GROUNDWORK_MAX_OCR_PAGES)"
                    )
        except EOFError:
            pass
        except (OSError, ValueError) as exc:
            raise LoadError("the image is corrupt: a frame cannot be read") from exc
        image.seek(0)
        return max(count, 1)
