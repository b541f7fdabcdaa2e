"""Where a sentence-transformers model becomes an ONNX encoder, at start-up, in memory.

The support model (all-MiniLM-L6-v2) ships as PyTorch weights. Run through onnxruntime,
the same weights embed 45 retrieved sentences 2.1-2.3x faster on these two cores and a
question 2.7-2.9x faster (``benchmarks/support_runtime.py``, idle machine; 4.5-7x and
18x while the other core was busy), with vectors equal to PyTorch's within 1e-6, so
every threshold calibrated on them still holds. The copy is
exported when the model first warms up (about a second) and checked against PyTorch on
probe texts before it is used; a model this cannot export exactly (another architecture,
pooling other than the mean) stays on PyTorch, with the reason logged. A checked copy is
kept under ``<data>/models/`` (keyed by the weights file, torch and onnx versions), so
later starts load it without loading PyTorch at all (a CLI question 6.5 -> 4.6 s here);
a read-only data folder just exports again each time.

With ``precision="int8"`` (the support model's default) the checked copy's matrix
products get INT8 weights (``onnxruntime.quantization``, per channel): 26 sentences embed
in 14-16 ms instead of 28-30 here, the vectors stay within a cosine of 0.99 of PyTorch's,
and SQuAD part 1's answer, citation and refusal figures move within noise (README,
session 14). A model whose INT8 vectors stray further keeps its float32 copy. An INT8
copy reads one text a batch: it quantises activations per batch, so a sentence's vector
would otherwise depend on the sentences beside it (and, through the sentence cache, an
answer on the questions asked before it). One text a batch costs the same here.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.models.onnx_encoder import OnnxEncoder

log = logging.getLogger("groundwork.models")
PROBES = [
    "What is the notice period?",
    "Employees accrue 25 vacation days per calendar year, credited monthly, and may carry "
    "over up to five unused days into the first quarter of the next year.",
    "x",
]
TOLERANCE = 1e-4  # largest difference allowed between the two runtimes' vectors
INT8_MIN_COSINE = 0.98  # least cosine allowed between an INT8 copy's vectors and PyTorch's
PRECISIONS = ("float32", "int8")


class UnsupportedModel(Exception):
    """The model is not one this module exports exactly; the message says why."""


def _parts(model) -> tuple[Any, Any]:
    """The transformer and the pooling module of a Transformer → Pooling(mean) →
    [Normalize] model (checked by class name: sentence-transformers moves its modules)."""
    names = [type(m).__name__ for m in model]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise UnsupportedModel(f"its modules are {names}")
    transformer, pooling = model[0], model[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    if mode not in ("mean", ("mean",), ["mean"]):
        raise UnsupportedModel(f"its pooling is {mode!r}, not the mean of the token states")
    if getattr(pooling, "include_prompt", True) is not True:
        raise UnsupportedModel("its pooling leaves the prompt out")
    return transformer, pooling


def export_bytes(model) -> bytes:
    """The model's transformer as ONNX (token states out), for any batch and length."""
    import torch
    from transformers import AutoModel

    transformer, _ = _parts(model)
    folder = transformer.auto_model.name_or_path
    # eager attention: the traced graph of the fused kernel keeps one padding length
    net = AutoModel.from_pretrained(folder, attn_implementation="eager").eval()

    class TokenStates(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    sample = transformer.tokenizer(PROBES[:2], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "states"]}
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            TokenStates(net),
            tuple(sample[name] for name in names),
            buffer,
            input_names=names,
            output_names=["states"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return buffer.getvalue()


def _weights(folder: Path) -> Path | None:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    return None


def cache_path(folder: Path, cache_dir: Path, precision: str = "float32") -> Path | None:
    """Where the checked copy of the model in ``folder`` is kept; None without weights.
    (Versions are read from the installed packages' metadata: importing torch takes a
    second, which the kept copy is there to save.)"""
    from importlib.metadata import version

    weights = _weights(folder)
    if weights is None:
        return None
    stat = weights.stat()
    key = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|torch {version('torch')}"
    key += f"|onnxruntime {version('onnxruntime')}|opset17|{precision}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(cache_dir) / f"{folder.name}-{precision}-{digest}.onnx"


def cached_copy(
    folder: Path,
    cache_dir: Path | None,
    *,
    max_length: int,
    batch_size: int = 32,
    precision: str = "float32",
):
    """The checked copy kept by an earlier start, or None (PyTorch is not loaded)."""
    if cache_dir is None or not (folder / "tokenizer.json").is_file():
        return None
    try:
        path = cache_path(folder, cache_dir, precision)
        if path is None or not path.is_file():
            return None
        encoder = _encoder(folder, max_length, batch_size, path.read_bytes(), precision)
        encoder.warm_up()
        return encoder
    except Exception as exc:  # a damaged file: export again
        log.warning("the kept ONNX copy of %s cannot be used (%s); exporting again", folder, exc)
        return None


def _keep(data: bytes, folder: Path, cache_dir: Path | None, precision: str) -> None:
    if cache_dir is None:
        return
    try:
        path = cache_path(folder, cache_dir, precision)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # readable by whoever else serves from this data folder
        os.replace(tmp, path)  # whole or not at all, whoever else writes it
        others = [f"{folder.name}-{p}-" for p in PRECISIONS if p != precision]
        for stale in path.parent.glob(f"{folder.name}-*.onnx"):  # other versions' copies
            if stale != path and not stale.name.startswith(tuple(others)):
                stale.unlink(missing_ok=True)
    except OSError as exc:  # a read-only data folder: export again next time
        log.info("the ONNX copy of %s is not kept: %s", folder.name, exc)


def onnx_copy(
    model,
    folder: Path,
    *,
    batch_size: int = 32,
    cache_dir: Path | None = None,
    precision: str = "float32",
) -> OnnxEncoder | None:
    """An encoder that runs ``model`` (a loaded SentenceTransformer from ``folder``) on
    onnxruntime, checked against PyTorch and kept in ``cache_dir``; None, with the reason
    logged, when it cannot be made exactly. With ``precision="int8"`` the exact copy is
    then quantised and checked again (``INT8_MIN_COSINE``); if that fails, the float32
    copy is used, and the reason logged."""
    import warnings

    try:
        transformer, _ = _parts(model)
        if not (folder / "tokenizer.json").is_file():
            raise UnsupportedModel("its folder has no tokenizer.json")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes about the legacy exporter
            data = export_bytes(model)
        encoder = _encoder(folder, transformer.max_seq_length, batch_size, data, "float32")
        expected = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
        got = mean_pooled(encoder, PROBES)
        gap = float(np.abs(expected - got).max())
        if gap > TOLERANCE:
            raise UnsupportedModel(f"its ONNX vectors differ from PyTorch's by {gap:.1e}")
        if precision == "int8":
            small = _int8_copy(data, folder, expected, transformer.max_seq_length, batch_size)
            if small is not None:
                _keep(small[0], folder, cache_dir, precision)
                return small[1]
        _keep(data, folder, cache_dir, "float32")
        return encoder
    except Exception as exc:  # the exporter's and onnxruntime's errors are many
        log.warning("%s stays on PyTorch: %s", folder.name, exc)
        return None


def _encoder(
    folder: Path, max_length: int, batch_size: int, data: bytes, precision: str
) -> OnnxEncoder:
    """An INT8 graph reads one text a batch (see the module's docstring)."""
    batch = 1 if precision == "int8" else batch_size
    return OnnxEncoder(folder, max_length=max_length, batch_size=batch, model=data)


def int8_weights(data: bytes) -> bytes:
    """The ONNX graph ``data`` with INT8 weights in its matrix products (per output
    channel; activations are quantised as they come, per batch)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = _DropAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "int8.onnx"
            quantize_dynamic(
                onnx.load_from_string(data),
                out,
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
            return out.read_bytes()
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropAdvice(logging.Filter):
    """The quantiser's advice to pre-process the graph (written to the root logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _int8_copy(
    data: bytes, folder: Path, expected: np.ndarray, max_length: int, batch_size: int
) -> tuple[bytes, OnnxEncoder] | None:
    """The INT8 copy and its encoder, when its probe vectors are near PyTorch's."""
    try:
        small = int8_weights(data)
        encoder = _encoder(folder, max_length, batch_size, small, "int8")
        cosine = float((mean_pooled(encoder, PROBES) * expected).sum(axis=1).min())
        if cosine < INT8_MIN_COSINE:
            raise UnsupportedModel(f"its INT8 vectors reach a cosine of {cosine:.3f} only")
        return small, encoder
    except Exception as exc:  # the quantiser's errors are many
        log.warning("%s keeps float32 weights: %s", folder.name, exc)
        return None


def mean_pooled(encoder: OnnxEncoder, texts: list[str]) -> np.ndarray:
    """Unit-length mean-pooled vectors, one row per text."""

    def pool(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return (states * mask[:, None]).sum(axis=0) / max(mask.sum(), 1)

    vectors = np.asarray(encoder.run(list(texts), reduce=pool), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
