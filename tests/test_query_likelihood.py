"""Query-likelihood specifics (real SmolLM2 GGUF through llama-cpp-python); the reranker
contract is in test_reranking.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.errors import ConfigurationError
from tests.test_reranking import BRIDGE

pytestmark = [pytest.mark.integration, pytest.mark.llamacpp]

pytest.importorskip("llama_cpp", reason="needs the 'llamacpp' extra")


@pytest.fixture(scope="module")
def reranker():
    from retrieval.models.llama import default_gguf
    from retrieval.rerank.query_likelihood import QueryLikelihoodReranker

    r = QueryLikelihoodReranker(gguf_path=default_gguf(), retrieval_weight=0.0)
    r.warm_up()
    return r


def test_likelihood_is_higher_for_the_answering_passage(reranker):
    q = "Who designed the Golden Gate Bridge?"
    assert reranker.likelihood(q, BRIDGE[1].page_content) > reranker.likelihood(
        q, BRIDGE[2].page_content
    )


def test_a_missing_model_file_is_a_configuration_error(tmp_path):
    from retrieval.rerank.query_likelihood import QueryLikelihoodReranker

    with pytest.raises(ConfigurationError, match="not found"):
        QueryLikelihoodReranker(gguf_path=tmp_path / "nope.gguf")


def test_a_corrupt_model_file_fails_on_load_with_its_name(tmp_path):
    from retrieval.rerank.query_likelihood import QueryLikelihoodReranker

    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    r = QueryLikelihoodReranker(gguf_path=bad)
    with pytest.raises(ConfigurationError, match="bad.gguf"):
        r.warm_up()


def test_settings_reject_a_missing_reranker_model(tmp_path):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="GROUNDWORK_RERANKER_GGUF_PATH"):
        Settings(data_dir=tmp_path, reranker_gguf_path=Path(tmp_path / "x.gguf"))
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, reranker="colbert")
