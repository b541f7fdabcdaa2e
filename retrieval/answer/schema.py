"""The answer Groundwork returns from the CLI (``--json``) and, later, the API."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field


class Citation(BaseModel):
    n: int = Field(description="the [n] marker in the answer text")
    document_id: str
    source: str = Field(description="path of the file, relative to the ingest root")
    page: int | None = Field(
        description="1-based page, slide or image frame for paged formats, else null"
    )
    page_kind: str | None = Field(
        default=None, description="what `page` counts: page, slide or frame (null without page)"
    )
    section: str | None = Field(
        default=None, description="the sheet, chapter or e-mail subject the text belongs to"
    )
    ocr: bool = Field(default=False, description="the text was read from an image by OCR")
    snippet: str = Field(description="the quoted supporting text, verbatim from the document")
    start: int = Field(description="offset of the snippet in the page or section text")
    end: int
    score: float = Field(description="how strongly the snippet supports the cited sentence (0-1)")

    @computed_field(
        description='where to look, for people: "deck.pptx, slide 3", '
        '"costs.xlsx, sheet Headcount", "scan.pdf, page 2 (scanned)"'
    )
    @property
    def label(self) -> str:
        parts = [self.source]
        if self.section and self.page is None:
            parts.append(f"sheet {self.section}" if self._is_sheet else self.section)
        if self.page is not None:
            parts.append(f"{self.page_kind or 'page'} {self.page}")
        text = ", ".join(parts)
        return text + " (scanned)" if self.ocr else text

    @property
    def _is_sheet(self) -> bool:
        return self.source.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods"))


class Timings(BaseModel):
    """Milliseconds per stage of one answer. ``retrieve`` = ``search`` + ``rerank``;
    ``generate`` = ``support`` + ``answer``."""

    retrieve: float = 0.0
    generate: float = 0.0
    verify: float = Field(default=0.0, description="the claim check of every answer sentence")
    total: float = 0.0
    search: float = Field(default=0.0, description="dense and keyword search and their fusion")
    rerank: float = Field(default=0.0, description="the reranker reading the retrieved chunks")
    support: float = Field(
        default=0.0, description="scoring every retrieved sentence against the question"
    )
    answer: float = Field(
        default=0.0, description="choosing the answer's sentences or the model writing it"
    )


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
