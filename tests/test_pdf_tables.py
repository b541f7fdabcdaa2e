"""Ruled tables on PDF pages read as rows that carry their headers, across page breaks."""

from __future__ import annotations

from pathlib import Path

from ingest.chunking import ChunkingConfig, chunk_document
from ingest.loaders import loader_for
from ingest.loaders.options import LoadOptions, using
from tests import format_files as ff

HEADER_ROW = "Region: Region 40; Manager: Manager 40; Budget (EUR): 40,000."


def load(path: Path, **options):
    with using(LoadOptions(**options)):
        return loader_for(path).load(path)


def lines(section) -> list[str]:
    return section.text.splitlines()


def test_table_rows_carry_their_headers_on_both_pages(tmp_path):
    doc = load(ff.write_table_pdf(tmp_path / "budgets.pdf"))
    first, second = doc.sections
    assert (first.page, second.page) == (1, 2)
    assert lines(first)[:3] == [
        "Regional budgets 2026",
        "Each region's manager and approved budget.",
        "Region: Region 1; Manager: Manager 1; Budget (EUR): 1,000.",
    ]
    # page 2 continues the table: its rows get page 1's header, the text follows them
    assert HEADER_ROW in lines(second)
    assert lines(second)[-1] == "Budgets are reviewed every quarter."
    body = [line for s in doc.sections for line in lines(s) if line.startswith("Region:")]
    assert len(body) == 45


def test_a_header_repeated_on_each_page_is_not_read_as_a_row(tmp_path):
    doc = load(ff.write_table_pdf(tmp_path / "budgets.pdf", repeat_header=True))
    text = "\n".join(s.text for s in doc.sections)
    assert HEADER_ROW in text
    assert "Region: Region;" not in text and "Region: Region\n" not in text


def test_a_new_table_at_the_top_of_a_page_keeps_its_own_header(tmp_path):
    staff = [["Name", "Role", "Team"], ["Ada Park", "Engineer", "Platform"]]
    staff += [[f"Person {c}", "Analyst", "Finance"] for c in "ABCDEFGH"]
    doc = load(ff.write_table_pdf(tmp_path / "report.pdf", rows=34, then=staff))
    text = "\n".join(s.text for s in doc.sections)
    assert "Name: Ada Park; Role: Engineer; Team: Platform." in text
    assert "Region: Name" not in text


def test_a_chunk_cut_inside_the_table_still_says_what_each_value_is(tmp_path):
    path = ff.write_table_pdf(tmp_path / "budgets.pdf")
    chunks = chunk_document(
        load(path),
        collection="c",
        document_id="d",
        source=path.name,
        config=ChunkingConfig(400, 80),
    )
    holding = [c.page_content for c in chunks if "40,000" in c.page_content]
    assert holding and all("Budget (EUR): 40,000" in text for text in holding)


def test_with_pdf_tables_off_or_no_table_on_the_page_the_text_layer_is_kept(tmp_path):
    path = ff.write_table_pdf(tmp_path / "budgets.pdf")
    off = load(path, pdf_tables=False)
    assert "Region 40\nManager 40\n40,000" in off.sections[1].text  # pypdf: a cell a line
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    boxed = tmp_path / "boxed.pdf"
    c = canvas.Canvas(str(boxed), pagesize=A4)
    c.rect(60, 600, 400, 200)  # a frame around the text and rules to write on: no table
    for y in range(300, 580, 35):
        c.line(60, y, 460, y)
    c.drawString(72, 760, "Notice: the lobby closes at 20:00 during the holidays.")
    c.drawString(72, 740, "Visitors sign in at the desk.")
    c.save()
    assert lines(load(boxed).sections[0]) == [
        "Notice: the lobby closes at 20:00 during the holidays.",
        "Visitors sign in at the desk.",
    ]


def test_the_crossing_lines_of_a_chart_are_not_read_as_a_table(tmp_path):
    import random

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    chart = tmp_path / "chart.pdf"
    c = canvas.Canvas(str(chart), pagesize=A4)
    rng = random.Random(1)
    for i in range(500):  # axes, grid and bars of a busy chart
        x, y = rng.uniform(0, 595), rng.uniform(0, 842)
        if i % 2:
            c.line(x, y, x + rng.uniform(5, 300), y)
        else:
            c.line(x, y, x, y + rng.uniform(5, 300))
    c.drawString(200, 420, "Weekly sales by region")
    c.drawString(200, 300, "Source: the sales ledger")
    c.save()
    assert lines(load(chart).sections[0]) == [
        "Weekly sales by region",
        "Source: the sales ledger",
    ]
