"""Files of every format, generated (no binary fixtures): each states one fact that a test
asks about, so a right answer proves the format was read and cited correctly."""

from __future__ import annotations

import random
import zipfile
from email.message import EmailMessage
from pathlib import Path

FONT_SIZE = 30


def _font(size: int = FONT_SIZE):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def scanned_image(lines: list[str], *, width: int = 1240, height: int = 1754, seed: int = 1):
    """A page as a scanner returns it: black text on off-white, slightly rotated, noisy."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(img)
    font = _font()
    for i, line in enumerate(lines):
        draw.text((110, 160 + 56 * i), line, fill=20, font=font)
    img = img.rotate(0.8, fillcolor=245, expand=False)
    px = img.load()
    for _ in range(width * height // 400):  # speckle
        x, y = rng.randrange(width), rng.randrange(height)
        px[x, y] = rng.choice((60, 200))
    return img.convert("RGB")


def write_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = "Northwind quarterly review"
    slide.placeholders[1].text = "Results and plans for the third quarter"
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Customer support"
    slide.placeholders[1].text = "The support desk answers tickets within 4 hours."
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Warehouse headcount"
    rows = [("Site", "Forklift drivers"), ("Rotterdam", "14"), ("Hamburg", "9")]
    table = slide.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    slide.notes_slide.notes_text_frame.text = "The Hamburg site opens a night shift in March."
    deck.save(path)
    return path


def write_xlsx(path: Path, rows: int = 40) -> Path:
    """A title row above the header, a formula with its cached value, a hidden sheet."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Headcount")
    sheet.write_row(0, 0, ["Headcount report, November"])
    sheet.write_row(2, 0, ["Department", "Manager", "Employees", "Budget (EUR)"])
    departments = ["Finance", "Legal", "Logistics", "Marketing", "Research"]
    for i in range(rows):
        name = departments[i] if i < len(departments) else f"Team {i}"
        manager = "Ingrid Vasquez" if name == "Logistics" else f"Manager {i}"
        sheet.write_row(3 + i, 0, [name, manager, 10 + i, 50_000 + 1000 * i])
    sheet.write_formula(
        3 + rows, 2, f"=SUM(C4:C{3 + rows})", None, sum(10 + i for i in range(rows))
    )
    sheet.write(3 + rows, 0, "Total")
    hidden = book.add_worksheet("Scratch")
    hidden.write(0, 0, "a hidden sheet with a secret code 7731")
    hidden.hide()
    book.close()
    return path


