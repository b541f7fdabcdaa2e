"""CSV and TSV: delimiter and encoding detected, rows rendered by ``rows.row_lines``.
The file is read as a stream: only the text of its rows is kept, never a parsed table."""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.loaders import options
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    register_loader,
    text_encoding,
)
from ingest.loaders.rows import row_lines

SAMPLE_BYTES = 64 * 1024


def _encoding(path: Path) -> str:
    """The encoding of the file, judged from its first 64 KB (see ``text_encoding``)."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        raise LoadError("no text found: the file is empty")
    if len(sample) == SAMPLE_BYTES:  # do not judge by a character cut in half
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    return text_encoding(sample)


def _dialect(sample: str, suffix: str):
    if suffix == ".tsv":
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


@register_loader
class DelimitedLoader(Loader):
    extensions = (".csv", ".tsv")

    def load(self, path: Path) -> LoadedDocument:
        opts = options.current()
        encoding = _encoding(path)
        csv.field_size_limit(1_000_000)
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            dialect = _dialect(fh.read(16_384), path.suffix.lower())
            fh.seek(0)
            try:
                lines = list(row_lines(csv.reader(fh, dialect), opts.max_rows, "file"))
            except csv.Error as exc:
                raise LoadError(f"the CSV file is malformed: {exc}") from exc
        if not lines:
            raise LoadError("no text found: the file has no rows")
        return LoadedDocument(path.stem, [Section("\n".join(lines))])
