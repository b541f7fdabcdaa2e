"""The Streamlit pages under ``AppTest``, talking to a real API on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SAMPLE_DOCS, free_port

pytestmark = [pytest.mark.integration, pytest.mark.server]

CHAT = str(ROOT / "ui" / "chat_page.py")
DOCS = str(ROOT / "ui" / "documents_page.py")


@pytest.fixture
def page(running_api, monkeypatch):
    """An ``AppTest`` of a page, configured like ``groundwork ui`` would configure it.

    AppTest runs the page as ``__main__``; it is put back afterwards, or a process pool
    started later in this test run would re-run the page in its workers."""
    import sys

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def make(path: str, key: str = "full", url: str | None = None) -> AppTest:
        monkeypatch.setenv("GROUNDWORK_UI_API_URL", url or running_api.url)
        monkeypatch.setenv("GROUNDWORK_UI_API_KEY", running_api.keys[key])
        at = AppTest.from_file(path, default_timeout=120)
        return at.run()

    return make


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def test_chat_answers_with_sources_and_keeps_the_conversation(page, running_api):
    import httpx

    at = page(CHAT)
    assert not at.exception
    # exactly the collections the key may read, as the API lists them
    headers = {"Authorization": f"Bearer {running_api.keys['full']}"}
    listed = [
        c["name"] for c in httpx.get(running_api.url + "/collections", headers=headers).json()
    ]
    assert "company" in listed
    assert at.sidebar.selectbox(key="collection").options == listed
    assert "extractive" in texts(at)
    at = ask(at, "How long is parental leave for birth parents?")
    assert not at.exception
    shown = texts(at)
    assert "16 weeks" in shown
    assert "employee-handbook.pdf, page 3" in shown
    assert "<mark>" in shown  # the cited sentence is highlighted in its chunk
    at = ask(at, "and for non-birth parents?")
    assert "10 weeks" in texts(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    at.run()  # a rerun keeps the conversation
    assert len(at.chat_message) == 4 and "10 weeks" in texts(at)
    at.sidebar.button[0].click().run()  # New chat
    assert len(at.chat_message) == 0


def test_a_refusal_says_the_documents_do_not_contain_it(page):
    at = ask(page(CHAT), "What is the capital of Australia?")
    assert not at.exception
    assert any("do not contain" in w.value for w in at.warning)
    assert "page" not in "\n".join(m.value for m in at.markdown if "[1]" in m.value)


def test_top_k_from_the_sidebar_reaches_the_api(page):
    at = page(CHAT)
    at.sidebar.slider(key="top_k").set_value(1).run()
    at = ask(at, "How many vacation days carry over?")
    assert "Other retrieved passages" not in "\n".join(e.label for e in at.expander)


def test_an_api_that_cannot_be_reached_is_a_message_not_a_traceback(page):
    at = page(CHAT, url=f"http://127.0.0.1:{free_port()}")
    assert not at.exception
    assert any("Cannot reach the API" in e.value for e in at.error)


def test_a_slow_api_is_a_timeout_message(page, monkeypatch):
    """An API that takes the connection and never answers (a listening socket nobody
    reads): the page says so after its timeout, however fast the machine."""
    import socket

    monkeypatch.setenv("GROUNDWORK_UI_TIMEOUT_S", "0.5")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        at = page(CHAT, url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        assert not at.exception
        assert any("did not answer within" in e.value for e in at.error)


@pytest.fixture(scope="module")
def dead_model_api(tmp_path_factory):
    """An API whose answer model (an OpenAI-compatible server) is down."""
    import os

    from tests.conftest import start_api_with_samples, stop

    data = tmp_path_factory.mktemp("dead-model") / "data"
    env = {
        **os.environ,
        "GROUNDWORK_DATA_DIR": str(data),
        "GROUNDWORK_INGEST_WORKERS": "0",
        "GROUNDWORK_LLM": "openai",
        "GROUNDWORK_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        "GROUNDWORK_LLM_MODEL": "nothing-listens-here",
        "GROUNDWORK_LLM_TIMEOUT_S": "3",
    }
    proc, url = start_api_with_samples(env)
    try:
        yield url
    finally:
        stop(proc)


def test_a_model_outage_is_shown_in_the_chat(page, dead_model_api):
    at = page(CHAT, url=dead_model_api)
    assert "openai" in texts(at)
    at = ask(at, "How many vacation days carry over?")
    assert not at.exception
    assert any("unavailable right now" in e.value for e in at.error)
    at.run()  # the failed turn stays in the conversation as a message
    assert any("unavailable right now" in e.value for e in at.error)


def test_a_wrong_key_is_a_readable_message(page, monkeypatch, running_api):
    monkeypatch.setenv("GROUNDWORK_UI_API_URL", running_api.url)
    monkeypatch.setenv("GROUNDWORK_UI_API_KEY", "not-a-valid-key-000000")
    at = AppTest.from_file(CHAT, default_timeout=60).run()
    assert not at.exception
    assert any("did not accept the key" in e.value for e in at.error)


def test_a_key_without_collections_sees_none(page):
    at = page(CHAT, key="nobody")
    assert not at.exception
    assert at.sidebar.selectbox(key="collection").options == []
    assert any("no collection" in i.value.lower() for i in at.sidebar.info)


def test_documents_page_lists_uploads_and_deletes(page):
    at = page(DOCS)
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 6  # the sample documents, with their status
    at.sidebar.text_input(key="new_collection").set_value("scratch").run()
    files = [
        (p.name, p.read_bytes(), "application/octet-stream")
        for p in [SAMPLE_DOCS / "finance-faq.md", SAMPLE_DOCS / "board-minutes-damaged.pdf"]
    ] + [("tool.exe", b"MZ\x90\x00", "application/octet-stream")]
    at.file_uploader[0].set_value(files).run()
    upload = next(b for b in at.button if b.label == "Upload and ingest")
    at = upload.click().run()
    assert not at.exception
    shown = texts(at)
    assert "finance-faq.md**: new" in shown
    assert "board-minutes-damaged.pdf**: failed" in shown and "corrupt" in shown
    assert "tool.exe**: rejected" in shown and "unsupported file type" in shown
    table = at.dataframe[0].value
    assert set(table["file"]) == {"finance-faq.md", "board-minutes-damaged.pdf"}
    at.selectbox(key="delete_target").set_value("finance-faq.md").run()
    at = at.button(key="confirm_delete").click().run()
    assert not at.exception
    assert any("Deleted finance-faq.md" in s.value for s in at.success)
    assert set(at.dataframe[0].value["file"]) == {"board-minutes-damaged.pdf"}


def test_a_reader_key_cannot_upload_and_is_told_why(page):
    at = page(DOCS, key="reader")
    at.file_uploader[0].set_value([("x.md", b"# X\n\nSome text here.", "text/markdown")]).run()
    at = next(b for b in at.button if b.label == "Upload and ingest").click().run()
    assert not at.exception
    assert "not allowed" in texts(at)


def test_a_folder_job_shows_live_progress(page):
    at = page(DOCS)
    at.sidebar.text_input(key="new_collection").set_value("jobs").run()
    at.text_input(key="job_path").set_value("docs")
    submit = next(b for b in at.button if b.label == "Start job")
    at = submit.click().run()
    assert not at.exception
    deadline = time.time() + 120
    while time.time() < deadline:
        at.run()
        progress = " ".join(p.value if isinstance(p.value, str) else "" for p in at.text)
        shown = texts(at) + progress + " ".join(str(p.proto.text) for p in at.get("progress"))
        if "succeeded" in shown:
            break
        time.sleep(0.5)
    assert "succeeded" in shown and "6/6 files" in shown
    assert "board-minutes-damaged.pdf" in shown
    outside = page(DOCS)
    outside.text_input(key="job_path").set_value("../../etc")
    outside = next(b for b in outside.button if b.label == "Start job").click().run()
    assert any("outside the ingest root" in e.value for e in outside.error)


def test_sources_are_named_by_slide_sheet_or_scanned_page():
    from ui.sources_view import where

    assert where({"source": "deck.pptx", "page": 3, "label": "deck.pptx, slide 3"}) == (
        "deck.pptx, slide 3"
    )
    # an API from before labels: the page kind still shows
    assert where({"source": "deck.pptx", "page": 3, "page_kind": "slide"}) == "deck.pptx, slide 3"
    assert where({"source": "handbook.pdf", "page": 2}) == "handbook.pdf, page 2"
    assert where({"source": "notes.md", "page": None}) == "notes.md"
