"""The ``openai`` provider against a real ``python -m llama_cpp.server`` (SmolLM2 GGUF)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import free_port, stop, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.llamacpp]

llama_cpp = pytest.importorskip("llama_cpp")
pytest.importorskip("sse_starlette")


@pytest.fixture(scope="module")
def llama_server():
    from retrieval.models.llama import default_gguf

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_gguf()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "smollm2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", 120, proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)


def provider_container(company, **settings):
    """A container over the ingested sample collection with another answer provider."""
    from app.container import Container
    from app.settings import Settings

    return Container(
        Settings(data_dir=company.settings.data_dir, **settings), embeddings=company.embeddings
    )


def test_openai_provider_answers_with_only_verified_citations(llama_server, company):
    container = provider_container(
        company, llm="openai", llm_base_url=llama_server, llm_model="smollm2", llm_max_tokens=120
    )
    settings = container.settings
    assert container.provider.name == "openai"
    answer = container.answers.ask("How many vacation days carry over?", "company")
    assert answer.provider == "openai"
    if answer.refused:
        assert answer.citations == []
    else:  # whatever the small model wrote, what survives is backed by a quoted source
        assert answer.citations
        for c in answer.citations:
            assert f"[{c.n}]" in answer.answer
            assert c.score >= settings.citation_threshold


def test_openai_provider_streams_tokens(llama_server, company):
    container = provider_container(
        company, llm="openai", llm_base_url=llama_server, llm_model="smollm2", llm_max_tokens=60
    )
    events = list(container.answers.stream("What is the home office stipend?", "company"))
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["question", "sources"] and kinds[-1] == "done" and kinds.count("token") > 1


def test_unreachable_model_server_is_a_clear_error(company):
    from app.container import Container
    from app.settings import Settings
    from retrieval.errors import ProviderUnavailableError

    settings = Settings(
        data_dir=company.settings.data_dir,
        llm="openai",
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_model="x",
        llm_timeout_s=5,
    )
    container = Container(settings, embeddings=company.embeddings)
    with pytest.raises(ProviderUnavailableError, match="unavailable"):
        container.answers.ask("How many vacation days carry over?", "company")


def test_llamacpp_provider_runs_the_packaged_gguf(company):
    from app.container import Container
    from app.settings import Settings

    settings = Settings(data_dir=company.settings.data_dir, llm="llamacpp", llm_max_tokens=60)
    container = Container(settings, embeddings=company.embeddings)
    answer = container.answers.ask("What is the home office stipend?", "company")
    assert answer.provider == "llamacpp"
    # whatever the small model wrote, every citation kept is marked in the answer text
    for c in answer.citations:
        assert f"[{c.n}]" in answer.answer
    assert answer.refused == (answer.citations == [])
    container.answers.ask("How many vacation days carry over?", "company")
    assert container.provider.model.loads == 1  # loaded once, reused
