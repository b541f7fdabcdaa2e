"""No input the schema allows, nor any it forbids, makes the API answer 5xx.

schemathesis generates requests from the OpenAPI schema (a bounded number per
operation) against a real app over a hashing embedder, with keys configured."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from app.api import create_app
from app.settings import Settings
from tests.conftest import copy_samples, write_keys

pytestmark = pytest.mark.integration  # about 20 s: kept out of make test-fast

KEY = "fuzz-admin-key-0123456789"

# the schema does not depend on any state: read it from an app that is never started
schema = schemathesis.openapi.from_dict(
    create_app(Settings(data_dir=tempfile.mkdtemp(prefix="gw-schema-"))).openapi()
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    base = tmp_path_factory.mktemp("fuzz")
    root = base / "inbox"
    copy_samples(root / "company")
    keys = write_keys(base / "keys.json", {"key": KEY, "name": "ops", "admin": True})
    s = Settings(
        data_dir=base / "data",
        ingest_workers=0,
        reranker="none",
        api_keys_file=keys,
        ingest_root=root,
    )
    container = Container(s, embeddings=HashingEmbeddings())
    container.ingestor.ingest_folder(root / "company", "company")
    with TestClient(create_app(container=container), raise_server_exceptions=False) as c:
        yield c


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same examples on every run: a red CI means a real 5xx, every time
)
def test_no_request_gets_a_5xx(case, client):
    kwargs = case.as_transport_kwargs(base_url="")
    headers = {**(kwargs.pop("headers", None) or {}), "Authorization": f"Bearer {KEY}"}
    response = client.request(**kwargs, headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
