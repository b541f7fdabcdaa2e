import pytest

from retrieval.search.fusion import convex_combination, min_max, reciprocal_rank_fusion


def test_rrf_matches_hand_computed_scores():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    keyword = [("c", 12.0), ("a", 3.0)]
    fused = dict(reciprocal_rank_fusion([dense, keyword], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert [i for i, _ in reciprocal_rank_fusion([dense, keyword], k=60)] == ["a", "c", "b"]


def test_rrf_weights_and_validation():
    fused = reciprocal_rank_fusion([[("a", 1)], [("b", 1)]], k=0, weights=[1.0, 3.0])
    assert fused[0] == ("b", 3.0)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[("a", 1)]], weights=[1, 2])


def test_convex_combination_normalises_each_list():
    dense = [("a", 0.9), ("b", 0.5)]
    keyword = [("b", 20.0), ("c", 10.0)]
    fused = dict(convex_combination([dense, keyword], weights=[0.5, 0.5]))
    assert fused == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})
    assert min_max([("x", 2.0), ("y", 2.0)]) == {"x": 1.0, "y": 1.0}
    assert min_max([]) == {}
