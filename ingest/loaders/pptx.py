"""PowerPoint decks (python-pptx): one section per slide, ``page`` = slide number.

A slide reads as its title, then its text boxes, tables and charts top to bottom, left to
right (tables as ``Header: value`` rows; a chart as its title and one row per category,
``Quarter: Q3; Revenue: 4.2; Costs: 3.1.``, so the figures only a chart shows can be
found and quoted), then what OCR reads in its pictures when the slide has little text of
its own (``ingest/loaders/pictures.py``), then its speaker notes, marked as notes."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ingest.loaders.archive_guard import check_archive, not_a_package
from ingest.loaders.base import (
    OLE_MAGIC,
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    register_loader,
)
from ingest.loaders.pictures import PictureReader
from ingest.loaders.tables import cell_text, dedupe_merged, table_lines

log = logging.getLogger("groundwork.ingest")
NOTES = "Speaker notes:"


def _position(shape) -> tuple[int, int]:
    return (shape.top or 0, shape.left or 0)


def chart_lines(chart) -> list[str]:
    """A chart as its title and a row per category with each series' value."""
    lines = []
    try:
        if chart.has_title and chart.chart_title.has_text_frame:
            title = " ".join(chart.chart_title.text_frame.text.split())
            if title:
                lines.append(f"Chart: {title}")
        label = "Category"
        axis = chart.category_axis
        if axis.has_title and axis.axis_title.has_text_frame:
            label = " ".join(axis.axis_title.text_frame.text.split()) or label
        categories = [cell_text(c) for c in chart.plots[0].categories]
        series = [(cell_text(s.name), list(s.values)) for p in chart.plots for s in p.series]
    except Exception as exc:  # charts without categories (XY, bubble), damaged chart XML
        log.info("chart data not read: %r", exc)
        return lines
    rows = [[label, *(name or f"Series {n}" for n, (name, _) in enumerate(series, 1))]]
    for i, category in enumerate(categories):
        values = [cell_text(v[i]) if i < len(v) else "" for _, v in series]
        rows.append([category or f"{label} {i + 1}", *values])
    return lines + table_lines(rows)


def _pictures(shapes) -> list:
    """The pictures among ``shapes`` (and in their groups), top to bottom, left to right."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pptx.shapes.picture import Picture

    found = []
    for shape in sorted(shapes, key=_position):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            found.extend(_pictures(shape.shapes))
        elif isinstance(shape, Picture):
            found.append(shape)
    return found


def _picture_text(slide, reader: PictureReader) -> list[str]:
    """What OCR reads in a slide's pictures."""
    lines = []
    for picture in _pictures(slide.shapes):
        try:
            blob = picture.image.blob
        except (AttributeError, KeyError, ValueError):  # a linked (external) picture
            continue
        ocr = reader.read(blob)
        if ocr is not None:
            lines.append(ocr.text)
    return lines


def _shape_lines(shape, skip) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_id == skip:
        return []
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        lines = []
        for inner in sorted(shape.shapes, key=_position):
            lines.extend(_shape_lines(inner, skip))
        return lines
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return chart_lines(shape.chart)
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [
            dedupe_merged([" ".join(c.text.split()) for c in r.cells]) for r in shape.table.rows
        ]
        return table_lines(rows)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines = []
        for paragraph in shape.text_frame.paragraphs:
            text = " ".join("".join(run.text for run in paragraph.runs).split())
            if text:
                lines.append(text)
        return lines
    return []


@register_loader
class PptxLoader(Loader):
    extensions = (".pptx",)
    revision = 3  # charts read as rows; pictures read by OCR
    reads_pictures = True

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        if head.startswith((b"PK\x03\x04", OLE_MAGIC)):  # OLE: encrypted or 97-2003, told on load
            return None
        return "not a PowerPoint (OOXML zip) file"

    def load(self, path: Path) -> LoadedDocument:
        from pptx import Presentation
        from pptx.exc import PackageNotFoundError

        if not zipfile.is_zipfile(path):
            corrupt = "not a PowerPoint .pptx file (not a zip package): the file is corrupt"
            raise LoadError(not_a_package(path, "PowerPoint", corrupt))
        check_archive(path, "PowerPoint")
        try:
            deck = Presentation(str(path))
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.info("python-pptx could not open %s: %r", path.name, exc)
            raise LoadError("the PowerPoint file is corrupt: a part of it is missing") from exc
        except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
            log.info("python-pptx could not read %s: %r", path.name, exc)
            raise LoadError("the PowerPoint file is corrupt: its XML cannot be read") from exc
        title = (deck.core_properties.title or "").strip()
        sections = []
        pictures = PictureReader("picture on a slide")
        for number, slide in enumerate(deck.slides, start=1):
            heading = ""
            skip = None
            if slide.shapes.title is not None:
                heading = " ".join(slide.shapes.title.text.split())
                skip = slide.shapes.title.shape_id
            lines = [heading] if heading else []
            for shape in sorted(slide.shapes, key=_position):
                lines.extend(_shape_lines(shape, skip))
            if pictures.wanted(sum(len(line.split()) for line in lines)):
                lines.extend(_picture_text(slide, pictures))
            confidence = pictures.confidence()
            if slide.has_notes_slide:
                frame = slide.notes_slide.notes_text_frame
                notes = " ".join((frame.text if frame is not None else "").split())
                if notes:
                    lines.append(f"{NOTES} {notes}")
            if lines:
                path_ = [heading] if heading else []
                sections.append(Section("\n".join(lines), number, path_, ocr_confidence=confidence))
            if number == 1 and not title and heading:
                title = heading
        if not sections:
            why = " and OCR is off (GROUNDWORK_OCR=off)" if pictures.opts.ocr == "off" else ""
            raise LoadError(f"no text found: the slides are empty (or hold only pictures){why}")
        return LoadedDocument(title or path.stem, sections, page_kind="slide")
