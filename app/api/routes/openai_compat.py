"""An OpenAI-compatible face: ``/v1/chat/completions`` and ``/v1/models``.

``model`` names a collection; the last user message is the question and the messages
before it are the conversation. Answers carry [n] markers in the text and the verified
citations in an extra ``citations`` field (on the last chunk when streaming, with the
verified ``answer`` text). Tokens already sent cannot be taken back: when the check
removed or re-cited a sentence, a last content chunk gives the verified answer, headed
"Verified answer".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ContainerDep, PrincipalDep, readable
from app.api.routes.ask import check_question
from app.api.routes.collections import list_collections
from app.api.streaming import error_payload, prime
from retrieval.answer.condense import Turn, recent_turns
from retrieval.answer.service import Event

router = APIRouter(prefix="/v1", tags=["openai"])


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(
                p["text"]
                for p in self.content
                if p.get("type") == "text" and isinstance(p.get("text"), str)
            )
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: accepted, unused

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def _split(container, messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "no user message to answer")
    last = users[-1]
    history = [
        Turn(m.role, m.text())  # type: ignore[arg-type]
        for m in messages[:last]
        if m.role in ("user", "assistant")
    ]
    question = check_question(container, messages[last].text())
    return question, recent_turns(history, container.settings.max_history_turns)


@router.get("/models")
def models(container: ContainerDep, principal: PrincipalDep) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": c.name, "object": "model", "created": 0, "owned_by": "groundwork"}
            for c in list_collections(container, principal)
        ],
    }


@router.post("/chat/completions")
def chat_completions(body: ChatRequest, container: ContainerDep, principal: PrincipalDep):
    collection = readable(container, principal, body.model)
    question, history = _split(container, body.messages)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if not body.stream:
        answer = container.answers.ask(question, collection, history=history)
        return {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": collection,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.answer},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": [c.model_dump() for c in answer.citations],
            "refused": answer.refused,
            "notes": answer.notes,
        }
    _, _, rest = prime(container.answers.stream(question, collection, history=history))
    return StreamingResponse(
        _chunks(rest, cid, created, collection),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


CORRECTED = "Verified answer (statements no source supports were removed):"


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _chunks(rest: Iterator[Event], cid: str, created: int, model: str) -> Iterator[str]:
    import json

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        data = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    try:
        for event in rest:
            if event.kind == "token":
                streamed += event.data
                yield chunk({"content": event.data})
            elif event.kind == "done":
                answer = event.data
                if not answer.refused and _squeezed(streamed) != _squeezed(answer.answer):
                    # tokens cannot be taken back: the verified text follows, marked as such
                    yield chunk({"content": f"\n\n{CORRECTED}\n{answer.answer}"})
                yield chunk(
                    {},
                    "stop",
                    citations=[c.model_dump() for c in answer.citations],
                    refused=answer.refused,
                    notes=answer.notes,
                    answer=answer.answer,  # the verified text, if checking dropped a sentence
                )
    except Exception as exc:  # the stream has started: say so in-band, then end it
        yield f"data: {json.dumps({'error': error_payload(exc)})}\n\n"
    yield "data: [DONE]\n\n"
