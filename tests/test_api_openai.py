"""/v1/chat/completions and /v1/models through the official ``openai`` client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from openai import NotFoundError, OpenAI

from app.api import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(company):
    with TestClient(create_app(container=company)) as http:
        yield OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=http)


def test_models_are_the_collections(client):
    assert [m.id for m in client.models.list()] == ["company"]


def test_chat_completion_answers_with_markers_and_citations(client):
    resp = client.chat.completions.create(
        model="company",
        messages=[{"role": "user", "content": "How many vacation days carry over?"}],
    )
    text = resp.choices[0].message.content
    assert "5" in text and "[1]" in text and resp.choices[0].finish_reason == "stop"
    citations = resp.model_extra["citations"]
    assert citations[0]["n"] == 1 and citations[0]["source"] == "employee-handbook.pdf"
    assert citations[0]["page"] == 2


def test_streaming_chunks_add_up_to_the_answer(client):
    stream = client.chat.completions.create(
        model="company",
        messages=[{"role": "user", "content": "What is the daily meal allowance?"}],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "60 euros" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["source"] == "finance-faq.md"
    assert chunks[-1].model_extra["answer"].strip() == text.strip()


def test_earlier_messages_are_the_conversation(client):
    resp = client.chat.completions.create(
        model="company",
        messages=[
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "How long is parental leave for birth parents?"},
            {"role": "assistant", "content": "Birth parents receive 16 weeks [1]."},
            {"role": "user", "content": "and for non-birth parents?"},
        ],
    )
    assert "10 weeks" in resp.choices[0].message.content


def test_an_unknown_collection_is_a_404(client):
    with pytest.raises(NotFoundError):
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hello"}]
        )
