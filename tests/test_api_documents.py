"""Uploads, documents and collections over HTTP (hashing embedder, real embedded Chroma)."""

from __future__ import annotations

from tests.conftest import sample_files


def upload(api, collection="company", files=None):
    return api.post(f"/collections/{collection}/documents", files=files or sample_files())


def by_name(response):
    return {f["filename"]: f for f in response.json()["files"]}


def test_upload_ingests_each_file_and_reports_it(api):
    r = upload(api)
    assert r.status_code == 200
    files = by_name(r)
    assert files["employee-handbook.pdf"]["status"] == "new"
    assert files["employee-handbook.pdf"]["chunks"] >= 5
    assert files["benefits-summary.docx"]["status"] == "new"
    # the corrupt PDF fails alone, with its reason; the rest went in
    damaged = files["board-minutes-damaged.pdf"]
    assert damaged["status"] == "failed" and "corrupt" in damaged["error"]
    docs = api.get("/collections/company/documents").json()
    assert {d["source"] for d in docs} == {f for f in files}
    assert next(d for d in docs if d["status"] == "failed")["error"]


def test_uploading_the_same_files_again_changes_nothing(api):
    upload(api)
    chunks = api.container.chunk_store.count("company")
    again = by_name(upload(api))
    assert {f["status"] for n, f in again.items() if "damaged" not in n} == {"unchanged"}
    assert api.container.chunk_store.count("company") == chunks


def test_a_changed_upload_replaces_its_old_chunks(api):
    upload(api, files=[("files", ("notes.md", b"# Notes\n\nThe parking garage opens at 7."))])
    r = upload(api, files=[("files", ("notes.md", b"# Notes\n\nThe parking garage opens at 6."))])
    assert by_name(r)["notes.md"]["status"] == "updated"
    doc_id = by_name(r)["notes.md"]["document_id"]
    detail = api.get(f"/collections/company/documents/{doc_id}?chunks=true").json()
    texts = " ".join(c["text"] for c in detail["chunk_list"])
    assert "opens at 6" in texts and "opens at 7" not in texts
    assert api.container.chunk_store.count("company") == detail["chunks"]


def test_bad_files_are_rejected_by_content_and_the_rest_goes_in(api):
    files = sample_files("finance-faq.md") + [
        ("files", ("report.pdf", b"this is plain text pretending to be a PDF")),
        ("files", ("letter.docx", b"%PDF-1.4 a PDF named .docx")),
        ("files", ("tool.exe", b"MZ\x90\x00binary")),
        ("files", ("notes.txt", b"\x00\x01\x02\x03 binary in a text file")),
        ("files", ("empty.md", b"")),
    ]
    r = upload(api, files=files)
    assert r.status_code == 200
    got = by_name(r)
    assert got["finance-faq.md"]["status"] == "new"
    assert "no PDF header" in got["report.pdf"]["error"]
    assert "not a Word" in got["letter.docx"]["error"]
    assert "unsupported file type .exe" in got["tool.exe"]["error"]
    assert "binary" in got["notes.txt"]["error"]
    assert "empty" in got["empty.md"]["error"]
    assert all(got[n]["status"] == "rejected" for n in got if n != "finance-faq.md")
    sources = {d["source"] for d in api.get("/collections/company/documents").json()}
    assert sources == {"finance-faq.md"}


def test_a_request_with_no_acceptable_file_is_a_422(api):
    r = upload(api, files=[("files", ("tool.exe", b"MZ"))])
    assert r.status_code == 422
    assert "tool.exe" in r.json()["detail"]


def test_file_names_cannot_escape_the_upload_folder(api):
    evil = "../../../outside.md"
    r = upload(api, files=[("files", (evil, b"# Outside\n\nText that must stay inside."))])
    got = by_name(r)[evil]
    assert got["status"] == "new" and got["source"] == "outside.md"
    data_dir = api.container.settings.data_dir
    assert (data_dir / "uploads" / "company" / "outside.md").is_file()
    assert not (data_dir.parent / "outside.md").exists()


def test_upload_limits(api, settings):
    big = b"a" * int(settings.max_upload_mb * 1_000_000 + 10)
    r = upload(api, files=[("files", ("big.txt", big))] + sample_files("finance-faq.md"))
    assert by_name(r)["big.txt"]["status"] == "rejected"
    assert "limit" in by_name(r)["big.txt"]["error"]
    too_many = [("files", (f"f{i}.txt", b"some words here")) for i in range(25)]
    r = upload(api, files=too_many)
    assert r.status_code in (400, 413)
    assert "files" in r.json()["detail"].lower()


def test_document_detail_and_delete(api):
    r = upload(api, files=sample_files("employee-handbook.pdf"))
    doc_id = by_name(r)["employee-handbook.pdf"]["document_id"]
    detail = api.get(f"/collections/company/documents/{doc_id}", params={"chunks": True}).json()
    assert detail["status"] == "ok" and detail["pages"] == 5
    assert [c["page"] for c in detail["chunk_list"]] == sorted(
        c["page"] for c in detail["chunk_list"]
    )
    assert api.delete(f"/collections/company/documents/{doc_id}").status_code == 204
    assert api.get(f"/collections/company/documents/{doc_id}").status_code == 404
    assert api.delete(f"/collections/company/documents/{doc_id}").status_code == 404
    assert api.container.chunk_store.count("company") == 0
    asked = api.post("/ask", json={"question": "vacation days carry over", "collection": "company"})
    assert asked.json()["refused"] is True


def test_collections_list_and_delete(api):
    upload(api, "alpha", sample_files("finance-faq.md"))
    upload(api, "beta", sample_files("office-guide-lisbon.txt"))
    names = {c["name"]: c for c in api.get("/collections").json()}
    assert set(names) == {"alpha", "beta"} and names["alpha"]["chunks"] > 0
    assert api.delete("/collections/alpha").status_code == 204
    assert [c["name"] for c in api.get("/collections").json()] == ["beta"]
    assert api.delete("/collections/alpha").status_code == 404
    assert api.get("/collections/alpha/documents").status_code == 404


def test_invalid_collection_names_are_422(api):
    r = api.post("/collections/Bad Name!/documents", files=sample_files("finance-faq.md"))
    assert r.status_code == 422 and "invalid collection name" in r.json()["detail"][0]["msg"]


def test_new_formats_upload_and_mislabelled_ones_are_rejected(api, tmp_path):
    from tests import format_files as ff

    sheet = ff.write_xlsx(tmp_path / "headcount.xlsx").read_bytes()
    deck = ff.write_pptx(tmp_path / "review.pptx").read_bytes()
    files = [
        ("files", ("headcount.xlsx", sheet)),
        ("files", ("review.pptx", deck)),
        ("files", ("photo.png", b"%PDF-1.7 a PDF named .png")),
        ("files", ("budget.xlsx", b"%PDF-1.7 a PDF named .xlsx")),
        ("files", ("minutes.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    ]
    got = by_name(upload(api, files=files))
    assert got["headcount.xlsx"]["status"] == got["review.pptx"]["status"] == "new"
    assert "does not match .png" in got["photo.png"]["error"]
    assert "does not match .xlsx" in got["budget.xlsx"]["error"]
    assert "save it as .docx" in got["minutes.doc"]["error"]
    detail = api.get(f"/collections/company/documents/{got['review.pptx']['document_id']}").json()
    assert detail["pages"] == 3 and detail["ocr_pages"] == 0
