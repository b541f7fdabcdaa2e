"""The documents page: upload into the selected collection, list, delete, run folder jobs."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ui.client import ApiError
from ui.connection import sidebar

STATUS_ICON = {
    "new": "✅",
    "updated": "🔄",
    "unchanged": "➖",
    "failed": "❌",
    "rejected": "⛔",
}


def result_line(result: dict) -> str:
    """One uploaded file's outcome: icon, name, status, chunks or the reason it failed."""
    detail = result["error"] if result.get("error") else f"{result['chunks']} chunks"
    icon = STATUS_ICON.get(result["status"], "")
    return f"{icon} **{result['filename']}**: {result['status']}, {detail}"


conn = sidebar(allow_new_collection=True)
client = conn.client
st.title("Documents")
if conn.collection is None:
    st.info("Pick a collection in the sidebar, or type a new name to create one.")
    st.stop()
collection = conn.collection

# -- upload -----------------------------------------------------------------------------
st.subheader(f"Add documents to '{collection}'")
files = st.file_uploader(
    "Drop files here: PDF (scanned too), Word, PowerPoint, Excel, OpenDocument (text, "
    "slides, sheets), Rich Text, CSV, e-mail (.eml, Outlook .msg), EPUB, HTML, Markdown, "
    "JSON, XML, text, or images (read by OCR)",
    accept_multiple_files=True,
    key=f"uploader-{st.session_state.get('upload_round', 0)}",
)
if st.button("Upload and ingest", type="primary", disabled=not files):
    results = []
    bar = st.progress(0.0, text="Uploading…")
    lines = st.container()
    for i, f in enumerate(files, start=1):
        bar.progress((i - 1) / len(files), text=f"Uploading {f.name} ({i}/{len(files)})")
        try:
            result = client.upload(collection, f.name, f.getvalue())
        except ApiError as exc:
            result = {"filename": f.name, "status": "rejected", "chunks": 0, "error": str(exc)}
        results.append(result)
        lines.markdown(result_line(result))
    bar.progress(1.0, text=f"Done: {len(files)} file(s)")
    st.session_state.upload_results = results
    st.session_state.upload_round = st.session_state.get("upload_round", 0) + 1
elif st.session_state.get("upload_results"):
    for result in st.session_state.upload_results:
        st.markdown(result_line(result))

# -- list and delete ----------------------------------------------------------------------
st.subheader("In this collection")
if deleted := st.session_state.pop("deleted", None):
    st.success(f"Deleted {deleted}.")
try:
    docs = client.documents(collection)
except ApiError as exc:
    docs = []
    if exc.status != 404:  # a new collection has no documents yet
        st.error(str(exc))
if docs:
    st.dataframe(
        [
            {
                "file": d["source"],
                "status": d["status"],
                "chunks": d["chunks"],
                "pages": str(d["pages"] or "")
                + (f" ({d['ocr_pages']} by OCR)" if d.get("ocr_pages") else ""),
                "last ingest": datetime.fromisoformat(d["last_ingest"]).strftime("%Y-%m-%d %H:%M")
                if d["last_ingest"]
                else "",
                "error": d["error"] or "",
            }
            for d in docs
        ],
        hide_index=True,
        width="stretch",
    )
    by_source = {d["source"]: d for d in docs}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    target = left.selectbox("Document to delete", list(by_source), key="delete_target")
    with right.popover("Delete", icon=":material/delete:", width="stretch"):
        st.markdown(f"Remove **{target}** and its chunks from '{collection}'?")
        if st.button("Yes, delete it", type="primary", key="confirm_delete"):
            try:
                client.delete_document(collection, by_source[target]["document_id"])
                st.session_state.deleted = target
                st.rerun()
            except ApiError as exc:
                st.error(str(exc))

else:
    st.caption("No documents yet.")

# -- folder jobs --------------------------------------------------------------------------
st.subheader("Ingest a folder on the server")
with st.form("job"):
    path = st.text_input("Folder, relative to the API's ingest root", key="job_path")
    prune = st.checkbox("Remove documents whose files are gone", key="job_prune")
    if st.form_submit_button("Start job") and path.strip():
        try:
            st.session_state.job_id = client.start_job(collection, path.strip(), prune)["id"]
        except ApiError as exc:
            st.error(str(exc))


@st.fragment(run_every=1.0)
def job_progress() -> None:
    job_id = st.session_state.get("job_id")
    if not job_id:
        return
    try:
        job = client.job(job_id)
    except ApiError as exc:
        st.error(str(exc))
        return
    total, done = job["total"], job["done"]
    eta = f", about {job['eta_s']:.0f} s left" if job.get("eta_s") else ""
    st.progress(
        done / total if total else 0.0,
        text=f"Job {job['path']}: {job['status']}, {done}/{total} files, "
        f"{job['files_per_s']:.1f} files/s, {job['chunks_per_s']:.0f} chunks/s{eta}",
    )
    st.caption(
        f"new {job['new']} · updated {job['updated']} · unchanged {job['unchanged']} · "
        f"failed {len(job['failed'])} · skipped {job['skipped']}"
    )
    for failure in job["failed"]:
        st.markdown(f"❌ **{failure['source']}**: {failure['reason']}")
    if job["error"]:
        st.warning(job["error"])
    if job["status"] in ("queued", "running") and st.button("Cancel job"):
        try:
            client.cancel_job(job_id)
        except ApiError as exc:
            st.error(str(exc))


job_progress()
