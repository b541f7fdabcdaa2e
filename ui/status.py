"""The API's readiness, told as a sentence, and refreshed in the sidebar until it is ready."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.client import ApiError, GroundworkClient

REFRESH_S = 2.0


def readiness_sentence(ready: dict[str, Any]) -> str | None:
    """None when the API is ready; otherwise what it is waiting for, in plain words."""
    if ready.get("status") == "ready":
        return None
    checks = ready.get("checks") or {}
    waiting = []
    store = checks.get("store")
    if store and store != "ok":
        waiting.append(f"the document store cannot be reached ({store})")
    model = checks.get("embedding_model")
    if model == "loading":
        waiting.append("the models are still loading")
    elif model and model != "ok":
        waiting.append(f"the models could not be loaded ({model})")
    if not waiting:
        waiting.append("it is starting")
    return "The API is not ready: " + " and ".join(waiting) + "."


def show_readiness(client: GroundworkClient, ready: dict[str, Any]) -> None:
    """A warning while the API is not ready, checked again every few seconds; the page
    runs again once it is ready, and the warning goes."""
    if readiness_sentence(ready) is None:
        return

    @st.fragment(run_every=REFRESH_S)
    def _status() -> None:
        try:
            now = client.ready()
        except ApiError as exc:
            st.warning(str(exc))
            return
        sentence = readiness_sentence(now)
        if sentence is None:
            st.rerun(scope="app")
        st.warning(sentence)

    _status()