def write_csv(path: Path, rows: int = 60, delimiter: str = ";", encoding: str = "cp1252") -> Path:
    lines = [delimiter.join(["Part number", "Description", "Supplier", "Unit price"])]
    for i in range(rows):
        supplier = "Müller Präzision GmbH" if i == 37 else f"Supplier {i % 7}"
        lines.append(delimiter.join([f"PN-{1000 + i}", f"Gasket type {i}", supplier, f"{i}.50"]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_eml(path: Path) -> Path:
    msg = EmailMessage()
    msg["From"] = "Facilities <facilities@example.com>"
    msg["To"] = "All staff <staff@example.com>"
    msg["Date"] = "Mon, 02 Nov 2026 09:30:00 +0100"
    msg["Subject"] = "Office move to the Harbour building"
    msg.set_content(
        "Dear colleagues,\n\nThe office moves to the Harbour building on 14 December. "
        "Please pack your desk by 11 December.\n\nFacilities"
    )
    checklist = (
        "Moving checklist\n\nLabel every crate with your desk number.\n"
        "Monitors are carried by the movers; laptops go home with you.\n"
    )
    msg.add_attachment(
        checklist.encode(), maintype="text", subtype="plain", filename="moving-checklist.txt"
    )
    path.write_bytes(bytes(msg))
    return path


def write_epub(path: Path) -> Path:
    chapters = [
        ("Arrival", "<p>Welcome to the research station. Check in at the front desk.</p>"),
        (
            "Safety on the ice",
            "<p>Never walk on the sea ice alone.</p>"
            "<p>The emergency beacon frequency is 406 MHz.</p>",
        ),
    ]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items = "".join(
            f'<item id="c{i}" href="text/ch{i}.xhtml" media-type="application/xhtml+xml"/>'
            for i in range(len(chapters))
        )
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        z.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>Polar Station Handbook</dc:title></metadata>"
            f"<manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        for i, (title, body) in enumerate(chapters):
            z.writestr(
                f"OEBPS/text/ch{i}.xhtml",
                '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>",
            )
    return path


SCAN_LINES = [
    "Maintenance notice",
    "The cooling tower inspection is due every 90 days.",
    "Report leaks to the plant engineer, Tomas Berg.",
]


def write_png(path: Path) -> Path:
    scanned_image(SCAN_LINES).save(path)
    return path


def write_tiff(path: Path, frames: list[list[str]]) -> Path:
    images = [scanned_image(lines, seed=i) for i, lines in enumerate(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], compression="tiff_deflate")
    return path


def write_mixed_pdf(path: Path) -> Path:
    """Page 1 has a text layer; page 2 is a scanned image only."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawString(72, 760, "Plant operations manual")
    c.drawString(72, 740, "Shift handover happens at 06:00, 14:00 and 22:00.")
    c.showPage()
    image = scanned_image(
        ["Boiler room", "The boiler pressure must stay below 12 bar.", "Log readings hourly."],
        seed=3,
    )
    width, height = A4
    c.drawImage(ImageReader(image), 0, 0, width=width, height=height)
    c.showPage()
    c.save()
    return path


def write_scanned_pdf(path: Path) -> Path:
    scanned_image(SCAN_LINES, seed=5).save(path, "PDF", resolution=150)
    return path


def write_ods(path: Path, rows: list[list[str]], sheet: str = "Rooms") -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice writes, without styles)."""
    from xml.sax.saxutils import escape

    def cell(value: str) -> str:
        kind = "string"
        if value.isdigit():
            kind = f'float" office:value="{value}'
        text = f"<text:p>{escape(value)}</text:p>"
        return f'<table:table-cell office:value-type="{kind}">{text}</table:table-cell>'

    body = "".join(
        f"<table:table-row>{''.join(cell(v) for v in r)}</table:table-row>" for r in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def write_xls(path: Path, rows: list[list[str]], sheet: str = "Fleet") -> Path:
    """A legacy Excel 97-2003 workbook."""
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(path))
    return path


def write_odt(path: Path) -> Path:
    """An OpenDocument text file as odfpy writes it: a title, headings, a table with a
    header row, a list, a footnote, a tracked deletion and a table of contents."""
    from odf import dc, text
    from odf.namespaces import XMLNS
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text="Travel Policy"))
    toc = text.TableOfContent(name="Contents")
    body = text.IndexBody()
    body.addElement(text.P(text="Per diem .......... 1"))
    toc.addElement(body)
    doc.text.addElement(toc)
    changes = text.TrackedChanges()
    region = text.ChangedRegion(qattributes={(XMLNS, "id"): "ct1"})
    deletion = text.Deletion()
    deletion.addElement(text.P(text="The allowance in Lisbon is 200 EUR."))
    region.addElement(deletion)
    changes.addElement(region)
    doc.text.addElement(changes)
    doc.text.addElement(text.H(outlinelevel=1, text="Booking"))
    para = text.P(text="Book trains for journeys under six hours.")
    note = text.Note(id="n1", noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    note_body = text.NoteBody()
    note_body.addElement(text.P(text="Night trains count as hotel nights."))
    note.addElement(note_body)
    para.addElement(note)
    doc.text.addElement(para)
    items = text.List()
    for line in ("Economy class only.", "Receipts within 30 days."):
        item = text.ListItem()
        item.addElement(text.P(text=line))
        items.addElement(item)
    doc.text.addElement(items)
    doc.text.addElement(text.H(outlinelevel=1, text="Per diem"))
    doc.text.addElement(text.P(text="Daily allowances per city:"))
    table = Table(name="Allowances")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in (("City", "Daily allowance"), ("Oslo", "95 EUR"), ("Lisbon", "60 EUR")):
        row = TableRow()
        for value in cells:
            cell = TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        table.addElement(row)
    doc.text.addElement(table)
    doc.save(str(path))
    return path


def write_odp(path: Path) -> Path:
    """An OpenDocument presentation as odfpy writes it: two slides with titles, text boxes
    placed out of document order, and speaker notes."""
    from odf import dc, draw, presentation, style, text
    from odf.namespaces import PRESENTATIONNS
    from odf.opendocument import OpenDocumentPresentation

    doc = OpenDocumentPresentation()
    doc.meta.addElement(dc.Title(text="Fleet update"))
    layout = style.PageLayout(name="Layout")
    layout.addElement(style.PageLayoutProperties(pagewidth="28cm", pageheight="21cm"))
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Master", pagelayoutname=layout)
    doc.masterstyles.addElement(master)

    def box(page, y: str, lines: list[str], cls: str = "outline") -> None:
        frame = draw.Frame(width="24cm", height="3cm", x="2cm", y=y)
        frame.setAttrNS(PRESENTATIONNS, "class", cls)
        textbox = draw.TextBox()
        for line in lines:
            textbox.addElement(text.P(text=line))
        frame.addElement(textbox)
        page.addElement(frame)

    first = draw.Page(name="p1", masterpagename=master)
    box(first, "1cm", ["Fleet update 2026"], "title")
    box(first, "5cm", ["Vans, chargers and routes"], "subtitle")
    doc.presentation.addElement(first)
    second = draw.Page(name="p2", masterpagename=master)
    box(second, "12cm", ["Route planning moves to the new software in autumn."])
    box(second, "1cm", ["Electric vans"], "title")
    box(second, "5cm", ["The depot in Utrecht charges 12 vans overnight."])
    notes = presentation.Notes()
    box(notes, "15cm", ["The chargers were installed in May."], "notes")
    second.addElement(notes)
    doc.presentation.addElement(second)
    doc.save(str(path))
    return path


def write_rtf(path: Path) -> Path:
    """A Rich Text file as WordPad writes it: a font table, an info block with the title,
    a picture (hex), cp1252 escapes and a Unicode escape."""
    rtf = "\r\n".join(
        [
            r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Calibri;}}",
            r"{\colortbl ;\red255\green0\blue0;}",
            r"{\info{\title Canteen rules}{\author Facilities}}",
            r"\viewkind4\uc1\pard\sa200\sl276\slmult1\b\f0\fs28 Canteen rules\b0\fs22\par",
            r"The canteen closes at 15:30 on Fridays.\par",
            r"{\pict\pngblip\picw10\pich10 " + "89504e470d0a1a0a" * 64 + "}",
            r"Coffee costs 1,20 \'80 in the caf\'e9; tea is free.\par",
            r"Ask the chef (\u381?ofia Nowak) about allergens.\par",
            "}",
        ]
    )
    path.write_bytes(rtf.encode("ascii"))
    return path


