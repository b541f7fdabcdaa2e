from __future__ import annotations

import threading

from langchain_core.documents import Document

from retrieval.search.keyword_index import KeywordIndex, fts_query


def chunk(doc_id: str, i: int, text: str, source: str = "a.txt") -> Document:
    return Document(
        id=f"{doc_id}:{i}",
        page_content=text,
        metadata={"document_id": doc_id, "source": source, "title": "T"},
    )


def test_query_drops_stop_words_and_quotes_terms():
    assert fts_query('What is the "carry-over" rule?') == '"carry" OR "over" OR "rule"'
    assert fts_query("the of and") == '"the" OR "of" OR "and"'
    assert fts_query("???") is None


def test_replace_and_delete_keep_the_index_consistent(tmp_path):
    index = KeywordIndex(tmp_path)
    index.replace_documents(
        "col",
        ["d1"],
        [chunk("d1", 0, "vacation days carry over"), chunk("d1", 1, "parental leave weeks")],
    )
    index.replace_documents("col", ["d2"], [chunk("d2", 0, "parking spaces basement", "b.txt")])
    assert index.count("col") == 3
    hits = index.search("col", "How many vacation days?", 5)
    assert [d.id for d, _ in hits] == ["d1:0"]
    assert hits[0][0].metadata["source"] == "a.txt"
    # replacing d1 removes its old chunks: no stale text remains searchable
    index.replace_documents("col", ["d1"], [chunk("d1", 0, "holiday allowance")])
    assert index.count("col") == 2
    assert index.search("col", "vacation", 5) == []
    assert index.search("col", "holidays", 5)[0][0].id == "d1:0"  # stemming
    index.delete_document("col", "d1")
    index.delete_document("col", "missing")  # not an error
    assert index.count("col") == 1


def test_filters_and_collections_are_separate(tmp_path):
    index = KeywordIndex(tmp_path)
    index.replace_documents("one", ["d1"], [chunk("d1", 0, "secret canary text")])
    index.replace_documents("two", ["d2"], [chunk("d2", 0, "canary in the other", "z.txt")])
    assert [d.id for d, _ in index.search("one", "canary", 5)] == ["d1:0"]
    assert index.search("two", "canary", 5, sources=["nope.txt"]) == []
    assert len(index.search("two", "canary", 5, document_ids=["d2"])) == 1
    index.drop_collection("two")
    assert index.search("two", "canary", 5) == []
    # persisted on disk: a new instance sees the same data
    assert KeywordIndex(tmp_path).count("one") == 1


def test_a_dropped_collection_is_not_read_by_any_thread_or_process(tmp_path):
    """An API serves searches from a pool of threads, each with its own connection: after
    a collection is deleted and made again, none of them may still find the old text."""
    index = KeywordIndex(tmp_path)
    index.replace_documents("col", ["d1"], [chunk("d1", 0, "alpha team payroll figures")])
    found: dict[str, list[str]] = {}
    opened, dropped = threading.Event(), threading.Event()

    def long_lived_search_thread() -> None:
        found["before"] = [d.id for d, _ in index.search("col", "payroll", 5)]
        opened.set()
        dropped.wait(10)
        found["after"] = [d.id for d, _ in index.search("col", "payroll", 5)]

    thread = threading.Thread(target=long_lived_search_thread)
    thread.start()
    opened.wait(10)
    index.drop_collection("col")
    index.replace_documents("col", ["d2"], [chunk("d2", 0, "beta team payroll rules")])
    dropped.set()
    thread.join(10)
    assert found == {"before": ["d1:0"], "after": ["d2:0"]}

    # another process (another KeywordIndex) drops and remakes it: this one follows
    other = KeywordIndex(tmp_path)
    other.drop_collection("col")
    assert index.search("col", "payroll", 5) == []
    other.replace_documents("col", ["d3"], [chunk("d3", 0, "gamma payroll")])
    assert [d.id for d, _ in index.search("col", "payroll", 5)] == ["d3:0"]
