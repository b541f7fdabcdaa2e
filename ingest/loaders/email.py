"""E-mail (``.eml``, the standard library's ``email`` package): a header block (From, To,
Date, Subject), the text body (the HTML body through the HTML loader when there is no
text part), and each attachment of a supported type read by its own loader. An
attachment's chunks cite ``<mail>/<attachment>`` and go (and are pruned) with the mail."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    decode_text,
    loader_for,
    register_loader,
)

log = logging.getLogger("groundwork.ingest")
HEADERS = ("From", "To", "Cc", "Date", "Subject")
MAIL_EXTENSIONS = (".eml", ".msg")
MAX_ATTACHMENTS = 50
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def _safe_name(name: str, n: int) -> str:
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base or f"attachment-{n}"


def _body_sections(msg, subject: str) -> list[Section]:
    from ingest.loaders.html import html_document

    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset
        content = decode_text(body.get_payload(decode=True) or b"")
    if isinstance(content, bytes):
        content = decode_text(content)
    if body.get_content_subtype() == "html":
        return titled(html_document(content, subject).sections, subject)
    return titled([Section(content.strip())] if content.strip() else [], subject)


def mail_document(
    headers: dict[str, str],
    body: list[Section],
    attached: list[Section],
    skipped: list[str],
    path: Path,
) -> LoadedDocument:
    """A mail as a header block (the ``HEADERS`` it has, and its attachments' names), its
    body, then its attachments' sections."""
    subject = " ".join(headers.get("Subject", "").split())
    header = [f"{h}: {' '.join(headers[h].split())}" for h in HEADERS if headers.get(h, "").strip()]
    names = [s.part for s in attached if s.part] + skipped
    if names:
        header.append("Attachments: " + ", ".join(dict.fromkeys(names)))
    if not body and not attached:
        raise LoadError("no text found: the e-mail has no body and no readable attachment")
    sections = [Section("\n".join(header), name=subject, heading_path=[subject]), *body]
    return LoadedDocument(subject or path.stem, sections + attached)


def titled(sections: list[Section], subject: str) -> list[Section]:
    """A body's sections, named and headed by the mail's subject."""
    for s in sections:
        s.name = subject
        s.heading_path = [subject, *s.heading_path] if subject else s.heading_path
    return sections


@register_loader
class EmailLoader(Loader):
    extensions = (".eml",)
    revision = 2  # HTML bodies' data tables as header rows (the HTML loader's revision 2)

    def load(self, path: Path) -> LoadedDocument:
        from email import policy
        from email.parser import BytesParser

        with open(path, "rb") as fh:
            try:
                msg = BytesParser(policy=policy.default).parse(fh)
            except Exception as exc:  # the parser is lenient; this is a real break
                raise LoadError("the e-mail file is corrupt and cannot be parsed") from exc
        if not any(msg.get(h) for h in ("From", "To", "Subject", "Date", "Message-ID")):
            raise LoadError("not an e-mail message (no From, To, Subject or Date header)")
        subject = " ".join(str(msg.get("Subject", "") or "").split())
        headers = {h: str(msg[h]) for h in HEADERS if msg.get(h)}
        return mail_document(
            headers, _body_sections(msg, subject), *self._attachments(msg, path.name), path
        )

    def _attachments(self, msg, mail_name: str) -> tuple[list[Section], list[str]]:
        parts = (
            (part.get_filename() or "", lambda part=part: part.get_payload(decode=True) or b"")
            for part in msg.iter_attachments()
        )
        return read_attachments(parts, mail_name)


def read_attachments(
    parts: Iterable[tuple[str, Callable[[], bytes]]], mail_name: str
) -> tuple[list[Section], list[str]]:
    """Each attachment (its file name, and how to get its bytes) of a supported type read by
    its own loader; returns their sections and the names of those not read."""
    sections: list[Section] = []
    skipped: list[str] = []
    for n, (filename, payload) in enumerate(parts, start=1):
        if n > MAX_ATTACHMENTS:
            log.info("%s: more than %d attachments; the rest are not read", mail_name, n)
            break
        name = _safe_name(filename, n)
        loader = loader_for(Path(name))
        if loader is None or Path(name).suffix.lower() in MAIL_EXTENSIONS:
            skipped.append(name)  # mails inside mails are not read
            continue
        with tempfile.TemporaryDirectory(prefix="groundwork-mail-") as tmp:
            file = Path(tmp) / name
            file.write_bytes(payload())
            try:
                loaded = loader.load(file)
            except LoadError as exc:
                log.info("%s: attachment %s not read: %s", mail_name, name, exc)
                skipped.append(name)
                continue
        for s in loaded.sections:
            s.part = name
            s.page_kind = s.page_kind or loaded.page_kind
            # the attachment is named in the source already; a sheet or chapter stays
            s.heading_path = [loaded.title or name, *s.heading_path]
            sections.append(s)
    return sections, skipped
