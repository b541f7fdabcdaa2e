"""Folder ingestion jobs: progress, limits on paths, cancel and resume without duplicates."""

from __future__ import annotations

import shutil
import time

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import copy_samples


@pytest.fixture
def root(tmp_path):
    base = tmp_path / "inbox"
    base.mkdir()
    copy_samples(base / "docs")
    many = base / "many"
    many.mkdir()
    for i in range(60):
        (many / f"note-{i:03d}.md").write_text(
            f"# Note {i}\n\nMeeting note number {i}. The team agreed on item {i * 7}.\n" * 3
        )
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "passwords.txt").write_text("root password hunter2")
    return base


@pytest.fixture
def jobs_api(fake_container, root):
    fake_container.settings = fake_container.settings.model_copy(
        update={"ingest_root": root, "ingest_batch_chunks": 4}
    )
    with TestClient(create_app(container=fake_container)) as client:
        client.container = fake_container
        yield client


def wait_for(client, job_id, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise TimeoutError(job)


def test_a_job_ingests_a_folder_and_reports_counts(jobs_api):
    r = jobs_api.post("/jobs", json={"collection": "company", "path": "docs"})
    assert r.status_code == 202 and r.json()["status"] in ("queued", "running")
    job = wait_for(jobs_api, r.json()["id"])
    assert job["status"] == "succeeded"
    assert job["total"] == 6 and job["done"] == 6 and job["new"] == 5
    assert job["failed"][0]["source"] == "board-minutes-damaged.pdf"
    assert job["chunks"] > 10 and job["files_per_s"] > 0 and job["finished_at"]
    again = wait_for(
        jobs_api,
        jobs_api.post("/jobs", json={"collection": "company", "path": "docs"}).json()["id"],
    )
    assert again["unchanged"] == 5 and again["new"] == 0 and again["chunks"] == 0
    assert [j["id"] for j in jobs_api.get("/jobs").json()][:2] == [again["id"], job["id"]]


def test_a_job_puts_back_what_the_index_lost(jobs_api):
    first = wait_for(
        jobs_api,
        jobs_api.post("/jobs", json={"collection": "company", "path": "docs"}).json()["id"],
    )
    shutil.rmtree(jobs_api.container.keyword_index.path("company"))
    again = wait_for(
        jobs_api,
        jobs_api.post("/jobs", json={"collection": "company", "path": "docs"}).json()["id"],
    )
    assert again["status"] == "succeeded"
    assert again["repaired"] == again["updated"] == first["new"] and again["unchanged"] == 0
    assert again["chunks"] == first["chunks"]


@pytest.mark.parametrize(
    ("path", "status", "needle"),
    [
        ("../secret", 403, "outside the ingest root"),
        ("/etc", 403, "outside the ingest root"),
        ("docs/../../secret", 403, "outside the ingest root"),
        ("nope", 404, "no such folder"),
    ],
)
def test_paths_outside_the_root_are_refused(jobs_api, path, status, needle):
    r = jobs_api.post("/jobs", json={"collection": "company", "path": path})
    assert r.status_code == status and needle in r.json()["detail"]
    assert jobs_api.get("/jobs").json() == []


def test_jobs_are_off_without_an_ingest_root(api):
    r = api.post("/jobs", json={"collection": "company", "path": "docs"})
    assert r.status_code == 400 and "GROUNDWORK_INGEST_ROOT" in r.json()["detail"]


def test_unknown_jobs_are_404(jobs_api):
    assert jobs_api.get("/jobs/nope").status_code == 404
    assert jobs_api.delete("/jobs/nope").status_code == 404


@pytest.fixture
def gated_api(settings, root):
    """Its embedder lets four batches through (8 notes of 3 chunks, 2 notes a batch of at
    least 4 chunks), then waits until the test releases it."""
    from app.container import Container
    from tests.fakes import GatedEmbeddings, HashingEmbeddings

    s = settings.model_copy(update={"ingest_root": root, "ingest_batch_chunks": 4})
    embeddings = GatedEmbeddings(open_batches=4)
    # answers score sentences with their own model: the API's warm-up question, asked in
    # the background once the job has written records, must not pass through the gate
    container = Container(s, embeddings=embeddings, support_embeddings=HashingEmbeddings())
    with TestClient(create_app(container=container)) as client:
        client.container = container
        client.embeddings = embeddings
        yield client
        embeddings.release()


def test_progress_is_live_and_cancel_then_resume_has_no_duplicates(gated_api):
    api = gated_api
    job_id = api.post("/jobs", json={"collection": "notes", "path": "many"}).json()["id"]
    assert api.embeddings.holding.wait(60), "the job never reached its third batch"
    job = api.get(f"/jobs/{job_id}").json()
    assert job["status"] == "running" and job["total"] == 60 and job["done"] == 8
    assert job["files_per_s"] > 0 and job["chunks_per_s"] > 0
    # the ETA is what is left at the current rate
    left = job["total"] - job["done"]
    assert job["eta_s"] == pytest.approx(left / job["files_per_s"], abs=0.051)
    r = api.delete(f"/jobs/{job_id}")
    assert r.status_code == 202
    api.embeddings.release()
    job = wait_for(api, job_id)
    assert job["status"] == "cancelled" and 8 <= job["done"] < 60
    assert api.delete(f"/jobs/{job_id}").status_code == 409
    r = api.post(f"/jobs/{job_id}/resume")
    assert r.status_code == 202
    job = wait_for(api, job_id)
    assert job["status"] == "succeeded" and job["total"] == 60 and job["done"] == 60
    assert job["new"] + job["unchanged"] == 60 and job["unchanged"] >= 8
    docs = api.get("/collections/notes/documents").json()
    assert len(docs) == 60 and all(d["status"] == "ok" for d in docs)
    assert api.container.chunk_store.count("notes") == sum(d["chunks"] for d in docs)
    assert api.post(f"/jobs/{job_id}/resume").status_code == 409


def test_a_job_cut_short_by_a_restart_is_shown_interrupted_and_resumes(
    fake_container, root, settings
):
    """An API process that dies mid-job leaves the job 'running'; the next start says so."""
    from app.api.job_store import JobStore

    store = JobStore(settings.data_dir / "jobs.sqlite3")
    job = store.create("notes", "many", False, "team-a", [str(root.resolve())])
    job.status, job.pid, job.done, job.total = "running", 2**22 + 12345, 10, 60  # a dead pid
    store.save(job)
    fake_container.settings = fake_container.settings.model_copy(update={"ingest_root": root})
    with TestClient(create_app(container=fake_container)) as client:
        shown = client.get(f"/jobs/{job.id}").json()
        assert shown["status"] == "interrupted" and "resume" in shown["error"]
        client.post(f"/jobs/{job.id}/resume")
        assert wait_for(client, job.id)["status"] == "succeeded"
        docs = client.get("/collections/notes/documents").json()
        assert len(docs) == 60
        assert fake_container.chunk_store.count("notes") == sum(d["chunks"] for d in docs)


def test_a_cancel_is_not_lost_when_progress_is_saved_after_it(tmp_path):
    """The runner saves progress from the copy of the job it read before the cancel."""
    from app.api.job_store import Job, JobStore

    store = JobStore(tmp_path / "jobs.sqlite3")
    job = Job("j1", "notes", "many", False, "team")
    store.save(job)
    store.request_cancel("j1")
    job.done = 5
    store.save(job)  # a progress write from the stale copy
    assert store.cancel_requested("j1") and store.get("j1").done == 5
    store.replace(Job("j1", "notes", "many", False, "team"))  # resume starts afresh
    assert not store.cancel_requested("j1")
