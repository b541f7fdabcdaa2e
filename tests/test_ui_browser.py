"""One real browser session: the API and ``streamlit run`` on 127.0.0.1, Debian's Chromium."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import BIN, free_port, stop, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def ui_url(running_api, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GROUNDWORK_UI_API_URL": running_api.url,
        "GROUNDWORK_UI_API_KEY": running_api.keys["reader"],
    }
    proc = subprocess.Popen(
        [str(BIN / "groundwork"), "ui", "--port", str(port), "--api-url", running_api.url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/_stcore/health", 90, proc)
        yield url
    finally:
        stop(proc)


def test_ask_in_a_real_browser_and_see_the_answer_and_its_page(ui_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert os.path.exists(CHROMIUM), "install Debian's chromium (make test does)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(ui_url)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=60_000)
            box.fill("How long is parental leave for non-birth parents?")
            box.press("Enter")
            answer = page.get_by_test_id("stChatMessage").nth(1)
            expect(answer).to_contain_text("10 weeks", timeout=60_000)
            expect(answer).to_contain_text("employee-handbook.pdf, page 3", timeout=30_000)
            expect(answer.locator("mark").first).to_contain_text("Non-birth parents")
            page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "chat.png").stat().st_size > 10_000
