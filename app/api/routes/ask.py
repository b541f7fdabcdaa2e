"""POST /ask: a grounded answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import StreamingResponse

from app.api.deps import ContainerDep, PrincipalDep, readable
from app.api.schemas import AskRequest, Message, SourceChunk
from app.api.streaming import error_payload, prime, sse
from app.container import Container
from retrieval.answer.condense import Turn, recent_turns
from retrieval.answer.schema import Answer
from retrieval.answer.service import Event

router = APIRouter(tags=["ask"])

_SSE_DOC = {
    "content": {
        "text/event-stream": {
            "schema": {"type": "string"},
            "example": 'event: sources\ndata: {"question": "...", "sources": [...]}\n\n'
            'event: token\ndata: {"text": "Birth "}\n\n'
            'event: done\ndata: {"answer": "...", "citations": [...]}\n\n',
        }
    },
    "description": "the answer JSON, or with stream=true an event stream: sources, "
    "token..., done (or error)",
}


def history_turns(container: Container, history: list[Message]) -> list[Turn]:
    turns = [Turn(m.role, m.content) for m in history]
    return recent_turns(turns, container.settings.max_history_turns)


def check_question(container: Container, question: str) -> str:
    question = question.strip()
    limit = container.settings.max_question_chars
    if not question:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the question is empty")
    if len(question) > limit:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"the question is {len(question)} characters long; the limit is {limit}",
        )
    return question


@router.post("/ask", response_model=Answer, responses={200: _SSE_DOC})
def ask(body: AskRequest, request: Request, container: ContainerDep, principal: PrincipalDep):
    question = check_question(container, body.question)
    collection = readable(container, principal, body.collection)
    filters = body.filters
    options = dict(
        top_k=body.top_k,
        sources=filters.sources if filters else None,
        document_ids=filters.document_ids if filters else None,
        history=history_turns(container, body.history),
    )
    wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
    if not wants_stream:
        return container.answers.ask(question, collection, **options)
    standalone, docs, rest = prime(container.answers.stream(question, collection, **options))
    head = sse(
        "sources",
        {
            "question": standalone,
            "sources": [
                SourceChunk.from_document(n, d).model_dump() for n, d in enumerate(docs, 1)
            ],
        },
    )
    return StreamingResponse(
        _event_stream(head, rest),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _event_stream(head: str, rest: Iterator[Event]) -> Iterator[str]:
    yield head
    try:
        for event in rest:
            if event.kind == "token":
                yield sse("token", {"text": event.data})
            elif event.kind == "done":
                yield sse("done", event.data.model_dump())
    except Exception as exc:  # the response has started: report in-band
        yield sse("error", error_payload(exc))
