"""Running headers and footers are taken off PDF pages; the same words in a page's body
stay, and short documents are left as they are."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import loader_for
from ingest.loaders.page_furniture import strip_running_lines

BODIES = [
    "Vacation days accrue monthly.\nUnused days carry over until March.",
    "Parental leave lasts 16 weeks.\nIt may be split into two blocks.",
    "Remote work needs a manager's approval.\nEquipment is provided.",
    "Expenses are filed within 60 days.\nReceipts must be attached.",
    "Concerns can be reported anonymously.\nRetaliation is not tolerated.",
]


def page(n: int, body: str) -> str:
    return f"Acme Corp - Internal\n{body}\nPage {n} of 5"


def test_repeated_top_and_bottom_lines_go_and_a_page_counter_counts_as_one_line():
    pages = [page(n, body) for n, body in enumerate(BODIES, start=1)]
    assert strip_running_lines(pages) == BODIES


def test_the_same_words_inside_a_page_and_lines_on_few_pages_stay():
    pages = [page(n, body) for n, body in enumerate(BODIES, start=1)]
    pages[4] = "Intro\nSee below.\nAcme Corp - Internal\nis how pages are marked.\nMore\nThe end"
    pages[0] = "Draft\n" + pages[0]  # on one page only: not furniture
    out = strip_running_lines(pages)
    assert out[4] == pages[4]  # in the body there, not at an edge
    assert out[0].splitlines() == ["Draft", *BODIES[0].splitlines()]
    assert out[1] == BODIES[1]


def test_numbers_that_do_not_count_the_pages_are_not_furniture():
    pages = [f"Budget line {7 * n} approved.\n{body}" for n, body in enumerate(BODIES)]
    assert strip_running_lines(pages) == pages


def test_documents_of_fewer_than_three_pages_are_left_alone():
    pages = [page(n, BODIES[n]) for n in (1, 2)]
    assert strip_running_lines(pages) == pages
    assert strip_running_lines(["", "", ""]) == ["", "", ""]


def test_a_pdf_loses_its_running_header_and_footer_not_its_text(tmp_path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "report.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for n, body in enumerate(BODIES[:4], start=1):
        c.drawString(72, 800, "Northwind Logistics - Confidential")
        for i, line in enumerate(body.splitlines()):
            c.drawString(72, 700 - 20 * i, line)
        c.drawString(260, 40, f"Page {n} of 4")
        c.showPage()
    c.save()
    doc = loader_for(path).load(path)
    assert [s.text for s in doc.sections] == BODIES[:4]
    assert [s.page for s in doc.sections] == [1, 2, 3, 4]
