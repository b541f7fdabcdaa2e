"""Run a BERT-style ONNX model on CPU with onnxruntime and a ``tokenizers`` tokenizer.

sentence-transformers can run ONNX only through ``optimum``, which pins transformers to
an older major version than the one sentence-transformers needs here; onnxruntime and
tokenizers are already installed (chromadb and transformers depend on them), so this
class is the small piece that joins them. It loads on first use and is thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import ConfigurationError
from retrieval.models.bundled import verify_checksums


class OnnxEncoder:
    """Tokenise texts (or text pairs), run the model, return its first output.

    Inputs are sorted by length and batched, so short texts are not padded to long ones.
    """

    def __init__(
        self,
        folder: Path,
        *,
        max_length: int = 512,
        batch_size: int = 16,
        threads: int | None = None,
        checksums: dict[str, str] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.checksums = checksums  # file name → SHA-256, verified once before loading
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            verify_checksums(self.folder, self.checksums)

            try:
                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                options = ort.SessionOptions()
                if self.threads:
                    options.intra_op_num_threads = self.threads
                options.log_severity_level = 3
                # idle threads sleep instead of spinning: parser processes and the other
                # model need the cores between batches
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                session = ort.InferenceSession(
                    str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ConfigurationError(
                    f"cannot load the ONNX model in {self.folder}: {exc}"
                ) from exc
            tokenizer.enable_truncation(self.max_length)
            tokenizer.no_padding()
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer, self._session = tokenizer, session

    def run(
        self,
        inputs: Sequence[str] | Sequence[tuple[str, str]],
        reduce: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    ) -> list[Any]:
        """Per input: ``reduce(output row, mask)``, or the pair itself without ``reduce``.

        The model's first output row is a text's token states (or a pair's logits); with
        ``reduce`` (pooling) only its result is kept, so memory holds one batch of token
        states at a time, whatever the number of inputs."""
        self.warm_up()
        encodings = self._tokenizer.encode_batch(list(inputs))
        order = sorted(range(len(encodings)), key=lambda n: len(encodings[n].ids))
        results: list[Any] = [None] * len(encodings)
        for start in range(0, len(order), self.batch_size):
            batch = [encodings[n] for n in order[start : start + self.batch_size]]
            width = max(len(e.ids) for e in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, e in enumerate(batch):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
                types[row, : len(e.ids)] = e.type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})
            for row, n in enumerate(order[start : start + self.batch_size]):
                if reduce is None:
                    results[n] = (out[0][row].copy(), mask[row].copy())
                else:
                    results[n] = np.array(reduce(out[0][row], mask[row]), copy=True)
            del out
        return results
