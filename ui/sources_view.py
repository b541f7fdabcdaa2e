"""How an answer's sources are shown: file, page, the cited text highlighted in its chunk."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

REFUSED_NOTE = "The documents do not contain an answer to this question."


def highlight(chunk: str, snippet: str, context: int = 280) -> str:
    """HTML of ``chunk`` around ``snippet``, with ``snippet`` in a <mark>; all text escaped."""
    at = chunk.find(snippet) if snippet else -1
    if at < 0:
        return f"<mark>{html.escape(snippet)}</mark>"
    start, end = max(0, at - context), min(len(chunk), at + len(snippet) + context)
    before = ("…" if start > 0 else "") + chunk[start:at]
    after = chunk[at + len(snippet) : end] + ("…" if end < len(chunk) else "")
    return (
        f"{html.escape(before)}<mark>{html.escape(snippet)}</mark>{html.escape(after)}"
    ).replace("\n", "<br>")


def where(item: dict[str, Any]) -> str:
    """ "handbook.pdf, page 2", "deck.pptx, slide 3", "costs.xlsx, sheet Headcount"."""
    if item.get("label"):
        return str(item["label"])
    page = item.get("page")
    return item["source"] + (f", {item.get('page_kind') or 'page'} {page}" if page else "")


def render_sources(citations: list[dict[str, Any]], sources: list[dict[str, Any]]) -> None:
    """One box per citation [n]: file and page, the snippet highlighted, the whole chunk."""
    by_n = {s["n"]: s for s in sources}
    for cite in citations:
        chunk = by_n.get(cite["n"], {})
        with st.container(border=True):
            st.markdown(f"**[{cite['n']}] {html.escape(where(cite))}**")
            marked = highlight(chunk.get("text", ""), cite["snippet"])
            st.markdown(f"<div class='gw-snippet'>{marked}</div>", unsafe_allow_html=True)
            if chunk:
                with st.expander("Open the whole chunk"):
                    heading = chunk.get("heading") or chunk.get("title") or ""
                    if heading:
                        st.caption(heading)
                    st.text(chunk["text"])
    uncited = [s for s in sources if s["n"] not in {c["n"] for c in citations}]
    if uncited:
        with st.expander(f"Other retrieved passages ({len(uncited)})"):
            for s in uncited:
                st.markdown(f"**[{s['n']}] {html.escape(where(s))}**")
                st.text(s["text"])


def render_answer(message: dict[str, Any]) -> None:
    """A finished assistant message (also used to replay the conversation)."""
    if message.get("error"):
        st.error(message["error"])
        return
    st.markdown(message["content"])
    for note in message.get("notes", []):
        st.info(note, icon=":material/info:")
    if message.get("refused"):
        st.warning(REFUSED_NOTE)
        return
    render_sources(message.get("citations", []), message.get("sources", []))
