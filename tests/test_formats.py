"""Slides, spreadsheets, CSV, e-mail and e-books: what each loader makes of a real file
(generated here), and how each hostile file fails alone with a reason."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from ingest.chunking import ChunkingConfig, chunk_document
from ingest.loaders import LoadError, check_upload, loader_for
from ingest.loaders.options import LoadOptions, using
from retrieval import metadata as md
from tests import format_files as ff


def load(path: Path):
    return loader_for(path).load(path)


def reason(path: Path, options: LoadOptions | None = None) -> str:
    with using(options or LoadOptions()), pytest.raises(LoadError) as info:
        load(path)
    return str(info.value)


def chunks(path: Path, size: int = 800):
    return chunk_document(
        load(path),
        collection="c",
        document_id="d",
        source=path.name,
        config=ChunkingConfig(size, min(120, size // 4)),
    )


def test_slides_read_in_order_with_tables_and_notes(tmp_path):
    doc = load(ff.write_pptx(tmp_path / "review.pptx"))
    assert doc.title == "Northwind quarterly review" and doc.page_kind == "slide"
    assert [s.page for s in doc.sections] == [1, 2, 3]
    third = doc.sections[2]
    assert third.heading_path == ["Warehouse headcount"]
    assert third.text.splitlines() == [
        "Warehouse headcount",
        "Site: Rotterdam; Forklift drivers: 14.",
        "Site: Hamburg; Forklift drivers: 9.",
        "Speaker notes: The Hamburg site opens a night shift in March.",
    ]
    meta = chunks(tmp_path / "review.pptx")[-1].metadata
    assert (meta[md.PAGE], meta[md.PAGE_KIND]) == (3, "slide")


def test_a_chart_reads_as_its_title_and_a_row_per_category(tmp_path):
    doc = load(ff.write_pptx_chart(tmp_path / "results.pptx"))
    assert doc.sections[0].text.splitlines() == [
        "Quarterly results",
        "Chart: Revenue and costs 2026",
        "Category: Q1; Revenue (M EUR): 4.1; Costs (M EUR): 3.2.",
        "Category: Q2; Revenue (M EUR): 4.6; Costs (M EUR): 3.4.",
        "Category: Q3; Revenue (M EUR): 5.3; Costs (M EUR): 3.9.",
    ]


def test_sheet_rows_carry_their_headers_in_every_chunk(tmp_path):
    path = ff.write_xlsx(tmp_path / "headcount.xlsx", rows=300)
    doc = load(path)
    assert [s.name for s in doc.sections] == ["Headcount"]  # the hidden sheet is skipped
    lines = doc.sections[0].text.splitlines()
    assert lines[0] == "Headcount report, November"  # a title above the header row
    assert (
        "Department: Logistics; Manager: Ingrid Vasquez; Employees: 12; Budget (EUR): 52000."
        in lines
    )
    total = sum(10 + i for i in range(300))
    assert f"Department: Total; Employees: {total}." in lines  # a formula's cached value
    pieces = chunks(path, size=400)
    assert len(pieces) > 20
    for piece in pieces[1:]:
        assert "Department: " in piece.page_content and "Employees: " in piece.page_content
        assert piece.metadata[md.SECTION] == "Headcount"
    assert all("7731" not in p.page_content for p in pieces)


def test_legacy_excel_and_opendocument_sheets_read_like_xlsx(tmp_path):
    rows = [["Vehicle", "Plate", "Service due"], ["Van 1", "GW-204-K", "March 2027"]]
    xls = load(ff.write_xls(tmp_path / "fleet.xls", rows))
    assert [(s.name, s.text) for s in xls.sections] == [
        ("Fleet", "Vehicle: Van 1; Plate: GW-204-K; Service due: March 2027.")
    ]
    ods = load(ff.write_ods(tmp_path / "rooms.ods", [["Room", "Seats"], ["Aurora", "12"]]))
    assert [(s.name, s.text) for s in ods.sections] == [("Rooms", "Room: Aurora; Seats: 12.")]


def test_csv_delimiter_and_encoding_are_detected(tmp_path):
    doc = load(ff.write_csv(tmp_path / "parts.csv"))
    text = doc.sections[0].text
    assert (
        "Part number: PN-1037; Description: Gasket type 37; Supplier: Müller Präzision GmbH; "
        "Unit price: 37.50." in text.splitlines()
    )
    tsv = tmp_path / "people.tsv"
    tsv.write_text("Name\tRole\nAda\tEngineer\n\nGrace\tAdmiral\n", encoding="utf-16")
    assert load(tsv).sections[0].text.splitlines() == [
        "Name: Ada; Role: Engineer.",
        "Name: Grace; Role: Admiral.",
    ]


def test_too_many_rows_fail_the_file_with_the_setting_to_change(tmp_path):
    path = ff.write_csv(tmp_path / "big.csv", rows=50)
    assert "GROUNDWORK_MAX_ROWS" in reason(path, LoadOptions(max_rows=20))


def test_mail_has_its_headers_body_and_attachment_as_a_part(tmp_path):
    path = ff.write_eml(tmp_path / "office-move.eml")
    doc = load(path)
    assert doc.title == "Office move to the Harbour building"
    header = doc.sections[0].text
    assert "From: Facilities <facilities@example.com>" in header
    assert "Date: Mon, 02 Nov 2026 09:30:00 +0100" in header
    assert "Attachments: moving-checklist.txt" in header
    assert "moves to the Harbour building on 14 December" in doc.sections[1].text
    by_source = {c.metadata[md.SOURCE]: c.page_content for c in chunks(path)}
    assert "Monitors are carried by the movers" in by_source["office-move.eml/moving-checklist.txt"]


def test_html_only_mail_is_read_through_the_html_loader(tmp_path):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["Subject"] = "hr@example.com", "Canteen hours"
    msg.set_content(
        "<html><body><nav>Menu</nav><p>The canteen opens at 11:30.</p></body></html>",
        subtype="html",
    )
    path = tmp_path / "canteen.eml"
    path.write_bytes(bytes(msg))
    text = "\n".join(s.text for s in load(path).sections)
    assert "The canteen opens at 11:30." in text and "Menu" not in text


def test_epub_chapters_are_sections_in_reading_order(tmp_path):
    doc = load(ff.write_epub(tmp_path / "station.epub"))
    assert doc.title == "Polar Station Handbook"
    assert [s.name for s in doc.sections] == ["Arrival", "Safety on the ice"]
    assert "406 MHz" in doc.sections[1].text


def test_opendocument_text_reads_like_word_without_deletions_or_contents(tmp_path):
    doc = load(ff.write_odt(tmp_path / "travel.odt"))
    assert doc.title == "Travel Policy"
    assert [s.heading_path for s in doc.sections] == [["Booking"], ["Per diem"]]
    booking, per_diem = (s.text.splitlines() for s in doc.sections)
    assert booking == [
        "Book trains for journeys under six hours.",
        "Night trains count as hotel nights.",  # the footnote, after its paragraph
        "Economy class only.",
        "Receipts within 30 days.",
    ]
    assert per_diem[1:] == [
        "City: Oslo; Daily allowance: 95 EUR.",
        "City: Lisbon; Daily allowance: 60 EUR.",
    ]
    everything = " ".join(s.text for s in doc.sections)
    assert "200 EUR" not in everything  # a tracked deletion
    assert "...." not in everything  # the table of contents


def test_opendocument_slides_read_top_to_bottom_with_notes(tmp_path):
    path = ff.write_odp(tmp_path / "fleet.odp")
    doc = load(path)
    assert doc.title == "Fleet update" and doc.page_kind == "slide"
    assert [(s.page, s.heading_path) for s in doc.sections] == [
        (1, ["Fleet update 2026"]),
        (2, ["Electric vans"]),
    ]
    assert doc.sections[1].text.splitlines() == [
        "Electric vans",
        "The depot in Utrecht charges 12 vans overnight.",
        "Route planning moves to the new software in autumn.",
        "Speaker notes: The chargers were installed in May.",
    ]
    meta = chunks(path)[-1].metadata
    assert (meta[md.PAGE], meta[md.PAGE_KIND]) == (2, "slide")


def test_rich_text_keeps_its_words_and_drops_its_pictures(tmp_path):
    doc = load(ff.write_rtf(tmp_path / "canteen.rtf"))
    assert doc.title == "Canteen rules"
    assert doc.sections[0].text.splitlines() == [
        "Canteen rules",
        "The canteen closes at 15:30 on Fridays.",
        "Coffee costs 1,20 € in the café; tea is free.",
        "Ask the chef (Žofia Nowak) about allergens.",
    ]


def _rewrite_zip(src: Path, out: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, replace.get(item.filename, zin.read(item)))
    return out


def test_opendocument_files_that_cannot_be_read_fail_with_the_reason(tmp_path):
    good = ff.write_odt(tmp_path / "travel.odt")
    manifest = (
        zipfile.ZipFile(good)
        .read("META-INF/manifest.xml")
        .replace(
            b'manifest:full-path="content.xml"',
            b'manifest:full-path="content.xml"><manifest:encryption-data '
            b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>'
            b'<manifest:file-entry manifest:media-type="text/xml" manifest:full-path="x.xml"',
        )
    )
    locked = _rewrite_zip(good, tmp_path / "locked.odt", {"META-INF/manifest.xml": manifest})
    assert "password-protected" in reason(locked)
    sheet = ff.write_ods(tmp_path / "rooms.ods", [["Room", "Seats"], ["Tejo", "14"]])
    renamed = tmp_path / "rooms.odt"
    renamed.write_bytes(sheet.read_bytes())
    assert "its package says application/vnd.oasis.opendocument.spreadsheet" in reason(renamed)
    content = zipfile.ZipFile(good).read("content.xml")
    odd = content.replace(b'text:outline-level="1"', b'text:outline-level="first"').replace(
        b"<table:table-cell>", b'<table:table-cell table:number-columns-repeated="many">', 1
    )
    damaged = load(_rewrite_zip(good, tmp_path / "odd.odt", {"content.xml": odd}))
    assert [s.heading_path for s in damaged.sections] == [["Booking"], ["Per diem"]]
    broken = _rewrite_zip(good, tmp_path / "broken.odt", {"content.xml": b"<office:doc"})
    assert "its XML cannot be read" in reason(broken)
    empty = _rewrite_zip(
        ff.write_odp(tmp_path / "fleet.odp"),
        tmp_path / "empty.odp",
        {"content.xml": zipfile.ZipFile(sheet).read("content.xml")},
    )
    assert "holds no presentation body" in reason(empty)


def test_rich_text_that_is_not_rtf_or_holds_no_text_fails_with_the_reason(tmp_path):
    fake = tmp_path / "memo.rtf"
    fake.write_bytes(b"%PDF-1.7 this is a PDF renamed")
    assert "not a Rich Text file" in reason(fake)
    picture = tmp_path / "logo.rtf"
    picture.write_bytes(b"{\\rtf1\\ansi {\\pict\\pngblip " + b"89504e47" * 100 + b"}}")
    assert "no text found" in reason(picture)
    assert check_upload("memo.rtf", b"{\\rtf1\\ansi") is None
    assert "does not match .rtf" in check_upload("memo.rtf", b"%PDF-1.7")
    assert check_upload("travel.odt", b"PK\x03\x04") is None


def test_outlook_messages_read_like_eml_with_their_attachments(tmp_path):
    doc = load(ff.write_msg(tmp_path / "garage.msg"))
    assert doc.title == "Parking garage closure"
    header, body, attachment = doc.sections
    assert header.text.splitlines() == [
        "From: Facilities",
        "To: All staff",
        "Date: Mon, 02 Mar 2026 09:15:00 +0000",
        "Subject: Parking garage closure",
        "Attachments: shuttle.txt",
    ]
    assert "closes for repairs from 3 to 7 March" in body.text and not body.part
    assert attachment.part == "shuttle.txt" and "every 15 minutes" in attachment.text
    sources = {c.metadata[md.SOURCE] for c in chunks(tmp_path / "garage.msg")}
    assert sources == {"garage.msg", "garage.msg/shuttle.txt"}


def test_an_html_only_outlook_message_is_read_and_unreadable_attachments_named(tmp_path):
    path = ff.write_msg(
        tmp_path / "garage.msg",
        html=True,
        attachments=(("tool.exe", b"MZ"), ("broken.pdf", b"%PDF-1.4 broken")),
    )
    header, body = load(path).sections
    assert header.text.splitlines()[-1] == "Attachments: tool.exe, broken.pdf"
    assert "Please park in the P2 lot." in body.text and "<p>" not in body.text


def test_outlook_files_that_are_not_messages_fail_with_the_reason(tmp_path):
    renamed = tmp_path / "renamed.msg"
    renamed.write_bytes(b"%PDF-1.7 a PDF renamed")
    assert "no OLE header" in reason(renamed)
    workbook = ff.write_xls(tmp_path / "fleet.xls", [["Van", "Seats"], ["V1", "3"]])
    other = tmp_path / "fleet.msg"
    other.write_bytes(workbook.read_bytes())
    assert "not a message" in reason(other)
    truncated = tmp_path / "truncated.msg"
    truncated.write_bytes(ff.write_msg(tmp_path / "whole.msg").read_bytes()[:1500])
    assert "corrupt" in reason(truncated)
    assert check_upload("garage.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") is None
    assert "does not match .msg" in check_upload("garage.msg", b"From: someone")


def test_json_objects_read_as_records_under_the_keys_that_lead_to_them(tmp_path):
    path = tmp_path / "offices.json"
    path.write_text(
        '{"company": "Acme", "offices": [{"city": "Oslo", "staff": 40, "manager": '
        '{"name": "Ada Park", "since": 2021}}, {"city": "Lisbon", "staff": 12}], '
        '"tags": ["logistics", "rail"], "founded": 1998}'
    )
    doc = load(path)
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        ([], "company: Acme; founded: 1998."),
        (["offices"], "city: Oslo; staff: 40."),
        (["offices", "manager"], "name: Ada Park; since: 2021."),
        (["offices"], "city: Lisbon; staff: 12."),
        (["tags"], "tags: logistics, rail"),
    ]


def test_xml_reads_as_its_text_and_refuses_entity_bombs(tmp_path):
    path = tmp_path / "notice.xml"
    path.write_text(
        '<?xml version="1.0"?><notice xmlns="urn:x"><title>Fire drill</title>'
        "<body><p>The drill starts at <b>10:00</b> on Tuesday.</p></body></notice>"
    )
    doc = load(path)
    assert doc.title == "Fire drill"
    assert doc.sections[0].text.splitlines() == [
        "Fire drill",
        "The drill starts at",
        "10:00",
        "on Tuesday.",
    ]
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(f'<!DOCTYPE b [<!ENTITY l0 "lol">{levels}]><b>&l9;</b>')
    assert "amplification" in reason(bomb)


def test_broken_data_files_fail_with_the_place_of_the_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": 1,\n "b": }')
    assert "not valid JSON" in reason(broken) and "line 2" in reason(broken)
    empty = tmp_path / "empty.json"
    empty.write_text("[[], {}, null]")
    assert "holds no values" in reason(empty)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert "nests too deeply" in reason(deep)
    markup = tmp_path / "broken.xml"
    markup.write_text("<a><b></a>")
    assert "not well-formed XML" in reason(markup)


def test_logs_yaml_and_restructured_text_read_as_text(tmp_path):
    for name in ("app.log", "config.yaml", "deploy.yml", "guide.rst"):
        path = tmp_path / name
        path.write_text("retention_days: 30  # how long backups are kept\n")
        assert "retention_days: 30" in load(path).sections[0].text


def test_legacy_and_unknown_types_name_what_to_convert_to():
    assert "save it as .docx" in check_upload("minutes.doc", b"\xd0\xcf\x11\xe0")
    assert "save it as .pptx" in check_upload("deck.ppt", b"\xd0\xcf\x11\xe0")
    assert check_upload("tool.exe", b"MZ").startswith("unsupported file type .exe")


def test_upload_content_must_match_the_extension():
    assert check_upload("photo.png", b"\x89PNG\r\n\x1a\n....") is None
    assert check_upload("deck.pptx", b"PK\x03\x04....") is None
    assert check_upload("sheet.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") is None
    assert "does not match .png" in check_upload("photo.png", b"%PDF-1.7 ...")
    assert "does not match .xlsx" in check_upload("sheet.xlsx", b"%PDF-1.7 ...")
    assert "does not match .csv" in check_upload("rows.csv", b"\x00\x01\x02binary")


def _bomb(good: Path, out: Path, megabytes: int) -> Path:
    """``good`` with one more part of ``megabytes`` of zeros (it packs to a few hundred KB)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("media/padding.bin", "w", force_zip64=True) as fh:
            block = bytes(2**20)
            for _ in range(megabytes):
                fh.write(block)
    return out


