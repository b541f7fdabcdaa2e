"""The answer Groundwork returns from the CLI (``--json``) and, later, the API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    n: int = Field(description="the [n] marker in the answer text")
    document_id: str
    source: str = Field(description="path of the file, relative to the ingest root")
    page: int | None = Field(description="1-based page for paged formats, else null")
    snippet: str = Field(description="the quoted supporting text, verbatim from the document")
    start: int = Field(description="offset of the snippet in the page or section text")
    end: int
    score: float = Field(description="how strongly the snippet supports the cited sentence (0-1)")


class Timings(BaseModel):
    retrieve: float = 0.0
    generate: float = 0.0
    verify: float = Field(default=0.0, description="the claim check of every answer sentence")
    total: float = 0.0


class Answer(BaseModel):
    answer: str
    refused: bool
    citations: list[Citation]
    notes: list[str] = Field(
        default_factory=list,
        description="what the reader should know about this answer, such as sources that "
        "disagree or statements removed because no source supports them",
    )
    collection: str
    provider: str
    timings_ms: Timings
