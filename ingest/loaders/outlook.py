"""Outlook messages (``.msg``, an OLE compound file), read by extract-msg: the same shape
as an ``.eml`` mail (a header block, the text body, or the HTML body through the HTML
loader, and each attachment of a supported type read by its own loader)."""

from __future__ import annotations

import logging
from pathlib import Path

from ingest.loaders.base import (
    OLE_MAGIC,
    LoadedDocument,
    Loader,
    LoadError,
    Section,
    register_loader,
)
from ingest.loaders.email import mail_document, read_attachments, titled

log = logging.getLogger("groundwork.ingest")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)


def _body(msg, subject: str) -> list[Section]:
    from ingest.loaders.html import html_document

    text = _text(msg.body).replace("\r\n", "\n").strip()
    if text:
        return titled([Section(text)], subject)
    html = msg.htmlBody
    if html:
        return titled(html_document(html, subject).sections, subject)
    return []


def _attachments(msg, mail_name: str) -> tuple[list[Section], list[str]]:
    from extract_msg.enums import AttachmentType

    parts = []
    skipped = []
    for n, att in enumerate(msg.attachments, start=1):
        name = _text(att.longFilename or att.shortFilename or att.displayName) or f"part-{n}"
        if att.type != AttachmentType.DATA or not isinstance(att.data, bytes):
            skipped.append(name)  # embedded messages, links, signed parts
            continue
        parts.append((name, lambda data=att.data: data))
    attached, unread = read_attachments(parts, mail_name)
    return attached, skipped + unread


@register_loader
class OutlookLoader(Loader):
    extensions = (".msg",)

    @classmethod
    def check_content(cls, head: bytes) -> str | None:
        return None if head.startswith(OLE_MAGIC) else "not an Outlook message (OLE) file"

    def load(self, path: Path) -> LoadedDocument:
        import extract_msg
        from extract_msg.exceptions import ExMsgBaseException

        with open(path, "rb") as fh:
            if fh.read(8) != OLE_MAGIC:
                raise LoadError("not an Outlook .msg file (no OLE header): the file is corrupt")
        try:
            msg = extract_msg.openMsg(str(path), delayAttachments=False)
        except (ExMsgBaseException, OSError, ValueError, KeyError, IndexError) as exc:
            log.info("extract-msg could not open %s: %r", path.name, exc)
            raise LoadError(f"the Outlook message is corrupt or not a message: {exc}") from exc
        try:
            kind = _text(getattr(msg, "classType", "")).lower()
            if "smime" in kind and "signed" not in kind and not _text(msg.body).strip():
                raise LoadError("the Outlook message is encrypted (S/MIME): it cannot be read")
            if not hasattr(msg, "body"):
                raise LoadError(f"the .msg file holds a {kind or 'non-mail'} item, not a message")
            subject = " ".join(_text(msg.subject).split())
            date = msg.date
            headers = {
                "From": _text(msg.sender),
                # recipients' table, else the display line Outlook keeps beside it
                "To": _text(msg.to) or _text(msg.getStringStream("__substg1.0_0E04")),
                "Cc": _text(msg.cc) or _text(msg.getStringStream("__substg1.0_0E03")),
                "Date": date.strftime("%a, %d %b %Y %H:%M:%S %z").strip() if date else "",
                "Subject": subject,
            }
            body = _body(msg, subject)
            attached, skipped = _attachments(msg, path.name)
        except ExMsgBaseException as exc:
            raise LoadError(f"the Outlook message cannot be read: {exc}") from exc
        finally:
            msg.close()
        return mail_document(headers, body, attached, skipped, path)
