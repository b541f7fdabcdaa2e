"""The chat page: ask, watch the answer stream in, check its sources."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiError, StreamedAnswer
from ui.connection import sidebar
from ui.sources_view import render_answer

conn = sidebar()
if "messages" not in st.session_state:
    st.session_state.messages = []

with st.sidebar:
    if st.button("New chat", icon=":material/add_comment:", width="stretch"):
        st.session_state.messages = []

st.title("Ask your documents")
if conn.collection is None:
    st.info("Pick a collection in the sidebar (or upload documents on the Documents page).")
    st.stop()

for message in st.session_state.messages:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(message["content"])
        else:
            render_answer(message)

if question := st.chat_input(f"Ask about the documents in '{conn.collection}'"):
    history = [
        {"role": m["role"], "content": m["content"]}
        for m in st.session_state.messages
        if not m.get("error")
    ]
    st.session_state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        state = StreamedAnswer()
        placeholder = st.empty()
        try:
            with placeholder.container():
                st.write_stream(
                    conn.client.ask_stream(
                        question, conn.collection, history=history, top_k=conn.top_k, into=state
                    )
                )
            if state.error or state.answer is None:
                raise ApiError(state.error or "The answer stream ended early; please try again.")
        except ApiError as exc:
            placeholder.empty()
            message = {"role": "assistant", "content": "", "error": str(exc)}
        else:
            answer = state.answer
            placeholder.empty()  # the verified answer replaces what streamed
            message = {
                "role": "assistant",
                "content": answer["answer"],
                "refused": answer["refused"],
                "citations": answer["citations"],
                "notes": answer.get("notes", []),
                "sources": state.sources,
            }
        render_answer(message)
        st.session_state.messages.append(message)
