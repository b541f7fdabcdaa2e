"""Data files that people also ask about: JSON (exports, configurations) and XML.

A JSON object's scalar fields read as one record, ``key: value; key: value.`` (like a
table row), under a heading path of the keys that lead to it, so a chunk says what each
value is; lists of scalars read as one line. XML reads as the text of its elements, one
per line, with the markup left out (the standard library's parser: its expat refuses
entity-expansion bombs and never fetches external entities).
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from xml.etree import ElementTree

from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    read_text_file,
    register_loader,
)
from ingest.loaders.tables import cell_text, record_line

MAX_BYTES = 32 * 2**20  # parsed whole: its objects take ten times this in memory
MAX_HEADING_DEPTH = 4


def _check_size(path: Path, kind: str) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LoadError(
            f"the {kind} file is {size / 2**20:,.0f} MB, over the {MAX_BYTES // 2**20} MB "
            f"a {kind} file may have (it is read whole)"
        )


def _scalar(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def json_lines(value, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(heading path, line) for every record and list of values in ``value``."""
    out: list[tuple[tuple[str, ...], str]] = []
    stack = [(value, path)]
    while stack:  # depth-first, in document order, without recursion
        item, where = stack.pop()
        later = []
        if isinstance(item, dict):
            fields = [(str(k), v) for k, v in item.items() if _scalar(v)]
            if fields:
                line = record_line([k for k, _ in fields], [cell_text(v) for _, v in fields])
                if line:
                    out.append((where, line))
            for key, child in item.items():
                if not _scalar(child):
                    later.append((child, (*where, str(key))[:MAX_HEADING_DEPTH]))
        elif isinstance(item, list):
            values = [cell_text(v) for v in item if _scalar(v)]
            if any(values):
                name = f"{where[-1]}: " if where else ""
                out.append((where, name + ", ".join(v for v in values if v)))
            later = [(child, where) for child in item if not _scalar(child)]
        elif item is not None and cell_text(item):
            out.append((where, cell_text(item)))
        stack.extend(reversed(later))
    return out


@register_loader
class JsonLoader(Loader):
    extensions = (".json",)

    def load(self, path: Path) -> LoadedDocument:
        _check_size(path, "JSON")
        try:
            value = json.loads(read_text_file(path))
        except json.JSONDecodeError as exc:
            raise LoadError(
                f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from exc
        except RecursionError as exc:
            raise LoadError("the JSON file nests too deeply to be read") from exc
        sections = [  # consecutive lines under one key path make one section
            Section("\n".join(line for _, line in group), None, list(where))
            for where, group in groupby(json_lines(value), key=itemgetter(0))
        ]
        if not sections:
            raise LoadError("no text found: the JSON file holds no values")
        return LoadedDocument(title=path.stem, sections=sections)


@register_loader
class XmlLoader(Loader):
    extensions = (".xml",)

    def load(self, path: Path) -> LoadedDocument:
        _check_size(path, "XML")
        try:
            root = ElementTree.fromstring(path.read_bytes())
        except ElementTree.ParseError as exc:
            raise LoadError(f"the file is not well-formed XML: {exc}") from exc
        lines = [" ".join(t.split()) for t in root.itertext()]
        text = "\n".join(line for line in lines if line)
        if not text:
            raise LoadError("no text found: the XML file holds only markup")
        title = next((" ".join((e.text or "").split()) for e in root.iter() if _is_title(e)), "")
        return LoadedDocument(title=title or path.stem, sections=[Section(text)])


def _is_title(element: ElementTree.Element) -> bool:
    return isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1].lower() == "title"
