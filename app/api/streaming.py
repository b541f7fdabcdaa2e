"""Shared by /ask and /v1/chat/completions: run the answer stream, report errors in-band.

The question and retrieval steps run before the response starts, so an unknown
collection or a store outage is a proper HTTP error; a failure while tokens are already
flowing is sent as a last ``error`` event instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from langchain_core.documents import Document

from app.api.errors import status_for
from retrieval.answer.service import Event


def prime(events: Iterator[Event]) -> tuple[str, list[Document], Iterator[Event]]:
    """Run ``events`` up to the ``sources`` event: (standalone question, sources, the rest)."""
    question = ""
    for event in events:
        if event.kind == "question":
            question = event.data
        elif event.kind == "sources":
            return question, event.data, events
    raise RuntimeError("the answer stream ended before its sources")


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def error_payload(exc: Exception) -> dict[str, Any]:
    code, detail = status_for(exc)
    return {"status": code, "detail": detail}
