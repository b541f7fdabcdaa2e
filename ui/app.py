"""Groundwork's chat UI: ``streamlit run ui/app.py`` (or ``groundwork ui``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Groundwork", page_icon=":material/menu_book:", layout="wide")
st.markdown(
    "<style>.gw-snippet mark{background:#ffe08a;padding:0 .1em}"
    ".gw-snippet{font-size:.92rem;line-height:1.5}</style>",
    unsafe_allow_html=True,
)
here = Path(__file__).parent
st.navigation(
    [
        st.Page(here / "chat_page.py", title="Chat", icon=":material/chat:", default=True),
        st.Page(here / "documents_page.py", title="Documents", icon=":material/description:"),
    ]
).run()
