"""The sidebar: API URL and key, collection picker, provider in use, retrieval settings."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.client import ApiError, GroundworkClient
from ui.settings import UISettings
from ui.status import show_readiness


@dataclass
class Connection:
    client: GroundworkClient
    collection: str | None
    top_k: int
    provider: str


@st.cache_resource(show_spinner=False)
def api_client(url: str, key: str, timeout_s: float) -> GroundworkClient:
    return GroundworkClient(url, key or None, timeout_s=timeout_s)


def sidebar(*, allow_new_collection: bool = False) -> Connection:
    """Draw the sidebar; stop the page with a readable message if the API is unusable."""
    settings = UISettings()  # read on every run: cheap, and follows the environment
    with st.sidebar:
        st.header("Groundwork")
        url = st.text_input("API URL", value=settings.api_url, key="api_url")
        key = st.text_input(
            "API key",
            value=settings.api_key.get_secret_value() if settings.api_key else "",
            type="password",
            key="api_key",
            help="from GROUNDWORK_UI_API_KEY, or typed here",
        )
        client = api_client(url.strip(), key.strip(), settings.timeout_s)
        try:
            ready = client.ready()
            names = [c["name"] for c in client.collections()]
        except ApiError as exc:
            st.error(str(exc))
            st.stop()
        provider = ready.get("checks", {}).get("provider", "?")
        show_readiness(client, ready)
        if not names and not allow_new_collection:
            st.info("This key can read no collection yet. Upload documents on the Documents page.")
        collection = st.selectbox(
            "Collection",
            names,
            index=0 if names else None,
            key="collection",
            placeholder="no collection",
            help="only the collections this key may read",
        )
        if allow_new_collection:
            new = st.text_input(
                "…or a new collection",
                key="new_collection",
                placeholder="e.g. team-handbooks",
                help="3-63 lowercase letters, digits, '-' or '_'",
            ).strip()
            collection = new or collection
        st.caption(f"Answer provider: **{provider}**")
        top_k = st.slider("Sources per answer (top_k)", 1, 20, settings.default_top_k, key="top_k")
    return Connection(client, collection, top_k, provider)
