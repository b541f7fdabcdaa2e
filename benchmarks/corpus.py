"""Deterministic synthetic company text and PDFs for the benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = [
    "The finance team",
    "Every employee",
    "The security office",
    "Each manager",
    "The travel desk",
    "People Operations",
    "The facilities team",
    "A contractor",
    "The legal department",
    "The support rota",
    "The data platform",
    "Each office",
]
VERBS = [
    "reviews",
    "approves",
    "archives",
    "reports",
    "updates",
    "audits",
    "schedules",
    "reimburses",
    "publishes",
    "tracks",
    "escalates",
    "documents",
]
OBJECTS = [
    "expense claims",
    "vacation requests",
    "access badges",
    "purchase orders",
    "incident reports",
    "laptop renewals",
    "training records",
    "vendor contracts",
    "parking permits",
    "budget forecasts",
    "customer escalations",
    "safety drills",
    "pension contributions",
    "meeting room bookings",
    "software licences",
]
TAILS = [
    "within {n} days",
    "every {n} weeks",
    "before the {n}th of each month",
    "for amounts above {n}00 euros",
    "at least {n} times a year",
    "within {n} hours",
    "for teams larger than {n} people",
    "after {n} failed attempts",
]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(n=rng.randint(2, 60))
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."


def paragraph(rng: random.Random, sentences: int = 6) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def make_pdfs(folder: Path, count: int, pages: int = 4, seed: int = 7) -> Path:
    """``count`` PDFs of ``pages`` pages each (about 2 chunks per page); cached by name."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.pdf"))) == count:
        return folder
    styles = getSampleStyleSheet()
    rng = random.Random(seed)
    for i in range(count):
        story = []
        for p in range(pages):
            if p:
                story.append(PageBreak())
            story.append(Paragraph(f"Policy {i} section {p + 1}", styles["Heading1"]))
            for _ in range(3):
                story.append(Paragraph(paragraph(rng), styles["BodyText"]))
        SimpleDocTemplate(
            str(folder / f"policy-{i:04d}.pdf"), pagesize=A4, title=f"Policy {i}"
        ).build(story)
    return folder
