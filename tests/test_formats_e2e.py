"""Every new format through ``groundwork ingest`` and ``groundwork ask --json`` with the
real models and local OCR: the right answer, from the right file, slide, sheet or page."""

from __future__ import annotations

import json

import pytest

from tests import format_files as ff
from tests.test_cli import run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def share(tmp_path_factory):
    docs = tmp_path_factory.mktemp("share")
    ff.write_pptx(docs / "quarterly-review.pptx")
    ff.write_xlsx(docs / "headcount.xlsx")
    ff.write_csv(docs / "parts.csv")
    ff.write_eml(docs / "office-move.eml")
    ff.write_epub(docs / "station-handbook.epub")
    ff.write_png(docs / "maintenance-notice.png")
    ff.write_mixed_pdf(docs / "plant-manual.pdf")
    ff.write_odt(docs / "travel-policy.odt")
    ff.write_odp(docs / "fleet-update.odp")
    ff.write_rtf(docs / "canteen.rtf")
    ff.write_msg(docs / "garage-closure.msg")
    ff.write_table_pdf(docs / "regional-budgets.pdf")
    ff.write_pptx_chart(docs / "quarterly-results.pptx")
    ff.write_pptx_pictures(docs / "operations-deck.pptx")
    ff.write_tiff(
        docs / "visitor-scans.tif",
        [
            ["Visitor register, page one", "Visitors sign in at reception."],
            ["Visitor register, page two", "The loading dock gate code is 4471."],
        ],
    )
    data = tmp_path_factory.mktemp("share-data")
    summary = json.loads(run(["ingest", str(docs), "-c", "share", "--json"], data).stdout)
    return data, summary


def ask(data, question: str) -> dict:
    return json.loads(run(["ask", question, "-c", "share", "--json"], data).stdout)


def test_every_format_is_ingested_and_ocr_pages_are_counted(share):
    data, summary = share
    assert summary["new"] == 15 and summary["failed"] == [] and summary["skipped"] == []
    listing = json.loads(run(["docs", "list", "-c", "share", "--json"], data).stdout)
    ocr = {d["source"]: d["ocr_pages"] for d in listing["documents"]}
    assert ocr["plant-manual.pdf"] == 1 and ocr["visitor-scans.tif"] == 2
    assert ocr["maintenance-notice.png"] == 1 and ocr["quarterly-review.pptx"] == 0
    assert ocr["operations-deck.pptx"] == 1  # the screenshot slide, not the one with a logo


@pytest.mark.parametrize(
    "question,expected,source,page,label",
    [
        (
            "How many forklift drivers work at the Hamburg site?",
            "9",
            "quarterly-review.pptx",
            3,
            "quarterly-review.pptx, slide 3",
        ),
        (
            "What pressure must the boiler stay below?",
            "12 bar",
            "plant-manual.pdf",
            2,
            "plant-manual.pdf, page 2 (scanned)",
        ),
        (
            "Who carries the monitors during the office move?",
            "movers",
            "office-move.eml/moving-checklist.txt",
            None,
            None,
        ),
        (
            "Who is the manager of the Logistics department?",
            "Ingrid Vasquez",
            "headcount.xlsx",
            None,
            "headcount.xlsx, sheet Headcount",
        ),
        ("Which supplier makes part PN-1037?", "Müller Präzision", "parts.csv", None, None),
        (
            "What is the emergency beacon frequency?",
            "406 MHz",
            "station-handbook.epub",
            None,
            "station-handbook.epub, Safety on the ice",
        ),
        (
            "How often is the cooling tower inspected?",
            "90 days",
            "maintenance-notice.png",
            None,
            "maintenance-notice.png (scanned)",
        ),
        (
            "What is the daily allowance in Lisbon?",
            "60 EUR",
            "travel-policy.odt",
            None,
            "travel-policy.odt",
        ),
        (
            "How many vans does the Utrecht depot charge overnight?",
            "12 vans",
            "fleet-update.odp",
            2,
            "fleet-update.odp, slide 2",
        ),
        ("When does the canteen close on Fridays?", "15:30", "canteen.rtf", None, None),
        (
            "What budget was approved for Region 40?",
            "40,000",
            "regional-budgets.pdf",
            2,
            "regional-budgets.pdf, page 2",
        ),
        (
            "What were the costs in Q3?",
            "3.9",
            "quarterly-results.pptx",
            1,
            "quarterly-results.pptx, slide 1",
        ),
        (
            "When is the parking garage closed for repairs?",
            "3 to 7 March",
            "garage-closure.msg",
            None,
            None,
        ),
        (
            "Whom do severity 1 incidents page?",
            "Ines Varga",
            "operations-deck.pptx",
            2,
            "operations-deck.pptx, slide 2 (scanned)",
        ),
        (
            "What is the gate code of the loading dock?",
            "4471",
            "visitor-scans.tif",
            2,
            "visitor-scans.tif, frame 2 (scanned)",
        ),
    ],
)
def test_questions_are_answered_from_the_right_place(
    share, question, expected, source, page, label
):
    data, _ = share
    answer = ask(data, question)
    assert not answer["refused"], answer
    assert expected in answer["answer"]
    cite = answer["citations"][0]
    assert cite["source"] == source and cite["page"] == page
    assert expected in cite["snippet"]
    if label:
        assert cite["label"] == label