def write_msg(
    path: Path,
    *,
    html: bool = False,
    attachments: tuple[tuple[str, bytes], ...] = (
        ("shuttle.txt", b"Shuttle buses to the P2 lot run every 15 minutes.\n"),
    ),
) -> Path:
    """An Outlook message as Outlook stores it: an OLE compound file of MAPI property
    streams (written with extract-msg's ``OleWriter``), sent 2 March 2026 09:15 UTC, with
    a text body (or only an HTML body) and attachments."""
    import struct
    from datetime import UTC, datetime

    from extract_msg.ole_writer import OleWriter

    def fixed(tag: int, kind: int, value: int) -> bytes:
        return struct.pack("<HHIq", kind, tag, 6, value)

    def variable(tag: int, kind: int, size: int) -> bytes:
        return struct.pack("<HHIII", kind, tag, 6, size, 0)

    body = (
        "Dear all,\r\n\r\nThe parking garage closes for repairs from 3 to 7 March.\r\n"
        "Please park in the P2 lot.\r\n\r\nFacilities"
    )
    strings = {
        0x001A: "IPM.Note",
        0x0037: "Parking garage closure",
        0x0C1A: "Facilities",
        0x0C1F: "facilities@example.com",
        0x0E04: "All staff",
    }
    writer = OleWriter()
    props = []
    if not html:
        strings[0x1000] = body
    for tag, value in strings.items():
        data = value.encode("utf-16-le")
        writer.addEntry(f"__substg1.0_{tag:04X}001F", data)
        props.append(variable(tag, 0x001F, len(data) + 2))
    if html:
        page = "".join(f"<p>{line}</p>" for line in body.split("\r\n") if line)
        data = f"<html><body>{page}</body></html>".encode()
        writer.addEntry("__substg1.0_10130102", data)
        props.append(variable(0x1013, 0x0102, len(data)))
    sent = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    filetime = int((sent - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10**7)
    props.append(fixed(0x0039, 0x0040, filetime))
    header = b"\x00" * 8 + struct.pack("<IIII", 0, len(attachments), 0, len(attachments))
    writer.addEntry("__properties_version1.0", header + b"\x00" * 8 + b"".join(props))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for i, (name, data) in enumerate(attachments):
        base = f"__attach_version1.0_#{i:08X}"
        writer.addEntry(base, storage=True)
        encoded = name.encode("utf-16-le")
        writer.addEntry(f"{base}/__substg1.0_3707001F", encoded)
        writer.addEntry(f"{base}/__substg1.0_37010102", data)
        writer.addEntry(
            f"{base}/__properties_version1.0",
            b"\x00" * 8
            + fixed(0x3705, 0x0003, 1)  # attached by value
            + variable(0x3707, 0x001F, len(encoded) + 2)
            + variable(0x3701, 0x0102, len(data)),
        )
    writer.write(str(path))
    return path


def write_table_pdf(
    path: Path,
    *,
    rows: int = 45,
    repeat_header: bool = False,
    then: list[list[str]] | None = None,
) -> Path:
    """A report whose ruled table (Region, Manager, Budget) runs from page 1 onto page 2,
    with text above and below it; ``repeat_header`` repeats the header on page 2, and
    ``then`` adds a second table (its first row its header) right after the first."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    data = [["Region", "Manager", "Budget (EUR)"]]
    data += [[f"Region {i}", f"Manager {i}", f"{1000 * i:,}"] for i in range(1, rows + 1)]
    story = [
        Paragraph("Regional budgets 2026", styles["Title"]),
        Paragraph("Each region's manager and approved budget.", styles["Normal"]),
        Spacer(1, 12),
        Table(data, repeatRows=1 if repeat_header else 0, style=grid),
    ]
    if then:
        story.append(Table(then, style=grid))
    story.append(Paragraph("Budgets are reviewed every quarter.", styles["Normal"]))
    SimpleDocTemplate(str(path), pagesize=A4, title="Regional budgets").build(story)
    return path


def write_docx_template(path: Path) -> Path:
    """A Word file as templates and reviews leave it: a block content control (a form
    field), an inline one, a tracked insertion and deletion, a text box stored the way
    Word stores it (a DrawingML copy and a VML fallback copy) and a footnote."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )

    def run(text: str) -> str:
        return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'

    document = docx.Document()
    document.add_heading("Expense policy", 1)
    body = document.element.body
    end = body[-1]  # w:sectPr stays last
    blocks = [
        f"<w:sdt {ns}><w:sdtPr><w:alias w:val='Deadline'/></w:sdtPr><w:sdtContent>"
        f"<w:p>{run('Claims are filed within 60 days of the expense.')}</w:p>"
        "</w:sdtContent></w:sdt>",
        f"<w:p {ns}>{run('Approver: ')}<w:sdt><w:sdtContent>{run('the budget owner')}"
        "</w:sdtContent></w:sdt></w:p>",
        f"<w:p {ns}>{run('Meals are refunded up to ')}<w:del w:id='1' w:author='HR'><w:r>"
        "<w:delText>40</w:delText></w:r></w:del><w:ins w:id='2' w:author='HR'>"
        f"{run('45')}</w:ins>{run(' euros a day.')}</w:p>",
        f"<w:p {ns}>{run('See the box.')}<w:r><mc:AlternateContent>"
        "<mc:Choice Requires='wps'><w:drawing><wps:wsp><wps:txbx><w:txbxContent>"
        f"<w:p>{run('Receipts are kept for seven years.')}</w:p>"
        "</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        "<v:shape><v:textbox><w:txbxContent>"
        f"<w:p>{run('Receipts are kept for seven years.')}</w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>",
    ]
    blocks.append(
        f"<w:p {ns}>{run('Trains are booked for trips under six hours.')}"
        "<w:r><w:footnoteReference w:id='1'/></w:r></w:p>"
    )
    for xml in blocks:
        end.addprevious(parse_xml(xml))
    footnotes = (
        f"<w:footnotes {ns}><w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:separator/>"
        "</w:r></w:p></w:footnote><w:footnote w:id='1'>"
        f"<w:p>{run('Night trains count as hotel nights.')}</w:p></w:footnote></w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        footnotes.encode(),
        document.part.package,
    )
    document.part.relate_to(part, RT.FOOTNOTES)
    document.save(str(path))
    return path


def write_pptx_chart(path: Path) -> Path:
    """A deck whose figures are only in a chart: clustered columns, two series, a title."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Quarterly results"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2", "Q3"]
    data.add_series("Revenue (M EUR)", (4.1, 4.6, 5.3))
    data.add_series("Costs (M EUR)", (3.2, 3.4, 3.9))
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(8), Inches(4.5), data
    )
    frame.chart.has_title = True
    frame.chart.chart_title.text_frame.text = "Revenue and costs 2026"
    deck.save(path)
    return path


SLIDE_PICTURE_LINES = ["Escalation path", "Severity 1 incidents page the duty manager, Ines Varga."]
LOGO_PICTURE_LINES = ["Harbour Logistics wordmark"]


def _png_bytes(image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def write_pptx_pictures(path: Path) -> Path:
    """Slide 1 has plenty of text and a picture with words in it (a wordmark: not read
    under OCR auto); slide 2 is a title and a screenshot, whose words only OCR finds."""
    import io

    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Operations overview"
    slide.placeholders[1].text = (
        "The operations team runs three warehouses and a fleet of forty trucks. "
        "Each site reports its stock levels every morning before eight o'clock."
    )
    logo = scanned_image(LOGO_PICTURE_LINES, width=700, height=260, seed=7)
    slide.shapes.add_picture(io.BytesIO(_png_bytes(logo)), Inches(6), Inches(6), Inches(3))
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Incidents"
    shot = scanned_image(SLIDE_PICTURE_LINES, width=1100, height=320, seed=8)
    slide.shapes.add_picture(io.BytesIO(_png_bytes(shot)), Inches(0.5), Inches(2), Inches(9))
    deck.save(path)
    return path


def write_docx_scan(path: Path) -> Path:
    """A Word file that is a caption and a scanned page pasted as a picture."""
    import io

    import docx
    from docx.shared import Inches

    document = docx.Document()
    document.add_paragraph("Scanned copy of the signed notice")
    image = scanned_image(SCAN_LINES, width=1240, height=420, seed=9)
    document.add_picture(io.BytesIO(_png_bytes(image)), width=Inches(6))
    document.add_paragraph("Filed by reception.")
    document.save(path)
    return path


STAMP = "Received by the records office on 4 March 2024, reference RO-2291"


def write_stamped_scan_pdf(
    path: Path, *, picture_share: float = 1.0, text_at: float = 20, text: str = STAMP
) -> Path:
    """A scanned page under a text layer of one line (a records office's stamp, ``text_at``
    points above the bottom edge): its content is in the picture only. ``picture_share``
    is the height the picture covers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    image = scanned_image(SCAN_LINES, seed=11)
    shown = height * picture_share
    c.drawImage(ImageReader(image), 0, height - shown, width=width, height=shown)
    c.setFont("Helvetica", 8)
    c.drawString(36, text_at, text)
    c.showPage()
    c.save()
    return path


def write_odp_pictures(path: Path) -> Path:
    """A one-slide OpenDocument presentation: a title and a screenshot."""
    from odf import draw, style, text
    from odf.namespaces import PRESENTATIONNS
    from odf.opendocument import OpenDocumentPresentation

    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="Layout")
    layout.addElement(style.PageLayoutProperties(pagewidth="28cm", pageheight="21cm"))
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Master", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    page = draw.Page(name="p1", masterpagename=master)
    title = draw.Frame(width="24cm", height="3cm", x="2cm", y="1cm")
    title.setAttrNS(PRESENTATIONNS, "class", "title")
    box = draw.TextBox()
    box.addElement(text.P(text="Incidents"))
    title.addElement(box)
    page.addElement(title)
    shot = scanned_image(SLIDE_PICTURE_LINES, width=1100, height=320, seed=8)
    href = doc.addPicture("Pictures/shot.png", "image/png", _png_bytes(shot))
    frame = draw.Frame(width="24cm", height="7cm", x="2cm", y="5cm")
    frame.addElement(draw.Image(href=href))
    page.addElement(frame)
    doc.presentation.addElement(page)
    doc.save(str(path))
    return path


def write_odt_scan(path: Path) -> Path:
    """An OpenDocument text file that is a caption, a scanned page and a line after it."""
    from odf import draw, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.text.addElement(text.P(text="Scanned copy of the signed notice"))
    image = scanned_image(SCAN_LINES, width=1240, height=420, seed=9)
    href = doc.addPicture("Pictures/scan.png", "image/png", _png_bytes(image))
    para = text.P()
    frame = draw.Frame(width="16cm", height="5.4cm", anchortype="as-char")
    frame.addElement(draw.Image(href=href))
    para.addElement(frame)
    doc.text.addElement(para)
    doc.text.addElement(text.P(text="Filed by reception."))
    doc.save(str(path))
    return path


def encrypt_ooxml(source: Path, path: Path, password: str = "s3cret") -> Path:
    """``source`` saved with a password, as Office does: an OLE compound file that holds
    the encrypted package (msoffcrypto-tool writes Office's agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return path
