"""Providers and rerankers are chosen by name from registries; settings check the name
against them at start-up, so a new one needs no settings edit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from langchain_core.documents import Document
from pydantic import ValidationError

from app.settings import Settings
from retrieval.answer.providers import AnswerProvider, register_provider
from retrieval.answer.providers import base as provider_base
from retrieval.rerank import registry as rerank_registry
from retrieval.rerank.base import Reranker
from retrieval.rerank.registry import register_reranker
from tests.conftest import copy_samples


class QuoteFirstProvider(AnswerProvider):
    """Answers with the first sentence of the first source, cited."""

    name = "quote-first"

    def stream(self, question, sources, *, ranked=None) -> Iterator[str]:
        first = sources[0].page_content.split(". ")[0].rstrip(".")
        yield f"{first} [1]."


class ReverseReranker(Reranker):
    """Puts the retrieval order upside down (a reranker any test can see working)."""

    retrieval_weight: float = 0.0

    def warm_up(self) -> None:
        pass

    def relevance(self, query: str, passages: Sequence[str]) -> list[float]:
        return [float(n) for n in range(len(passages))]


@pytest.fixture
def registered():
    register_provider(QuoteFirstProvider)
    register_reranker("reverse")(lambda config: ReverseReranker())
    try:
        yield
    finally:
        provider_base._REGISTRY.pop("quote-first", None)
        rerank_registry._REGISTRY.pop("reverse", None)


def test_unknown_names_fail_at_start_up_with_the_valid_ones(tmp_path):
    with pytest.raises(ValidationError) as err:
        Settings(data_dir=tmp_path, llm="gpt-in-a-box")
    assert "GROUNDWORK_LLM='gpt-in-a-box' is not one of: extractive, llamacpp, openai" in str(
        err.value
    )
    with pytest.raises(ValidationError) as err:
        Settings(data_dir=tmp_path, reranker="magic")
    assert "cross-encoder, none, query-likelihood" in str(err.value)


def test_a_registered_provider_and_reranker_are_accepted_and_used(registered, tmp_path):
    from app.container import Container
    from tests.fakes import HashingEmbeddings

    settings = Settings(
        data_dir=tmp_path / "data", ingest_workers=0, llm="quote-first", reranker="reverse"
    )
    container = Container(settings, embeddings=HashingEmbeddings())
    assert isinstance(container.provider, QuoteFirstProvider)
    assert isinstance(container.reranker, ReverseReranker)
    container.ingestor.ingest_folder(copy_samples(tmp_path / "docs"), "company")
    answer = container.answers.ask("How many vacation days carry over?", "company")
    assert answer.provider == "quote-first"


def test_the_reranker_none_means_no_reranker(tmp_path):
    from app.container import Container

    container = Container(Settings(data_dir=tmp_path, reranker="none"))
    assert container.reranker is None


def test_a_reranker_reorders_through_the_shared_blend():
    docs = [Document(page_content=f"chunk {n}", metadata={"score": 1.0 - n / 10}) for n in range(3)]
    out = ReverseReranker().compress_documents(docs, "anything")
    assert [d.page_content for d in out] == ["chunk 2", "chunk 1", "chunk 0"]
    assert [d.metadata["rank"] for d in out] == [1, 2, 3]
