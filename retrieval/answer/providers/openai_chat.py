"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, LM Studio, llama.cpp server)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langchain_core.documents import Document

from retrieval.answer.prompt import build_messages
from retrieval.answer.providers.base import AnswerProvider, ProviderConfig, register_provider
from retrieval.answer.support import Candidate, SupportScorer
from retrieval.errors import ConfigurationError, ProviderUnavailableError


@register_provider
class OpenAIChatProvider(AnswerProvider):
    name = "openai"

    def __init__(self, chat_model) -> None:
        self.chat_model = chat_model

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> OpenAIChatProvider:
        if not config.base_url or not config.model:
            raise ConfigurationError(
                "the 'openai' provider needs GROUNDWORK_LLM_BASE_URL and GROUNDWORK_LLM_MODEL"
            )
        from langchain_openai import ChatOpenAI

        key = config.api_key.get_secret_value() if config.api_key else "not-needed"
        chat = ChatOpenAI(
            base_url=config.base_url,
            model=config.model,
            api_key=key,
            temperature=config.temperature,
            max_tokens=config.max_tokens,
            timeout=config.timeout_s,
            max_retries=1,
        )
        return cls(chat)

    def stream(
        self,
        question: str,
        sources: Sequence[Document],
        *,
        ranked: list[Candidate] | None = None,
    ) -> Iterator[str]:
        messages = build_messages(question, sources)
        try:
            for chunk in self.chat_model.stream(messages):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            import openai

            outage = (openai.APIConnectionError, openai.InternalServerError, openai.RateLimitError)
            names = {
                "OpenAIConnectionError",
                "OpenAITimeoutError",
                "OpenAIAPIError",
                "OpenAIRateLimitError",
            }
            if isinstance(exc, outage) or type(exc).__name__ in names:
                raise ProviderUnavailableError(f"the answer model is unavailable: {exc}") from exc
            raise
