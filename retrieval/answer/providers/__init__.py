"""Answer providers, looked up by name (``GROUNDWORK_LLM``).

Importing this package registers the built-in providers; each lives in its own module
and needs its heavy dependency only when it is used.
"""

from retrieval.answer.providers import extractive, llamacpp, openai_chat  # noqa: F401  (registration)
from retrieval.answer.providers.base import (
    AnswerProvider,
    ProviderConfig,
    available_providers,
    create_provider,
    register_provider,
)

__all__ = [
    "AnswerProvider",
    "ProviderConfig",
    "available_providers",
    "create_provider",
    "register_provider",
]
