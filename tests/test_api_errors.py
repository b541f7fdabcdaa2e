"""Outages and malformed requests: a clear 4xx or 503 with a reason, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import free_port, sample_files


@pytest.fixture
def dead_model_api(settings):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    s = settings.model_copy(
        update={
            "llm": "openai",
            "llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "llm_model": "nothing-listens-here",
            "llm_timeout_s": 3,
        }
    )
    with TestClient(create_app(container=Container(s, embeddings=HashingEmbeddings()))) as c:
        r = c.post("/collections/company/documents", files=sample_files("finance-faq.md"))
        assert r.status_code == 200
        yield c


def test_an_unreachable_model_server_is_a_503_with_a_reason(dead_model_api):
    r = dead_model_api.post(
        "/ask", json={"question": "What is the daily meal allowance?", "collection": "company"}
    )
    assert r.status_code == 503 and "unavailable" in r.json()["detail"]


def test_when_streaming_the_outage_arrives_as_an_error_event(dead_model_api):
    r = dead_model_api.post(
        "/ask",
        json={
            "question": "What is the daily meal allowance?",
            "collection": "company",
            "stream": True,
        },
    )
    assert r.status_code == 200  # the sources went out before the model was asked
    assert r.text.startswith("event: sources")
    last = r.text.strip().split("\n\n")[-1]
    assert last.startswith("event: error") and '"status": 503' in last


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        (
            "post",
            "/ask",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        ),
        ("post", "/ask", {"json": {"question": 42, "collection": ["x"]}}),
        ("post", "/ask", {"json": {"question": "q", "collection": "company", "history": "no"}}),
        (
            "post",
            "/ask",
            {
                "json": {
                    "question": "q",
                    "collection": "company",
                    "history": [{"role": "wizard", "content": "x"}],
                }
            },
        ),
        ("post", "/collections/company/documents", {"data": {"x": "1"}}),
        ("post", "/jobs", {"json": {"collection": "company"}}),
        ("post", "/v1/chat/completions", {"json": {"model": "company", "messages": []}}),
        (
            "post",
            "/v1/chat/completions",
            {"json": {"model": "company", "messages": [{"role": "assistant", "content": "hi"}]}},
        ),
    ],
)
def test_malformed_requests_are_4xx(api, method, path, kwargs):
    api.post("/collections/company/documents", files=sample_files("finance-faq.md"))
    r = getattr(api, method)(path, **kwargs)
    assert 400 <= r.status_code < 500, r.text
    assert "detail" in r.json()


def test_questions_and_messages_that_are_not_text_are_4xx(api):
    import json

    def post(path, body):
        return api.post(
            path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )

    r = post("/ask", {"question": "vacation\ud800", "collection": "x"})
    # pydantic refuses the lone surrogate; the 422 that says so must itself be sendable
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "question"]
    for content in (7, None, [{"type": "text", "text": 3}], ["bare string"]):
        r = post(
            "/v1/chat/completions",
            {"model": "company", "messages": [{"role": "user", "content": content}]},
        )
        assert 400 <= r.status_code < 500, (content, r.status_code, r.text)
