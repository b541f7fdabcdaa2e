import math

import pytest

from app.evaluation.metrics import (
    best_f1,
    contains_answer,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    rank,
    recall_at_k,
    token_f1,
)


def test_ndcg_with_graded_relevance_matches_hand_computation():
    qrels = {"a": 3, "b": 2, "c": 1}
    ranking = ["b", "x", "a"]
    dcg = 2 / math.log2(2) + 0 + 3 / math.log2(4)
    idcg = 3 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranking, qrels, 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["a", "b", "c"], qrels, 10) == pytest.approx(1.0)


def test_ndcg_cutoff_missing_documents_and_no_relevant():
    qrels = {"a": 1, "b": 1}
    assert ndcg_at_k(["x", "a"], qrels, 1) == 0.0
    assert ndcg_at_k([], qrels, 10) == 0.0
    assert ndcg_at_k(["a"], {}, 10) == 0.0
    assert ndcg_at_k(["a"], {"a": 0, "b": -1}, 10) == 0.0
    # only "a" of two relevant documents found, at rank 1
    assert ndcg_at_k(["a"], qrels, 10) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_ties_are_broken_by_id_descending_like_trec_eval():
    assert rank({"d1": 0.5, "d3": 0.5, "d2": 0.9}) == ["d2", "d3", "d1"]


def test_recall_mrr_hit():
    qrels = {"a": 1, "b": 1, "c": 0}
    ranking = ["c", "x", "b", "y", "a"]
    assert recall_at_k(ranking, qrels, 3) == 0.5
    assert recall_at_k(ranking, qrels, 5) == 1.0
    assert mrr_at_k(ranking, qrels, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(ranking, qrels, 2) == 0.0
    assert hit_at_k(ranking, "b", 3) == 1.0 and hit_at_k(ranking, "a", 3) == 0.0


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 95) == 10
    assert percentile([], 50) == 0.0


def test_squad_normalisation_and_f1():
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert contains_answer("In 1990, the Broncos won [1].", ["Denver Broncos", "Broncos"])
    assert not contains_answer("They won in 19901.", ["1990"])
    assert token_f1("the Denver Broncos", "Denver Broncos") == 1.0
    assert token_f1("Denver", "Denver Broncos") == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert token_f1("nothing", "Denver") == 0.0
    assert best_f1("Broncos", ["Denver Broncos", "Broncos"]) == 1.0


def test_query_splits_are_fixed_disjoint_and_cover_every_query():
    import pytest

    from app.evaluation.splits import QuerySplit

    ids = [f"q{i}" for i in range(2000)]
    tune, report = QuerySplit.parse("tune"), QuerySplit.parse("report:0.5")
    a = {q for q in ids if tune.keeps(q)}
    b = {q for q in ids if report.keeps(q)}
    assert a.isdisjoint(b) and a | b == set(ids)
    assert 900 < len(a) < 1100  # about half
    assert a == {q for q in ids if QuerySplit("tune").keeps(q)}  # the same every time
    small = {q for q in ids if QuerySplit.parse("tune:0.2").keeps(q)}
    assert small < a  # a smaller tuning share takes a part of the larger one
    for bad in ("dev", "tune:2", "report:x"):
        with pytest.raises(ValueError):
            QuerySplit.parse(bad)
