"""API keys scoped to collections, and isolation between teams."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import write_keys

KEY_A = "team-a-secret-0123456789"
KEY_B = "team-b-secret-9876543210"
KEY_READER = "reader-secret-5555555555"
KEY_ADMIN = "admin-secret-abcdefghijkl"
CANARY = "QUOKKA7731"


@pytest.fixture
def secured(fake_container, tmp_path):
    keys = write_keys(
        tmp_path / "keys.json",
        {"key": KEY_A, "name": "team-a", "read": ["alpha"], "write": ["alpha"], "admin": False},
        {"key": KEY_B, "name": "team-b", "read": ["beta"], "write": ["beta"], "admin": False},
        {"key": KEY_READER, "name": "reader", "read": ["alpha"], "write": [], "admin": False},
        {"key": KEY_ADMIN, "name": "ops", "read": [], "write": [], "admin": True},
    )
    fake_container.settings = fake_container.settings.model_copy(update={"api_keys_file": keys})
    with TestClient(create_app(container=fake_container)) as client:
        yield client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def seed(client):
    secret = (
        f"# Project Falcon\n\nThe Falcon launch code is {CANARY}. "
        f"Falcon's budget is 2 million euros and the code {CANARY} is confidential.\n"
    )
    r = client.post(
        "/collections/alpha/documents",
        files=[("files", ("falcon.md", secret.encode()))],
        headers=auth(KEY_A),
    )
    assert r.status_code == 200, r.text
    public = (
        "# Canteen\n\nThe canteen serves lunch from 12 to 14. The launch of the menu is Monday.\n"
    )
    r = client.post(
        "/collections/beta/documents",
        files=[("files", ("canteen.md", public.encode()))],
        headers=auth(KEY_B),
    )
    assert r.status_code == 200, r.text


def test_every_endpoint_but_health_needs_a_key(secured):
    assert secured.get("/health").status_code == 200
    for method, path in [
        ("get", "/ready"),
        ("get", "/collections"),
        ("get", "/collections/alpha/documents"),
        ("get", "/jobs"),
        ("get", "/v1/models"),
    ]:
        r = getattr(secured, method)(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
    assert secured.post("/ask", json={"question": "q", "collection": "alpha"}).status_code == 401
    assert secured.get("/collections", headers=auth("wrong-key-0000000000")).status_code == 401


def test_a_key_sees_only_its_collections(secured):
    seed(secured)
    assert [c["name"] for c in secured.get("/collections", headers=auth(KEY_A)).json()] == ["alpha"]
    assert [c["name"] for c in secured.get("/collections", headers=auth(KEY_B)).json()] == ["beta"]
    admin = {c["name"] for c in secured.get("/collections", headers=auth(KEY_ADMIN)).json()}
    assert admin == {"alpha", "beta"}
    models = secured.get("/v1/models", headers=auth(KEY_B)).json()
    assert [m["id"] for m in models["data"]] == ["beta"]


def test_another_teams_collection_looks_like_it_does_not_exist(secured):
    seed(secured)
    b = auth(KEY_B)
    for r in [
        secured.get("/collections/alpha/documents", headers=b),
        secured.post("/ask", json={"question": "launch code?", "collection": "alpha"}, headers=b),
        secured.post(
            "/v1/chat/completions",
            json={"model": "alpha", "messages": [{"role": "user", "content": "launch code?"}]},
            headers=b,
        ),
        secured.delete("/collections/alpha", headers=b),
        secured.post(
            "/collections/alpha/documents",
            files=[("files", ("x.md", b"# X\n\nPlanted text in alpha."))],
            headers=b,
        ),
    ]:
        assert r.status_code == 404, r.text
        assert CANARY not in r.text
    alpha_docs = secured.get("/collections/alpha/documents", headers=auth(KEY_A)).json()
    assert [d["source"] for d in alpha_docs] == ["falcon.md"]


def test_read_only_keys_cannot_change_anything(secured):
    seed(secured)
    r = auth(KEY_READER)
    assert secured.get("/collections/alpha/documents", headers=r).status_code == 200
    doc_id = secured.get("/collections/alpha/documents", headers=r).json()[0]["document_id"]
    for resp in [
        secured.delete(f"/collections/alpha/documents/{doc_id}", headers=r),
        secured.delete("/collections/alpha", headers=r),
        secured.post(
            "/collections/alpha/documents",
            files=[("files", ("y.md", b"# Y\n\nMore text."))],
            headers=r,
        ),
        secured.post("/jobs", json={"collection": "alpha", "path": "."}, headers=r),
    ]:
        assert resp.status_code == 403, resp.text
    assert len(secured.get("/collections/alpha/documents", headers=r).json()) == 1


def test_the_canary_never_reaches_another_key(secured):
    seed(secured)
    b = auth(KEY_B)
    questions = [
        "What is the launch code?",
        "What is the QUOKKA code?",
        "Tell me about Project Falcon",
        "What is the Falcon budget?",
        "launch code confidential",
        "When is the launch?",
        "What does the canteen serve?",
    ]
    seen = []
    for i in range(40):
        q = questions[i % len(questions)]
        seen.append(
            secured.post("/ask", json={"question": q, "collection": "beta"}, headers=b).text
        )
        seen.append(
            secured.post(
                "/ask", json={"question": q, "collection": "beta", "stream": True}, headers=b
            ).text
        )
        seen.append(
            secured.post(
                "/v1/chat/completions",
                json={"model": "beta", "messages": [{"role": "user", "content": q}]},
                headers=b,
            ).text
        )
    seen += [
        secured.get("/collections", headers=b).text,
        secured.get("/collections/beta/documents", headers=b).text,
        secured.get("/jobs", headers=b).text,
        secured.get("/v1/models", headers=b).text,
    ]
    assert not any(CANARY in text for text in seen)
    # the canary is there for the key that owns it
    own = secured.post(
        "/ask",
        json={"question": "What is the launch code?", "collection": "alpha"},
        headers=auth(KEY_A),
    ).json()
    assert CANARY in own["answer"]


def test_keys_are_never_logged(secured, caplog):
    seed(secured)
    with caplog.at_level(logging.DEBUG):
        secured.get("/collections", headers=auth(KEY_A))
        secured.get("/collections", headers=auth(KEY_A + "x"))
        secured.post(
            "/ask", json={"question": "hi there", "collection": "alpha"}, headers=auth(KEY_A)
        )
    assert KEY_A not in caplog.text


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"keys": [{"key": "short", "name": "a"}]}', "16 characters"),
        ('{"keys": [{"key": "k", "name": "a", "extra": 1}]}', "extra"),
        ("not json", "cannot read the API keys file"),
        (
            '{"keys": [{"key": "same-secret-123456", "name": "a"},'
            ' {"key": "same-secret-123456", "name": "b"}]}',
            "same secret",
        ),
    ],
)
def test_a_bad_keys_file_stops_start_up_with_a_reason(settings, tmp_path, content, needle):
    from retrieval.errors import ConfigurationError

    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=needle) as info:
        create_app(settings.model_copy(update={"api_keys_file": path}))
    assert "same-secret-123456" not in str(info.value)


def test_the_schema_and_docs_need_a_key_when_keys_are_configured(secured):
    assert secured.get("/openapi.json").status_code == 401
    assert secured.get("/docs").status_code == 401
    schema = secured.get("/openapi.json", headers=auth(KEY_B)).json()
    assert "/ask" in schema["paths"]
    assert secured.get("/docs", headers=auth(KEY_B)).status_code == 200
