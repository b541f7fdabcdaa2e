"""Spreadsheets (python-calamine): ``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``. One section per
sheet (``section`` = sheet name); formulas read as their cached values; hidden sheets
skipped; rows rendered by ``rows.row_lines``."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ingest.loaders import options
from ingest.loaders.archive_guard import check_archive, not_a_package
from ingest.loaders.base import (
    OLE_MAGIC,
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    register_loader,
)
from ingest.loaders.rows import row_lines

log = logging.getLogger("groundwork.ingest")


@register_loader
class SpreadsheetLoader(Loader):
    extensions = (".xlsx", ".xlsm", ".xls", ".ods")

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        if head.startswith((b"PK\x03\x04", OLE_MAGIC)):
            return None
        return "not a spreadsheet (no Office or OpenDocument signature)"

    def load(self, path: Path) -> LoadedDocument:
        from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

        opts = options.current()
        if path.suffix.lower() != ".xls":
            if not zipfile.is_zipfile(path):
                corrupt = "the spreadsheet is corrupt (not a zip package)"
                raise LoadError(not_a_package(path, "Excel", corrupt))
            check_archive(path, "spreadsheet")
        try:
            book = CalamineWorkbook.from_path(str(path))
        except PasswordError as exc:
            raise LoadError("the spreadsheet is encrypted with a password") from exc
        except Exception as exc:  # calamine's errors: CalamineError, XmlError, ZipError
            log.info("calamine could not open %s: %r", path.name, exc)
            raise LoadError(f"the spreadsheet is corrupt: {_reason(exc)}") from exc
        sections = []
        try:
            rows_left = opts.max_rows
            for meta in book.sheets_metadata:
                if meta.visible != SheetVisibleEnum.Visible:
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                lines = list(row_lines(sheet.iter_rows(), rows_left, f"sheet {meta.name!r}"))
                rows_left -= len(lines)
                if lines:
                    sections.append(
                        Section("\n".join(lines), heading_path=[meta.name], name=meta.name)
                    )
        except LoadError:
            raise
        except Exception as exc:
            log.info("calamine could not read %s: %r", path.name, exc)
            raise LoadError(f"the spreadsheet is corrupt: {_reason(exc)}") from exc
        finally:
            book.close()
        if not sections:
            raise LoadError("no text found: every sheet is empty")
        return LoadedDocument(path.stem, sections)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
