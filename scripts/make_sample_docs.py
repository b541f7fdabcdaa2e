"""Regenerate sample_docs/ (a fictional company, Brightwater Analytics).

Run: python scripts/make_sample_docs.py   (needs reportlab, from the dev extra)
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sample_docs"

HANDBOOK = [
    (
        "Welcome to Brightwater Analytics",
        [
            "This handbook describes the policies that apply to all employees of Brightwater "
            "Analytics in every office. It is maintained by the People Operations team and was "
            "last revised in March 2026.",
            "Questions about this handbook can be sent to people-ops@brightwater.example. Local "
            "law takes precedence where it grants employees more generous terms.",
            "Our core working hours are 10:00 to 16:00 local time. Outside these hours employees "
            "may arrange their schedule with their manager.",
        ],
    ),
    (
        "Vacation and Paid Time Off",
        [
            "Full-time employees accrue 25 vacation days per calendar year, credited monthly. "
            "Part-time employees accrue vacation in proportion to their contracted hours.",
            "Up to 5 unused vacation days carry over into the next calendar year; any additional "
            "unused days expire on December 31. Carried-over days must be taken before March 31.",
            "Vacation requests of more than two consecutive weeks need approval from a manager "
            "at least 30 days in advance.",
            "Brightwater also observes 11 public holidays per year, published each November.",
        ],
    ),
    (
        "Parental and Family Leave",
        [
            "Birth parents receive 16 weeks of fully paid parental leave. Non-birth parents, "
            "including adoptive and foster parents, receive 10 weeks of fully paid parental leave.",
            "Parental leave can be taken in up to three blocks within the first 12 months after "
            "the birth or placement of the child.",
            "Employees caring for a seriously ill family member may take up to 4 weeks of paid "
            "family care leave per year.",
        ],
    ),
    (
        "Remote Work and Equipment",
        [
            "Employees may work remotely up to three days per week. Fully remote arrangements "
            "require approval from a department director.",
            "Each employee receives a one-time home office stipend of 750 euros for a desk, chair "
            "or monitor. Laptops are issued by IT and remain company property.",
            "Employees working abroad for more than 20 working days per year must first obtain "
            "approval from People Operations because of tax and insurance rules.",
        ],
    ),
    (
        "Conduct and Reporting Concerns",
        [
            "Concerns about misconduct can be reported to a manager, to People Operations, or "
            "anonymously through the Speak Up line at speakup.brightwater.example.",
            "Brightwater does not tolerate retaliation against anyone who raises a concern in "
            "good faith.",
        ],
    ),
]


def make_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = []
    for i, (heading, paragraphs) in enumerate(HANDBOOK):
        if i:
            story.append(PageBreak())
        story.append(Paragraph(heading, styles["Heading1"]))
        for para in paragraphs:
            story.append(Paragraph(para, styles["BodyText"]))
            story.append(Spacer(1, 8))
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, title="Brightwater Employee Handbook", author="People Operations"
    )
    doc.build(story)


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Benefits Summary 2026"
    d.add_heading("Benefits Summary 2026", 0)
    d.add_heading("Health insurance", 1)
    d.add_paragraph(
        "Brightwater offers three health plans through Meridian Health. Employees choose a "
        "plan during open enrollment, which runs from November 1 to November 21."
    )
    table = d.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells,
        ["Plan", "Annual deductible", "Monthly employee premium", "Out-of-pocket maximum"],
        strict=True,
    ):
        cell.text = text
    for row in [
        ("Bronze", "$3,000", "$0", "$7,500"),
        ("Silver", "$1,500", "$45", "$5,000"),
        ("Gold", "$500", "$120", "$3,000"),
    ]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    d.add_heading("Retirement savings", 1)
    d.add_paragraph(
        "Brightwater matches 100% of employee pension contributions up to 6% of base salary. "
        "Matching contributions vest immediately."
    )
    d.add_heading("Wellbeing", 1)
    d.add_paragraph(
        "Every employee has a yearly wellbeing allowance of 400 euros that can be spent on gym "
        "memberships, sports classes or mental health apps."
    )
    d.save(str(path))


HTML = """<!DOCTYPE html>
<html lang="en"><head><title>IT Security Policy | Brightwater Intranet</title>
<style>body { font-family: sans-serif; } .nav a { margin: 4px; }</style>
<script>window.analytics = {track: function () {}}; console.log("tracking loaded");</script>
</head><body>
<header class="site-header"><a href="/">Brightwater Intranet</a> 
<a href="/search">Search</a></header>
<nav class="nav"><a href="/">Home</a> <a href="/hr">HR portal</a> <a href="/it">IT help desk</a>
<a href="/canteen">Canteen menu</a> <a href="/events">Events calendar</a></nav>
<div class="breadcrumbs">Home / IT / Security policy</div>
<main>
<h1>IT Security Policy</h1>
<p>This policy applies to every laptop, phone and account used for Brightwater work.</p>
<h2>Passwords and sign-in</h2>
<p>Passwords must be at least 14 characters long. Multi-factor authentication is mandatory
for email, the VPN and all customer data systems.</p>
<p>Passwords are not rotated on a schedule; change your password immediately if you suspect
it has been exposed.</p>
<h2>Lost or stolen devices</h2>
<p>Report a lost or stolen laptop or phone to the IT help desk within 1 hour by calling
extension 4400, so the device can be wiped remotely.</p>
<h2>Software</h2>
<ul><li>Only install software from the Brightwater Software Center.</li>
<li>Browser extensions need approval from the security team.</li></ul>
</main>
<aside class="sidebar">Popular: canteen menu, parking permits, holiday calendar</aside>
<footer class="footer">© 2026 Brightwater Analytics · Privacy · Cookie settings</footer>
</body></html>
"""

FAQ = """# Finance FAQ

