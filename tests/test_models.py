"""Model loading: bundled files verified against their package's checksums; a llama.cpp
model built once even when many requests ask for it at the same moment."""

from __future__ import annotations

import hashlib
import threading

import pytest

from retrieval.errors import ConfigurationError
from retrieval.models import bundled
from retrieval.models.llama import LazyLlama


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def _forget_verified(monkeypatch):
    monkeypatch.setattr(bundled, "_verified", set())


def test_files_that_match_pass_and_a_changed_file_is_named(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"weights")
    (tmp_path / "tokenizer.json").write_bytes(b'{"a": 1}\n')
    expected = {"model.onnx": _sha(b"weights"), "tokenizer.json": _sha(b'{"a": 1}\n')}
    bundled.verify_checksums(tmp_path, expected)
    bundled._verified.clear()
    (tmp_path / "model.onnx").write_bytes(b"weightz")
    with pytest.raises(ConfigurationError, match=r"model\.onnx does not match the SHA-256"):
        bundled.verify_checksums(tmp_path, expected)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigurationError, match=r"vocab\.txt is missing"):
        bundled.verify_checksums(tmp_path, {"vocab.txt": _sha(b"x")})


def test_a_text_file_listed_with_crlf_endings_still_passes(tmp_path):
    """The package's list was partly recorded from a CRLF checkout; the text is the same."""
    (tmp_path / "vocab.txt").write_bytes(b"[PAD]\n[UNK]\n")
    bundled.verify_checksums(tmp_path, {"vocab.txt": _sha(b"[PAD]\r\n[UNK]\r\n")})
    other = tmp_path / "other"
    other.mkdir()
    (other / "model.onnx").write_bytes(b"a\nb\n")  # binary files get no such leeway
    with pytest.raises(ConfigurationError, match="model.onnx"):
        bundled.verify_checksums(other, {"model.onnx": _sha(b"a\r\nb\r\n")})


def test_verification_happens_once_per_folder(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"weights")
    expected = {"model.onnx": _sha(b"weights")}
    bundled.verify_checksums(tmp_path, expected)
    (tmp_path / "model.onnx").write_bytes(b"changed after load")
    bundled.verify_checksums(tmp_path, expected)  # already verified in this process


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(bundled.BUNDLED))
def test_the_bundled_models_match_their_package_checksums(name):
    expected = bundled.expected_checksums(name)
    assert expected and "model.onnx" in expected
    bundled.verify_checksums(bundled.model_dir(name), expected)


def test_a_folder_given_by_path_has_no_checksums(tmp_path):
    assert bundled.expected_checksums(tmp_path) is None


class _CountingModel:
    built = 0
    lock = threading.Lock()

    def __init__(self, path: str, **options) -> None:
        with _CountingModel.lock:
            _CountingModel.built += 1
        self.path, self.options = path, options


def test_a_llama_model_is_built_once_under_concurrent_first_requests(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    model = LazyLlama(gguf, "a test", n_ctx=256)
    start = threading.Barrier(8)
    got = []

    def first_request():
        start.wait()
        got.append(model.get(_CountingModel))

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _CountingModel.built == 1 and model.loads == 1
    assert len({id(m) for m in got}) == 1
    assert got[0].options == {"verbose": False, "n_ctx": 256}


def test_a_missing_gguf_file_fails_at_construction(tmp_path):
    with pytest.raises(ConfigurationError, match="GGUF model file not found"):
        LazyLlama(tmp_path / "nope.gguf", "a test")


def test_a_model_that_cannot_load_names_its_user(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"not a model")

    def broken(path, **options):
        raise ValueError("bad magic")

    with pytest.raises(ConfigurationError, match="for the test reranker: bad magic"):
        LazyLlama(gguf, "the test reranker").get(broken)