@pytest.mark.parametrize(
    "name,writer",
    [
        ("review.pptx", ff.write_pptx),
        ("headcount.xlsx", ff.write_xlsx),
        ("book.epub", ff.write_epub),
        ("travel.odt", ff.write_odt),
        ("fleet.odp", ff.write_odp),
    ],
)
def test_zip_bombs_are_rejected_from_the_directory_alone(tmp_path, name, writer):
    good = writer(tmp_path / name)
    bomb = _bomb(good, tmp_path / f"bomb-{name}", megabytes=80)
    assert bomb.stat().st_size < 2**20
    why = reason(bomb, LoadOptions(max_unzipped_mb=64))
    assert "zip bomb" in why and "GROUNDWORK_MAX_UNZIPPED_MB" in why


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_an_image_bomb_is_rejected_before_its_pixels_are_decoded(tmp_path):
    bomb = tmp_path / "huge.png"
    bomb.write_bytes(_png_header(100_000, 100_000))
    why = reason(bomb)
    assert "100,000 x 100,000 pixels" in why and "GROUNDWORK_MAX_IMAGE_PIXELS" in why


def test_a_tiff_with_thousands_of_frames_is_rejected(tmp_path):
    from PIL import Image

    frames = [Image.new("L", (4, 4), i % 255) for i in range(1200)]
    path = tmp_path / "frames.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert "more than 500 frames" in reason(path)


