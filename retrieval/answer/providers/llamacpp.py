"""A local GGUF model through llama-cpp-python (optional extra ``groundwork[llamacpp]``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from langchain_core.documents import Document

from retrieval.answer.prompt import build_messages
from retrieval.answer.providers.base import AnswerProvider, ProviderConfig, register_provider
from retrieval.answer.support import Candidate, SupportScorer
from retrieval.models.llama import LazyLlama, default_gguf

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


@register_provider
class LlamaCppProvider(AnswerProvider):
    name = "llamacpp"

    def __init__(
        self,
        gguf_path: Path,
        *,
        context_tokens: int = 4096,
        max_tokens: int = 300,
        temperature: float = 0.0,
    ) -> None:
        self.model = LazyLlama(gguf_path, "the 'llamacpp' provider", n_ctx=context_tokens)
        self.gguf_path = self.model.gguf_path
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._lock = threading.Lock()  # a llama.cpp context serves one request at a time

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> LlamaCppProvider:
        return cls(
            config.gguf_path or default_gguf(),
            context_tokens=config.context_tokens,
            max_tokens=config.max_tokens,
            temperature=config.temperature,
        )

    def warm_up(self) -> None:
        self.model.get()

    def stream(
        self,
        question: str,
        sources: Sequence[Document],
        *,
        ranked: list[Candidate] | None = None,
    ) -> Iterator[str]:
        llm = self.model.get()
        messages = [
            {"role": _ROLES.get(m.type, "user"), "content": str(m.content)}
            for m in build_messages(question, sources)
        ]
        with self._lock:
            for part in llm.create_chat_completion(
                messages, stream=True, temperature=self.temperature, max_tokens=self.max_tokens
            ):
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
