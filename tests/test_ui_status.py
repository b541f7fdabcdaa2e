"""The sidebar tells the API's readiness in a sentence, and stops once the API is ready."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.status import readiness_sentence

CHAT = str(ROOT / "ui" / "chat_page.py")


def test_a_ready_api_needs_no_sentence():
    assert readiness_sentence({"status": "ready", "checks": {"store": "ok"}}) is None


def test_loading_models_are_said_in_words():
    sentence = readiness_sentence(
        {
            "status": "not ready",
            "checks": {"store": "ok", "embedding_model": "loading", "provider": "extractive"},
        }
    )
    assert sentence == "The API is not ready: the models are still loading."


def test_an_unreachable_store_and_a_failed_model_are_both_named():
    sentence = readiness_sentence(
        {
            "status": "not ready",
            "checks": {"store": "Connection refused", "embedding_model": "failed to load: x"},
        }
    )
    assert "document store cannot be reached (Connection refused)" in sentence
    assert "models could not be loaded (failed to load: x)" in sentence
    assert "{" not in sentence


class _Api(BaseHTTPRequestHandler):
    """A stand-in API: /ready says what ``state["ready"]`` says; one collection."""

    state = {"ready": False}

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/ready":
            ok = self.state["ready"]
            checks = {"store": "ok", "embedding_model": "ok" if ok else "loading"}
            checks["provider"] = "extractive"
            self._json(
                200 if ok else 503, {"status": "ready" if ok else "not ready", "checks": checks}
            )
        elif self.path == "/collections":
            self._json(200, [{"name": "company", "documents": 1, "chunks": 1}])
        else:
            self._json(404, {"detail": "not found"})

    def _json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Api.state["ready"] = False
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_sidebar_shows_a_sentence_until_the_api_is_ready(stand_in_api, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    monkeypatch.setenv("GROUNDWORK_UI_API_URL", stand_in_api)
    monkeypatch.delenv("GROUNDWORK_UI_API_KEY", raising=False)
    at = AppTest.from_file(CHAT, default_timeout=60).run()
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert "The API is not ready: the models are still loading." in shown
    assert not any("{" in w for w in shown)  # no raw dict
    _Api.state["ready"] = True
    at.run()
    assert not at.exception
    assert not any("not ready" in w.value for w in at.warning)