def test_with_ocr_off_images_and_scans_fail_with_the_setting_named(tmp_path):
    off = LoadOptions(ocr="off")
    assert "GROUNDWORK_OCR=off" in reason(ff.write_png(tmp_path / "notice.png"), off)
    assert "GROUNDWORK_OCR=off" in reason(ff.write_scanned_pdf(tmp_path / "scan.pdf"), off)
    mixed = ff.write_mixed_pdf(tmp_path / "manual.pdf")
    with using(off):
        assert [s.page for s in load(mixed).sections] == [1]  # the scan is not read


def test_corrupt_office_files_fail_with_a_reason(tmp_path):
    for name in ("deck.pptx", "sheet.xlsx", "book.epub", "sheet.ods", "memo.odt", "deck.odp"):
        path = tmp_path / name
        path.write_bytes(b"PK\x03\x04 not really a zip")
        assert "corrupt" in reason(path)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "corrupt" in reason(xls)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    assert "corrupt" in reason(broken)


def test_a_batch_with_bombs_still_ingests_its_good_files(fake_container, tmp_path):
    docs = tmp_path / "share"
    docs.mkdir()
    ff.write_pptx(docs / "review.pptx")
    ff.write_csv(docs / "parts.csv")
    ff.write_eml(docs / "office-move.eml")
    _bomb(ff.write_xlsx(tmp_path / "x.xlsx"), docs / "bomb.xlsx", megabytes=300)
    (docs / "huge.png").write_bytes(_png_header(100_000, 100_000))
    (docs / "minutes.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    summary = fake_container.ingestor.ingest_folder(docs, "share")
    assert summary.new == 3
    failed = {f["source"]: f["reason"] for f in summary.failed}
    assert set(failed) == {"bomb.xlsx", "huge.png"}
    assert "zip bomb" in failed["bomb.xlsx"] and "pixels" in failed["huge.png"]
    assert "save it as .docx" in summary.skipped[0]["reason"]
    sources = {
        m[md.SOURCE]
        for m in fake_container.chunk_store.collection("share").get(include=["metadatas"])[
            "metadatas"
        ]
    }
    assert "office-move.eml/moving-checklist.txt" in sources
    fake_container.ingestor.ingest_folder(docs, "share", prune=True)
    (docs / "office-move.eml").unlink()
    fake_container.ingestor.ingest_folder(docs, "share", prune=True)
    left = fake_container.chunk_store.collection("share").get(include=["metadatas"])
    assert not any(m[md.SOURCE].startswith("office-move.eml") for m in left["metadatas"])


def test_ocr_pages_extend_the_time_limit_only_up_to_its_cap():
    import time

    from ingest.loaders.deadline import ParseTimeout, allow_more, time_limit

    with time_limit(0.2):
        allow_more(3.0)  # what one OCR page may claim
        time.sleep(0.5)  # past the base limit, well inside the extended one
    with pytest.raises(ParseTimeout), time_limit(0.2, cap_s=0.4):
        allow_more(30.0)  # claims more than the cap allows
        time.sleep(3.0)


@pytest.mark.integration  # reads a page by OCR
def test_scans_refused_with_ocr_off_are_read_once_ocr_is_on(fake_container, tmp_path):
    docs = tmp_path / "share"
    docs.mkdir()
    ff.write_png(docs / "notice.png")
    (docs / "memo.txt").write_text("The canteen opens at 11:30.")
    ingestor = fake_container.ingestor
    ingestor.load_options = LoadOptions(ocr="off")
    first = ingestor.ingest_folder(docs, "share")
    assert first.new == 1 and "GROUNDWORK_OCR=off" in first.failed[0]["reason"]
    again = ingestor.ingest_folder(docs, "share")  # same bytes, same setting: not retried
    assert again.failed == first.failed and again.new == 0
    ingestor.load_options = LoadOptions(ocr="auto")
    with_ocr = ingestor.ingest_folder(docs, "share")
    assert with_ocr.failed == [] and with_ocr.new + with_ocr.updated == 1


def _slides(path: Path, options: LoadOptions | None = None):
    with using(options or LoadOptions()):
        return {s.page: s for s in load(path).sections}


def test_a_slide_that_is_a_screenshot_is_read_by_ocr(tmp_path):
    deck = ff.write_pptx_pictures(tmp_path / "ops.pptx")
    slides = _slides(deck)
    assert "Ines Varga" in slides[2].text and "Incidents" in slides[2].text
    assert slides[2].ocr_confidence is not None and slides[2].ocr_confidence > 0.5
    # a slide with text of its own keeps its pictures unread (logos, decoration)
    assert "wordmark" not in slides[1].text and slides[1].ocr_confidence is None
    forced = _slides(deck, LoadOptions(ocr="force"))
    assert "wordmark" in forced[1].text
    off = _slides(deck, LoadOptions(ocr="off"))
    assert off[2].text == "Incidents" and off[2].ocr_confidence is None


def test_a_scan_pasted_into_word_is_read_where_it_stands(tmp_path):
    path = ff.write_docx_scan(tmp_path / "notice.docx")
    with using(LoadOptions()):
        text = "\n".join(s.text for s in load(path).sections)
        assert load(path).ocr_pages == 1
    lines = text.splitlines()
    caption = lines.index("Scanned copy of the signed notice")
    filed = lines.index("Filed by reception.")
    scan = next(i for i, line in enumerate(lines) if "Tomas Berg" in line)
    assert caption < scan < filed  # the picture's text stands where the picture does
    with using(LoadOptions(ocr="off")):
        assert "Tomas Berg" not in "\n".join(s.text for s in load(path).sections)


def test_a_word_file_of_pictures_alone_names_ocr_off(tmp_path):
    import io

    import docx

    document = docx.Document()
    image = ff.scanned_image(ff.SCAN_LINES, width=1240, height=420, seed=9)
    document.add_picture(io.BytesIO(ff._png_bytes(image)))
    path = tmp_path / "scan-only.docx"
    document.save(path)
    assert "OCR is off" in reason(path, LoadOptions(ocr="off"))


def test_an_undecodable_picture_is_skipped_and_the_deck_still_read(tmp_path):
    deck = ff.write_pptx_pictures(tmp_path / "ops.pptx")
    broken = tmp_path / "broken.pptx"
    with zipfile.ZipFile(deck) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("ppt/media/"):
                data = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a PNG signature, no image
            dst.writestr(item, data)
    slides = _slides(broken)
    assert slides[2].text == "Incidents" and "forty trucks" in slides[1].text


def test_switching_ocr_reads_decks_and_word_files_again():
    from ingest.loaders.base import reading_config

    for name in ("a.pptx", "a.docx", "a.odt", "a.odp"):
        auto = reading_config("fp", Path(name), LoadOptions(ocr="auto"))
        assert auto != reading_config("fp", Path(name), LoadOptions(ocr="off"))


def test_a_scan_under_a_stamp_of_text_is_read_by_ocr(tmp_path):
    """A text layer of one line (a stamp, a reference) over a page-size picture is not the
    page's content: OCR reads the page, stamp included."""
    pdf = ff.write_stamped_scan_pdf(tmp_path / "notice.pdf")
    with using(LoadOptions()):
        (section,) = load(pdf).sections
    assert "90 days" in section.text and "Tomas Berg" in section.text
    assert "RO-2291" in section.text and section.ocr_confidence is not None
    with using(LoadOptions(ocr="off")):
        (section,) = load(pdf).sections  # the text layer is all there is without OCR
    assert "RO-2291" in section.text and "Tomas Berg" not in section.text


def test_a_slide_title_over_a_background_picture_keeps_its_text_layer(tmp_path):
    """Text in the page's body over a page-size picture is the page's own (a slide's title
    over its background): the exact text layer is kept, not read again by OCR."""
    pdf = ff.write_stamped_scan_pdf(
        tmp_path / "slide.pdf", text_at=420, text="Quarterly results: revenue grew by 4 percent"
    )
    with using(LoadOptions()):
        (section,) = load(pdf).sections
    assert section.ocr_confidence is None
    assert section.text == "Quarterly results: revenue grew by 4 percent"


def test_a_small_picture_beside_a_short_text_layer_is_not_a_scan(tmp_path):
    pdf = ff.write_stamped_scan_pdf(tmp_path / "memo.pdf", picture_share=0.3)
    with using(LoadOptions()):
        (section,) = load(pdf).sections
    assert section.ocr_confidence is None and section.text.startswith("Received")


def test_opendocument_pictures_are_read_where_there_is_little_text(tmp_path):
    deck = ff.write_odp_pictures(tmp_path / "incidents.odp")
    with using(LoadOptions()):
        (slide,) = load(deck).sections
    assert slide.text.startswith("Incidents") and "Ines Varga" in slide.text
    assert slide.ocr_confidence is not None
    memo = ff.write_odt_scan(tmp_path / "notice.odt")
    with using(LoadOptions()):
        lines = "\n".join(s.text for s in load(memo).sections).splitlines()
    scan = next(i for i, line in enumerate(lines) if "Tomas Berg" in line)
    assert (
        lines.index("Scanned copy of the signed notice") < scan < lines.index("Filed by reception.")
    )
    with using(LoadOptions(ocr="off")):
        assert "Tomas Berg" not in "\n".join(s.text for s in load(memo).sections)


def test_password_protected_office_files_fail_with_that_reason(tmp_path):
    """Office saves a password-protected .docx, .pptx or .xlsx as an OLE file holding the
    encrypted package: the reason says so, not "corrupt", and an upload is accepted so
    that the ingest can say it."""
    from ingest.loaders import check_upload

    plain = {
        ".docx": ff.write_docx_scan(tmp_path / "plain.docx"),
        ".pptx": ff.write_pptx(tmp_path / "plain.pptx"),
        ".xlsx": ff.write_xlsx(tmp_path / "plain.xlsx"),
    }
    for suffix, source in plain.items():
        locked = ff.encrypt_ooxml(source, tmp_path / f"locked{suffix}")
        why = reason(locked)
        assert "password-protected" in why and "corrupt" not in why, (suffix, why)
        assert check_upload(locked.name, locked.read_bytes()[:4096]) is None


def test_an_office_97_file_with_a_new_name_says_what_to_save_it_as(tmp_path):
    legacy = ff.write_msg(tmp_path / "memo.msg")  # any OLE compound file
    for suffix in (".docx", ".pptx", ".xlsx"):
        renamed = tmp_path / f"memo{suffix}"
        renamed.write_bytes(legacy.read_bytes())
        assert "Office 97-2003" in reason(renamed) and f"save it as {suffix}" in reason(renamed)


def test_pictures_past_the_ocr_page_limit_fail_the_file_with_the_setting_named(tmp_path):
    """Every picture given to OCR counts, with text found in it or not."""
    import io

    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for shade in (200, 220, 240):  # three distinct blank pictures on title-only slides
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = f"Photo {shade}"
        picture = io.BytesIO()
        Image.new("RGB", (300, 300), (shade, shade, shade)).save(picture, "PNG")
        picture.seek(0)
        slide.shapes.add_picture(picture, Inches(1), Inches(2), Inches(3))
    path = tmp_path / "photos.pptx"
    deck.save(path)
    assert "GROUNDWORK_MAX_OCR_PAGES" in reason(path, LoadOptions(max_frames=2))
    with using(LoadOptions(max_frames=3)):
        assert [s.text for s in load(path).sections] == ["Photo 200", "Photo 220", "Photo 240"]


def test_a_picture_bomb_in_a_deck_fails_the_deck_before_its_pixels_are_decoded(tmp_path):
    deck = ff.write_pptx_pictures(tmp_path / "ops.pptx")
    bomb = tmp_path / "bomb.pptx"
    with zipfile.ZipFile(deck) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("ppt/media/"):
                data = _png_header(100_000, 100_000)  # the header of a 10-gigapixel picture
            dst.writestr(item, data)
    why = reason(bomb)
    assert "100,000 x 100,000 pixels" in why and "GROUNDWORK_MAX_IMAGE_PIXELS" in why
