"""POST /ask over the sample documents with the real embedding model: JSON, SSE, follow-ups."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import ANSWER_FIELDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(company):
    with TestClient(create_app(container=company)) as c:
        yield c


LEAVE_HISTORY = [
    {"role": "user", "content": "How long is parental leave for birth parents?"},
    {"role": "assistant", "content": "Birth parents receive 16 weeks of paid leave [1]."},
]


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_ask_returns_the_answer_json_with_checkable_citations(client):
    r = client.post(
        "/ask", json={"question": "How many vacation days carry over?", "collection": "company"}
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == ANSWER_FIELDS
    assert "5" in body["answer"] and body["refused"] is False and body["notes"] == []
    cite = body["citations"][0]
    assert cite["source"] == "employee-handbook.pdf" and cite["page"] == 2
    # the snippet quotes the supporting sentence, and its offsets point at exactly it
    assert "carry over" in cite["snippet"]
    assert cite["end"] - cite["start"] == len(cite["snippet"])
    assert " ".join(cite["snippet"].split()).rstrip(".") in body["answer"]  # the answer quotes it


def test_streaming_sends_sources_then_tokens_then_the_final_answer(client):
    r = client.post(
        "/ask",
        json={
            "question": "How many vacation days carry over?",
            "collection": "company",
            "stream": True,
        },
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "sources" and kinds[-1] == "done" and kinds.count("token") > 3
    sources = events[0][1]["sources"]
    assert sources[0]["source"] and sources[0]["text"] and "page" in sources[0]
    streamed = "".join(d["text"] for k, d in events if k == "token")
    done = events[-1][1]
    assert streamed.strip() == done["answer"].strip()
    cited = {c["n"] for c in done["citations"]}
    assert cited and cited <= {s["n"] for s in sources}


def test_accept_header_also_selects_streaming(client):
    r = client.post(
        "/ask",
        json={"question": "What is the daily meal allowance?", "collection": "company"},
        headers={"Accept": "text/event-stream"},
    )
    assert [k for k, _ in parse_sse(r.text)][-1] == "done"


def test_a_follow_up_uses_the_conversation(client):
    r = client.post(
        "/ask",
        json={
            "question": "and for non-birth parents?",
            "collection": "company",
            "history": LEAVE_HISTORY,
            "stream": True,
        },
    )
    events = parse_sse(r.text)
    assert "parental leave" in events[0][1]["question"]
    assert any("parental" in s["text"].lower() for s in events[0][1]["sources"][:2])
    done = events[-1][1]
    assert "10 weeks" in done["answer"] and not done["refused"]
    # without history the question is searched as it is
    alone = client.post(
        "/ask",
        json={"question": "and for non-birth parents?", "collection": "company", "stream": True},
    )
    assert parse_sse(alone.text)[0][1]["question"] == "and for non-birth parents?"


def test_a_new_subject_after_a_conversation_is_answered_on_its_own(client):
    r = client.post(
        "/ask",
        json={
            "question": "What is the daily meal allowance when travelling in Europe?",
            "collection": "company",
            "history": LEAVE_HISTORY,
        },
    ).json()
    assert "60 euros" in r["answer"] and r["citations"][0]["source"] == "finance-faq.md"


STIPEND_HISTORY = [
    {"role": "user", "content": "What is the home office stipend?"},
    {"role": "assistant", "content": "The home office stipend is 750 euros [1]."},
]


@pytest.mark.parametrize(
    "question,history",
    [
        ("What is the capital of Australia?", LEAVE_HISTORY),
        ("What about dental insurance?", STIPEND_HISTORY),
        ("What is its battery life?", STIPEND_HISTORY),
    ],
)
def test_a_short_question_is_not_answered_with_the_previous_topic(client, question, history):
    r = client.post(
        "/ask", json={"question": question, "collection": "company", "history": history}
    ).json()
    assert r["refused"], r["answer"]
    assert "750" not in r["answer"] and "16 weeks" not in r["answer"]


def test_a_follow_up_answered_in_other_words_is_answered(client):
    # "fit" is not in the answer: read against the words asked, the sentence still
    # supports the follow-up, so it is not refused for missing them
    history = [
        {"role": "user", "content": "Which meeting room has video conferencing?"},
        {"role": "assistant", "content": 'The large room "Tejo" has video conferencing [1].'},
    ]
    r = client.post(
        "/ask",
        json={
            "question": "How many people fit in it?",
            "collection": "company",
            "history": history,
        },
    ).json()
    assert not r["refused"] and "14 people" in r["answer"]
    assert r["citations"][0]["source"] == "office-guide-lisbon.txt"


def test_filters_limit_the_search_to_named_files(client):
    r = client.post(
        "/ask",
        json={
            "question": "How many vacation days carry over?",
            "collection": "company",
            "filters": {"sources": ["finance-faq.md"]},
        },
    ).json()
    assert all(c["source"] == "finance-faq.md" for c in r["citations"])
    assert "5 unused vacation days" not in r["answer"]


def test_off_topic_questions_are_refused(client):
    r = client.post(
        "/ask", json={"question": "What is the capital of Australia?", "collection": "company"}
    ).json()
    assert r["refused"] is True and r["citations"] == []


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"question": "x" * 2001, "collection": "company"}, 422, "limit is 2000"),
        ({"question": "   ", "collection": "company"}, 422, "empty"),
        ({"question": "hi", "collection": "company", "top_k": 0}, 422, "top_k"),
        ({"question": "hi", "collection": "company", "top_k": 51}, 422, "top_k"),
        ({"question": "hi", "collection": "missing"}, 404, "not found"),
        ({"question": "hi", "collection": "../etc"}, 422, "invalid collection name"),
        ({"question": "hi", "collection": "company", "colour": 1}, 422, "colour"),
        ({"collection": "company"}, 422, "question"),
    ],
)
def test_bad_requests_get_a_clear_4xx(client, body, status, needle):
    r = client.post("/ask", json=body)
    assert r.status_code == status
    assert needle in json.dumps(r.json())


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/openapi.json").json()
    for path in ("/ask", "/collections/{collection}/documents", "/jobs", "/v1/chat/completions"):
        assert path in schema["paths"]
    assert client.get("/docs").status_code == 200


def test_health_and_ready(client):
    assert client.get("/health").json() == {"status": "ok"}
    import time

    for _ in range(100):
        r = client.get("/ready")
        if r.status_code == 200:
            break
        time.sleep(0.1)
    assert r.json()["status"] == "ready" and r.json()["checks"]["store"] == "ok"
