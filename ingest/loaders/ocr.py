"""Where an image becomes text: RapidOCR (PP-OCR detection and recognition models that
ship inside the ``rapidocr`` wheel, run on onnxruntime; nothing is downloaded).

The engine is built once per parser process, on first use, with one thread: parallelism
comes from the parser processes, which run beside the embedder.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from functools import lru_cache

from ingest.loaders.base import LoadError
from ingest.loaders.deadline import allow_more

log = logging.getLogger("groundwork.ingest")
SECONDS_PER_PAGE = 20.0  # what one OCR page may add to a file's time limit
OCR_OFF = "OCR is off (GROUNDWORK_OCR=off)"


@dataclass
class OcrText:
    text: str
    confidence: float  # mean recognition confidence, weighted by characters (0-1)


@lru_cache(maxsize=1)
def engine():
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise LoadError("OCR is not installed (the rapidocr package is missing)") from exc
    for name in ("RapidOCR", "rapidocr"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


def _lines(boxes, texts, scores) -> list[tuple[str, float]]:
    """Recognised boxes in reading order: rows top to bottom, each left to right; a blank
    line where the gap between rows is larger than a row."""
    items = []
    for box, text, score in zip(boxes, texts, scores, strict=False):
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        items.append((min(ys), max(ys), min(xs), str(text).strip(), float(score)))
    items = [i for i in items if i[3]]
    items.sort(key=lambda i: (i[0] + i[1]) / 2)
    rows: list[list[tuple]] = []
    for item in items:
        centre = (item[0] + item[1]) / 2
        if rows:
            last = rows[-1]
            top = statistics.fmean(i[0] for i in last)
            bottom = statistics.fmean(i[1] for i in last)
            if top <= centre <= bottom:
                last.append(item)
                continue
        rows.append([item])
    out: list[tuple[str, float]] = []
    prev_bottom = None
    for row in rows:
        row.sort(key=lambda i: i[2])
        top = min(i[0] for i in row)
        height = max(i[1] for i in row) - top
        if prev_bottom is not None and top - prev_bottom > height:
            out.append(("", 1.0))
        prev_bottom = max(i[1] for i in row)
        text = " ".join(i[3] for i in row)
        weight = sum(len(i[3]) * i[4] for i in row) / max(sum(len(i[3]) for i in row), 1)
        out.append((text, weight))
    return out


def read_image(image) -> OcrText:
    """The text of a PIL image (or array), lines in reading order."""
    import numpy as np

    allow_more(SECONDS_PER_PAGE)
    if hasattr(image, "convert"):
        image = np.asarray(image.convert("RGB"))[:, :, ::-1]  # RapidOCR reads BGR
    try:
        result = engine()(image)
    except LoadError:
        raise
    except Exception as exc:
        log.info("OCR failed: %r", exc)
        raise LoadError("OCR could not read the image") from exc
    if result is None or getattr(result, "txts", None) is None:
        return OcrText("", 0.0)
    lines = _lines(result.boxes, result.txts, result.scores)
    text = "\n".join(t for t, _ in lines).strip()
    chars = sum(len(t) for t, _ in lines)
    confidence = sum(len(t) * c for t, c in lines) / chars if chars else 0.0
    return OcrText(text, round(confidence, 3))