Answers to the questions the finance team hears most often.

## Expenses

### How do I submit an expense claim?
Submit expense claims in the Ledgerly app with a photo of each receipt. Claims must be
submitted within 60 days of the purchase; older claims are not reimbursed.

### When are expenses reimbursed?
Approved claims are paid with the next monthly salary run, on the 25th of each month.

## Travel

### Which class can I book for flights?
Economy class is the standard for all flights. Business class is allowed for flights
longer than 8 hours, with director approval.

### What is the daily meal allowance when travelling?
The daily meal allowance is 60 euros in Europe and 75 euros elsewhere.

## Purchasing

### Who can approve a purchase order?
Purchase orders up to 5,000 euros are approved by the budget owner; larger orders also
need approval from the CFO.
"""

TEXT = """BRIGHTWATER OFFICE GUIDE - LISBON

The Lisbon office is at Rua das Flores 120, 3rd floor. The reception is staffed from
08:30 to 18:00 on working days.

Guest Wi-Fi: connect to the network "BW-Guest"; the password is printed on the reception
desk and changes every Monday.

Parking: the office has 12 parking spaces in the basement. Spaces are booked through the
Deskbird app at least one day in advance.

Meeting rooms: the large room "Tejo" seats 14 people and has video conferencing. Smaller
rooms can be booked for up to 2 hours at a time.

Fire safety: the assembly point is the square in front of the building. Fire drills take
place twice a year.
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    make_pdf(OUT / "employee-handbook.pdf")
    make_docx(OUT / "benefits-summary.docx")
    (OUT / "it-security-policy.html").write_text(HTML, encoding="utf-8")
    (OUT / "finance-faq.md").write_text(FAQ, encoding="utf-8")
    (OUT / "office-guide-lisbon.txt").write_text(TEXT, encoding="utf-8")
    # a damaged download: a PDF cut off after its header, then garbage
    (OUT / "board-minutes-damaged.pdf").write_bytes(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + b"\x8f\x00" * 64
    )


if __name__ == "__main__":
    main()
