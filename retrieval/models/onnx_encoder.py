"""Run a BERT-style ONNX model on CPU with onnxruntime and a ``tokenizers`` tokenizer.

sentence-transformers can run ONNX only through ``optimum``, which pins transformers to
an older major version than the one sentence-transformers needs here; onnxruntime and
tokenizers are already installed (chromadb and transformers depend on them), so this
class is the small piece that joins them. It loads on first use and is thread-safe.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import ConfigurationError
from retrieval.models.bundled import verify_checksums

_MAX_PARALLEL = 4  # one-thread sessions at most: each holds a copy of the model


class OnnxEncoder:
    """Tokenise texts (or text pairs), run the model, return its first output.

    Inputs are sorted by length and batched, so short texts are not padded to long ones;
    the batches are as few as ``batch_size`` allows, but one per session for an input of
    two texts a session, and of equal sizes. An input of two batches or more (ingest; the
    rerank of one answer, 10 pairs as 5 + 5; its sentences) is spread over
    ``parallel`` sessions of one thread each, which run batches side by side: on two cores
    that encodes 1.13-1.21x faster than one session whose two threads split every matrix
    product (``benchmarks/ingest.py``, three runs), and reranks 10 pairs in 0.8x the time
    (``benchmarks/ask.py``). A query or two texts run on one session with ``threads``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        max_length: int = 512,
        batch_size: int = 16,
        threads: int | None = None,
        parallel: int | None = None,
        checksums: dict[str, str] | None = None,
        model: bytes | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.model = model  # the ONNX graph itself, instead of ``folder/model.onnx``
        self.checksums = checksums  # file name → SHA-256, verified once before loading
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads
        # one-thread sessions for inputs of several batches (1: never)
        self.parallel = parallel or threads or min(os.cpu_count() or 1, _MAX_PARALLEL)
        if self.parallel < 1:
            raise ValueError(f"parallel must be >= 1, got {self.parallel}")
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._workers: list[Any] = []  # the one-thread sessions, made on first use
        self._pool: ThreadPoolExecutor | None = None

    def warm_up(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            from tokenizers import Tokenizer

            verify_checksums(self.folder, self.checksums)

            try:
                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                session = self._new_session(self.threads)
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ConfigurationError(
                    f"cannot load the ONNX model in {self.folder}: {exc}"
                ) from exc
            tokenizer.enable_truncation(self.max_length)
            tokenizer.no_padding()
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer, self._session = tokenizer, session

    def _new_session(self, threads: int | None) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # idle threads sleep instead of spinning: parser processes and the other model
        # need the cores between batches
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        source = self.model if self.model is not None else str(self.folder / "model.onnx")
        return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])

    def _parallel_sessions(self) -> list[Any]:
        with self._lock:
            if not self._workers:
                self._workers = [self._new_session(1) for _ in range(self.parallel)]
                self._pool = ThreadPoolExecutor(self.parallel, thread_name_prefix="onnx")
            return self._workers

    def run(
        self,
        inputs: Sequence[str] | Sequence[tuple[str, str]],
        reduce: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    ) -> list[Any]:
        """Per input: ``reduce(output row, mask)``, or the pair itself without ``reduce``.

        The model's first output row is a text's token states (or a pair's logits); with
        ``reduce`` (pooling) only its result is kept, so memory holds one batch of token
        states per session at a time, whatever the number of inputs."""
        self.warm_up()
        encodings = self._tokenizer.encode_batch(list(inputs))
        order = sorted(range(len(encodings)), key=lambda n: len(encodings[n].ids))
        results: list[Any] = [None] * len(encodings)
        if not order:
            return results
        # as few batches as ``batch_size`` allows, of equal sizes (10 pairs: 5 + 5, not
        # 8 + 2), and at least one per session when each gets two texts or more (6
        # sentences: 3 + 3), so that the sessions finish together. An INT8 model's output
        # depends a little on its batch (activations are quantised per batch): machines
        # with another number of cores may differ in the third decimal.
        count = max(-(-len(order) // self.batch_size), min(self.parallel, len(order) // 2))
        size = -(-len(order) // count)
        batches = [order[i : i + size] for i in range(0, len(order), size)]

        if self.parallel > 1 and len(batches) >= 2:
            # longest first, each session taking the next batch when it is free: the
            # sessions finish together instead of one waiting for the other's tail
            queue = iter(reversed(batches))
            lock = threading.Lock()

            def drain(session: Any) -> None:
                while True:
                    with lock:
                        numbers = next(queue, None)
                    if numbers is None:
                        return
                    batch = [encodings[n] for n in numbers]
                    self._run_batch(session, batch, numbers, results, reduce)

            sessions = self._parallel_sessions()
            assert self._pool is not None
            futures = [self._pool.submit(drain, session) for session in sessions]
            for future in futures:
                future.result()
        else:
            for numbers in batches:
                batch = [encodings[n] for n in numbers]
                self._run_batch(self._session, batch, numbers, results, reduce)
        return results

    def _run_batch(self, session, batch, numbers, results, reduce) -> None:
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(batch):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
            types[row, : len(e.ids)] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        out = session.run(None, {k: v for k, v in feed.items() if k in self._inputs})
        for row, n in enumerate(numbers):
            if reduce is None:
                results[n] = (out[0][row].copy(), mask[row].copy())
            else:
                results[n] = np.array(reduce(out[0][row], mask[row]), copy=True)
