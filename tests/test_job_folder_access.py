"""Folder access is part of a key: a job reads only folders its key may ingest.

Every path form of the attack that once read another team's folder: the folder's name,
its absolute path, ``..``, a symlink, ``.``; and files linked from inside an allowed
folder to outside it."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.folder_access import resolve_job_folder
from tests.conftest import write_keys

KEY_COMPANY = "company-writer-0123456789"
KEY_SHARED = "shared-reader-0123456789"
KEY_ADMIN = "ops-admin-key-0123456789"
SECRET = "ZEBRA-4411"


@pytest.fixture
def root(tmp_path):
    base = tmp_path / "inbox"
    (base / "company").mkdir(parents=True)
    (base / "company" / "handbook.md").write_text("# Handbook\n\nLunch is served at noon.\n")
    (base / "finance").mkdir()
    (base / "finance" / "salaries.md").write_text(f"# Salaries\n\nThe payroll code is {SECRET}.\n")
    (base / "shared" / "policies").mkdir(parents=True)
    (base / "shared" / "policies" / "travel.md").write_text("# Travel\n\nBook trains.\n")
    return base


@pytest.fixture
def secured(fake_container, root, tmp_path):
    keys = write_keys(
        tmp_path / "keys.json",
        {"key": KEY_COMPANY, "name": "company", "read": ["company"], "write": ["company"]},
        {
            "key": KEY_SHARED,
            "name": "shared",
            "read": ["company"],
            "write": ["company"],
            "ingest_paths": ["shared/policies"],
        },
        {"key": KEY_ADMIN, "name": "ops", "admin": True},
    )
    fake_container.settings = fake_container.settings.model_copy(
        update={"api_keys_file": keys, "ingest_root": root}
    )
    with TestClient(create_app(container=fake_container)) as client:
        client.container = fake_container
        yield client


def start(client, key, path, collection="company"):
    return client.post(
        "/jobs",
        json={"collection": collection, "path": path},
        headers={"Authorization": f"Bearer {key}"},
    )


def finished(client, key, job_id):
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.time() + 60
    while time.time() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise TimeoutError(job)


def indexed_text(client) -> str:
    store = client.container.chunk_store
    if not store.exists("company"):
        return ""
    return " ".join(d.page_content for d in store.first_chunks("company", 10_000))


@pytest.mark.parametrize(
    "path",
    ["finance", "ABSOLUTE/finance", "company/../finance", "company/finance-link", ".", "/"],
)
def test_a_key_cannot_read_another_teams_folder(secured, root, path):
    (root / "company" / "finance-link").symlink_to(root / "finance", target_is_directory=True)
    path = path.replace("ABSOLUTE", str(root))
    r = start(secured, KEY_COMPANY, path)
    assert r.status_code == 403, r.text
    assert "may not ingest" in r.json()["detail"] or "outside the ingest root" in r.json()["detail"]
    assert SECRET not in indexed_text(secured)


def test_its_own_folder_is_ingested(secured):
    r = start(secured, KEY_COMPANY, "company")
    assert r.status_code == 202, r.text
    job = finished(secured, KEY_COMPANY, r.json()["id"])
    assert job["status"] == "succeeded" and job["new"] == 1
    assert "Lunch is served at noon" in indexed_text(secured)


def test_a_file_linked_from_inside_an_allowed_folder_to_outside_is_not_read(secured, root):
    (root / "company" / "payroll.md").symlink_to(root / "finance" / "salaries.md")
    job = finished(secured, KEY_COMPANY, start(secured, KEY_COMPANY, "company").json()["id"])
    assert job["status"] == "succeeded" and job["new"] == 1 and job["skipped"] == 1
    assert SECRET not in indexed_text(secured)


def test_named_ingest_paths_and_admin_keys(secured):
    r = start(secured, KEY_SHARED, "shared/policies")
    assert r.status_code == 202
    assert finished(secured, KEY_SHARED, r.json()["id"])["new"] == 1
    assert start(secured, KEY_SHARED, "shared").status_code == 403  # only the named folder
    assert start(secured, KEY_SHARED, "finance").status_code == 403
    r = start(secured, KEY_ADMIN, "finance", collection="finance")
    assert r.status_code == 202


@pytest.mark.parametrize(
    "path", ["company\x00", "a" * 1025, "company\ud800"], ids=["nul", "long", "surrogate"]
)
def test_impossible_paths_are_4xx(secured, path):
    import json

    body = json.dumps({"collection": "company", "path": path}).encode()
    r = secured.post(
        "/jobs",
        content=body,
        headers={"Authorization": f"Bearer {KEY_COMPANY}", "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text


def test_a_folder_swapped_for_a_link_after_the_check_is_refused_at_run_time(root):
    """The runner checks again against the folders allowed when the job was asked for."""
    allowed = [str((root / "company").resolve())]
    assert resolve_job_folder(root, "company", allowed) == (root / "company").resolve()
    (root / "company").rename(root / "company-old")
    (root / "company").symlink_to(root / "finance", target_is_directory=True)
    with pytest.raises(PermissionError, match="may not ingest"):
        resolve_job_folder(root, "company", allowed)


def test_a_keys_file_cannot_name_folders_outside_the_root(tmp_path):
    from app.api.auth import KeyRing
    from retrieval.errors import ConfigurationError

    bad = write_keys(
        tmp_path / "keys.json",
        {"key": KEY_COMPANY, "name": "x", "ingest_paths": ["../etc"]},
    )
    with pytest.raises(ConfigurationError, match="ingest_paths"):
        KeyRing.load(bad)


@pytest.mark.integration
def test_ray_jobs_run_on_ray_and_only_admins_choose_a_cluster(secured):
    pytest.importorskip("ray")
    auth = {"Authorization": f"Bearer {KEY_COMPANY}"}
    body = {"collection": "company", "path": "company", "engine": "ray"}
    r = secured.post("/jobs", json={**body, "ray_address": "10.0.0.1:6379"}, headers=auth)
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    r = secured.post("/jobs", json=body, headers=auth)
    assert r.status_code == 202 and r.json()["engine"] == "ray"
    job = finished(secured, KEY_COMPANY, r.json()["id"])
    assert job["status"] == "succeeded" and job["new"] == 1 and job["engine"] == "ray"
    assert job["done"] == job["total"] == 1 and job["chunks"] >= 1
    assert "noon" in indexed_text(secured)
