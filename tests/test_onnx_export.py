"""The support model (sentence-transformers, PyTorch weights) runs as an ONNX copy made at
warm-up: the same vectors, or PyTorch itself when the copy cannot be exact."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from retrieval.models.embeddings import SentenceTransformerEmbeddings, resolve_model_path

pytestmark = pytest.mark.integration

TEXTS = [
    "How many vacation days carry over?",
    "Employees accrue 25 vacation days per year. " * 40,  # past the 256-token window
    "",
    "Ärzte-Bescheinigung ab dem dritten Krankheitstag 🙂",
]


@pytest.fixture(scope="module")
def onnx():
    emb = SentenceTransformerEmbeddings()
    emb.warm_up()
    return emb


def test_the_onnx_copy_gives_pytorchs_vectors_for_texts_and_questions(onnx):
    assert onnx._onnx is not None  # the copy was made and passed its check
    torch = SentenceTransformerEmbeddings(runtime="torch")
    got, expected = np.array(onnx.embed_documents(TEXTS)), np.array(torch.embed_documents(TEXTS))
    assert got.shape == expected.shape == (4, 384)
    assert np.abs(got - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    query = np.array(onnx.embed_query(TEXTS[0]))
    assert np.abs(query - np.array(torch.embed_query(TEXTS[0]))).max() < 1e-5
    assert torch._onnx is None  # runtime="torch" never exports


def test_a_model_the_copy_cannot_reproduce_stays_on_pytorch_and_says_why(caplog):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling, Transformer

    from retrieval.models.onnx_export import onnx_copy

    path = resolve_model_path("all-MiniLM-L6-v2")
    first_token = SentenceTransformer(
        modules=[Transformer(str(path)), Pooling(384, pooling_mode="cls")], device="cpu"
    )
    with caplog.at_level(logging.WARNING, logger="groundwork.models"):
        assert onnx_copy(first_token, path) is None
    assert "not the mean" in caplog.text


def test_on_a_gpu_the_model_runs_on_pytorch():
    assert SentenceTransformerEmbeddings(device="cuda").runtime == "torch"


def test_a_checked_copy_is_kept_so_the_next_start_loads_no_pytorch(tmp_path):
    stale = tmp_path / "model-0123456789abcdef.onnx"  # a copy for other torch versions
    stale.write_bytes(b"old")
    first = SentenceTransformerEmbeddings(cache_dir=tmp_path)
    first.warm_up()
    (kept,) = tmp_path.glob("*.onnx")  # the stale copy is gone
    second = SentenceTransformerEmbeddings(cache_dir=tmp_path)
    second.warm_up()
    assert second._model is None and second._onnx is not None
    assert second.dimension == 384 and second.encode([]).shape == (0, 384)
    got = np.array(second.embed_documents(TEXTS))
    assert np.abs(got - np.array(first.embed_documents(TEXTS))).max() < 1e-6
    kept.write_bytes(b"not an onnx graph")  # damaged: exported again, and kept again
    third = SentenceTransformerEmbeddings(cache_dir=tmp_path)
    third.warm_up()
    assert third._model is not None and third._onnx is not None
    assert kept.stat().st_size > 1_000_000


def test_int8_weights_keep_the_vectors_near_pytorchs_and_are_kept_apart(tmp_path):
    small = SentenceTransformerEmbeddings(cache_dir=tmp_path, precision="int8")
    small.warm_up()
    exact = SentenceTransformerEmbeddings(cache_dir=tmp_path)
    exact.warm_up()
    kept = {p.name.rsplit("-", 2)[1]: p for p in tmp_path.glob("*.onnx")}
    assert set(kept) == {"int8", "float32"}  # each precision keeps its own copy
    assert kept["int8"].stat().st_size < 0.75 * kept["float32"].stat().st_size
    got, expected = np.array(small.embed_documents(TEXTS)), np.array(exact.embed_documents(TEXTS))
    cosines = (got * expected).sum(axis=1)
    assert cosines.min() > 0.97  # the empty text strays most
    assert np.abs(got - expected).max() > 1e-4  # the INT8 weights are the ones running
    # a text's vector does not depend on the texts embedded beside it
    alone = small.encode([TEXTS[0]])[0]
    beside = small.encode([TEXTS[1], TEXTS[0], TEXTS[3]])[1]
    assert np.abs(alone - beside).max() < 1e-6
    again = SentenceTransformerEmbeddings(cache_dir=tmp_path, precision="int8")
    again.warm_up()
    assert again._model is None  # the kept INT8 copy: no PyTorch
    assert np.abs(np.array(again.embed_documents(TEXTS)) - got).max() < 1e-6


def test_an_unknown_precision_is_refused_when_configured():
    from retrieval.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="precision must be one of"):
        SentenceTransformerEmbeddings(precision="int4")
