from __future__ import annotations

import threading

from langchain_core.documents import Document

from retrieval.search.keyword_index import KeywordIndex, query_terms


def chunk(doc_id: str, i: int, text: str, source: str = "a.txt") -> Document:
    return Document(
        id=f"{doc_id}:{i}",
        page_content=text,
        metadata={"document_id": doc_id, "source": source, "title": "T"},
    )


def test_query_drops_stop_words_and_quotes_terms():
    assert query_terms('What is the "carry-over" rule?') == ["carry", "over", "rule"]
    assert query_terms("the of and") == ["the", "of", "and"]
    assert query_terms("???") == []


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


_FTS5_SCHEMA = """
CREATE VIRTUAL TABLE chunks USING fts5(
    body, context,
    chunk_id UNINDEXED, document_id UNINDEXED, source UNINDEXED, meta UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def older_version_file(root, collection: str) -> None:
    """The FTS5 file a collection had before session 15."""
    import json
    import sqlite3

    root.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(root / f"{collection}.sqlite3")
    conn.executescript(_FTS5_SCHEMA)
    for doc_id, text in (("d1", "vacation days carry over"), ("d2", "parking spaces basement")):
        meta = {"document_id": doc_id, "source": f"{doc_id}.txt", "title": "T"}
        conn.execute(
            "INSERT INTO chunks VALUES (?, 'T', ?, ?, ?, ?)",
            (text, f"{doc_id}:0", doc_id, f"{doc_id}.txt", json.dumps(meta)),
        )
    conn.commit()
    conn.close()


def test_an_index_from_an_older_version_is_moved_over_on_first_use(tmp_path):
    older_version_file(tmp_path, "col")
    index = KeywordIndex(tmp_path)
    hits = index.search("col", "vacation carry-over", 5)
    assert [d.id for d, _ in hits] == ["d1:0"]
    assert hits[0][0].metadata["source"] == "d1.txt"
    assert not (tmp_path / "col.sqlite3").exists()  # moved, not kept twice
    # what was moved is a normal index: replaced, deleted and seen by a new instance
    index.delete_document("col", "d2")
    assert KeywordIndex(tmp_path).count("col") == 1


def test_a_move_stopped_halfway_is_done_again(tmp_path):
    older_version_file(tmp_path, "col")
    half = tmp_path / "col.moving"  # what a run killed while moving leaves
    half.mkdir()
    (half / "meta.json").write_text("{not json")
    index = KeywordIndex(tmp_path)
    assert [d.id for d, _ in index.search("col", "parking", 5)] == ["d2:0"]
    assert index.count("col") == 2
    assert not half.exists() and not (tmp_path / "col.sqlite3").exists()


def test_indexes_in_a_read_only_folder_are_read(tmp_path):
    """tantivy takes a lock file to open an index: a read-only folder's is read from a
    copy, and an older version's FTS5 file is read into memory."""
    from tests.conftest import read_only_mount

    data = tmp_path / "data"
    older_version_file(data, "col")
    KeywordIndex(data).replace_documents("new", ["d9"], [chunk("d9", 0, "canteen opening hours")])
    with read_only_mount(data, tmp_path / "ro") as ro:
        index = KeywordIndex(ro)
        assert [d.id for d, _ in index.search("col", "parking", 5)] == ["d2:0"]
        assert index.count("col") == 2
        assert (ro / "col.sqlite3").exists()  # left as it was
        assert [d.id for d, _ in index.search("new", "canteen", 5)] == ["d9:0"]


def test_filters_do_not_change_the_scores(tmp_path):
    index = KeywordIndex(tmp_path)
    index.replace_documents(
        "col",
        ["d1", "d2"],
        [chunk("d1", 0, "vacation policy text"), chunk("d2", 0, "vacation days", "b.txt")],
    )
    plain = dict((d.id, s) for d, s in index.search("col", "vacation days", 5))
    only_b = index.search("col", "vacation days", 5, sources=["b.txt"])
    assert [(d.id, s) for d, s in only_b] == [("d2:0", plain["d2:0"])]
    others = index.search("col", "vacation days", 5, exclude_document_ids=["d2"])
    assert [(d.id, s) for d, s in others] == [("d1:0", plain["d1:0"])]
