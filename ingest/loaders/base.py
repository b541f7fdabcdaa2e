"""What a loader returns, and the registry that picks a loader for a file."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar


class LoadError(Exception):
    """A file that cannot be read; the message is the reason shown to the user."""


@dataclass
class Section:
    """A unit that chunks never cross: a PDF page or the text under one heading."""

    text: str
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section]


class SectionBuilder:
    """Collects lines under the current heading path; a heading starts a new section."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._stack: list[tuple[int, str]] = []
        self._lines: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        if text:
            self._stack.append((level, text))

    def line(self, text: str) -> None:
        if text:
            self._lines.append(text)

    def flush(self) -> None:
        if self._lines:
            self.sections.append(Section("\n".join(self._lines), None, [h for _, h in self._stack]))
            self._lines = []


class Loader(ABC):
    extensions: ClassVar[tuple[str, ...]]

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        """Why the first bytes of a file cannot be this format, or None if they can.

        A cheap check before anything is stored (uploads); text formats by default."""
        if b"\x00" in head:
            return "the file holds binary data, not text"
        return None

    @abstractmethod
    def load(self, path: Path) -> LoadedDocument:
        """Parse ``path``; raise ``LoadError`` with a reason a user understands."""


_REGISTRY: dict[str, type[Loader]] = {}


def register_loader(cls: type[Loader]) -> type[Loader]:
    for ext in cls.extensions:
        _REGISTRY[ext.lower()] = cls
    return cls


def supported_extensions() -> list[str]:
    return sorted(_REGISTRY)


def loader_for(path: Path) -> Loader | None:
    cls = _REGISTRY.get(path.suffix.lower())
    return cls() if cls else None


def check_upload(filename: str, head: bytes) -> str | None:
    """Why a file with this name and these first bytes is not accepted, or None."""
    cls = _REGISTRY.get(Path(filename).suffix.lower())
    if cls is None:
        return (
            f"unsupported file type {Path(filename).suffix or '(none)'}; "
            f"accepted: {', '.join(supported_extensions())}"
        )
    if not head:
        return "the file is empty"
    reason = cls.check_content(head)
    return f"the content does not match {Path(filename).suffix}: {reason}" if reason else None


def read_text_file(path: Path) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else cp1252; reject binary data."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise LoadError("the file holds binary data, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def require_text(doc: LoadedDocument, what: str = "text") -> LoadedDocument:
    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise LoadError(f"no {what} found: the file is empty")
    return doc
