"""The answer-provider contract and its registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from langchain_core.documents import Document
from pydantic import BaseModel, SecretStr

from retrieval.answer.support import Candidate, SupportScorer
from retrieval.errors import ConfigurationError


class ProviderConfig(BaseModel):
    """Everything a provider may need; each provider reads only its own fields."""

    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    gguf_path: Path | None = None
    temperature: float = 0.0
    max_tokens: int = 300
    timeout_s: float = 60.0
    context_tokens: int = 4096
    max_sentences: int = 2


class AnswerProvider(ABC):
    """Turns a question and numbered sources into answer text with [n] markers.

    Implement ``stream``; the non-streaming ``generate`` is built on it.
    """

    name: ClassVar[str]
    # False for a provider that writes its whole answer at once (the extractive one): the
    # service then shows only the verified text instead of streaming what it wrote
    streams_live: ClassVar[bool] = True

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> AnswerProvider:
        return cls()

    def warm_up(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Load models or check connections; called once at start-up."""

    @abstractmethod
    def stream(
        self,
        question: str,
        sources: Sequence[Document],
        *,
        ranked: list[Candidate] | None = None,
    ) -> Iterator[str]:
        """Yield pieces of the answer. ``ranked`` are the sentences scored by the gate."""

    def generate(self, question: str, sources: Sequence[Document], **kwargs) -> str:
        return "".join(self.stream(question, sources, **kwargs))


_REGISTRY: dict[str, type[AnswerProvider]] = {}


def register_provider(cls: type[AnswerProvider]) -> type[AnswerProvider]:
    _REGISTRY[cls.name] = cls
    return cls


def available_providers() -> list[str]:
    return sorted(_REGISTRY)


def create_provider(name: str, config: ProviderConfig, scorer: SupportScorer) -> AnswerProvider:
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown answer provider {name!r}; choose one of {', '.join(available_providers())}"
        ) from None
    return cls.from_config(config, scorer)
