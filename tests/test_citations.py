from __future__ import annotations

from langchain_core.documents import Document

from retrieval.answer.citations import CitationVerifier, claims
from retrieval.answer.support import SupportScorer
from tests.fakes import HashingEmbeddings

VACATION = Document(
    id="d1:0",
    page_content="Full-time employees accrue 25 vacation days per year. Up to 5 unused vacation "
    "days carry over into the next calendar year.",
    metadata={"document_id": "d1", "source": "handbook.pdf", "page": 2, "start": 100},
)
PARKING = Document(
    id="d2:0",
    page_content="The office has 12 parking spaces in the basement.",
    metadata={"document_id": "d2", "source": "office.txt", "page": None, "start": 0},
)


def verifier() -> CitationVerifier:
    return CitationVerifier(SupportScorer(HashingEmbeddings()), threshold=0.5)


def test_claims_attach_trailing_markers_to_their_sentence():
    assert claims("Five days carry over [1]. Parking has 12 spaces. [2]") == [
        ("Five days carry over.", [1]),
        ("Parking has 12 spaces.", [2]),
    ]


def test_supported_citation_is_kept_with_offsets_into_the_page():
    out = verifier().verify("Up to 5 unused vacation days carry over [1].", [VACATION, PARKING])
    assert not out.refused
    assert out.text == "Up to 5 unused vacation days carry over [1]."
    (c,) = out.citations
    assert (c.n, c.source, c.page, c.document_id) == (1, "handbook.pdf", 2, "d1")
    assert c.snippet.startswith("Up to 5 unused vacation days")
    assert VACATION.page_content[c.start - 100 : c.end - 100] == c.snippet
    assert 0.5 <= c.score <= 1.0


def test_marker_naming_no_retrieved_source_is_removed():
    out = verifier().verify("The office has 12 parking spaces [7].", [VACATION, PARKING])
    assert "[7]" not in out.text
    assert [c.n for c in out.citations] == [2]  # repaired to the source that supports it


def test_wrong_citation_is_moved_to_the_supporting_source():
    out = verifier().verify(
        "The office has 12 parking spaces in the basement [1].", [VACATION, PARKING]
    )
    assert out.text == "The office has 12 parking spaces in the basement [2]."


def test_unsupported_sentence_is_dropped_and_all_unsupported_means_refused():
    text = "Up to 5 unused vacation days carry over [1]. The CEO owns a yacht named Aurora [1]."
    out = verifier().verify(text, [VACATION, PARKING])
    assert "yacht" not in out.text
    assert out.dropped == ["The CEO owns a yacht named Aurora."]
    assert verifier().verify("The CEO owns a yacht named Aurora [1].", [VACATION]).refused
    assert verifier().verify("", [VACATION]).refused


def test_two_sentences_citing_one_source_are_both_quoted():
    text = (
        "Full-time employees accrue 25 vacation days per year [1]. "
        "Up to 5 unused vacation days carry over into the next calendar year [1]."
    )
    out = verifier().verify(text, [VACATION, PARKING])
    (c,) = out.citations
    assert c.snippet == VACATION.page_content
    assert (c.start, c.end) == (100, 100 + len(VACATION.page_content))


def test_citations_come_in_the_order_the_answer_uses_them():
    text = "The office has 12 parking spaces [2]. Up to 5 unused vacation days carry over [1]."
    out = verifier().verify(text, [VACATION, PARKING])
    assert [c.n for c in out.citations] == [2, 1]


def test_the_extractive_answer_leads_with_its_best_supported_source():
    from retrieval.answer.providers.extractive import ExtractiveProvider

    scorer = SupportScorer(HashingEmbeddings())
    provider = ExtractiveProvider(scorer, max_sentences=2, second_ratio=0.0)
    question = "How many parking spaces does the office have?"
    answer = "".join(provider.stream(question, [VACATION, PARKING]))
    assert answer.startswith("The office has 12 parking spaces")
    assert answer.index("[2]") < answer.index("[1]")
