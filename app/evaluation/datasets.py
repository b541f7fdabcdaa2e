"""Read BEIR and SQuAD files and lay them out as documents for the normal ingestion."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote


@dataclass
class Beir:
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def read_beir(folder: Path, split: str = "test") -> Beir:
    folder = Path(folder)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    for needed in (folder / "corpus.jsonl", folder / "queries.jsonl", qrels_path):
        if not needed.is_file():
            raise FileNotFoundError(f"not a BEIR folder: {needed} is missing")
    corpus = {}
    with open(folder / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                corpus[str(row["_id"])] = (row.get("title") or "", row.get("text") or "")
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                queries[str(row["_id"])] = row["text"]
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        for row in reader:
            if not row or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries = {q: t for q, t in queries.items() if q in qrels}
    return Beir(corpus, queries, qrels)


def beir_source(doc_id: str) -> str:
    return quote(doc_id, safe="") + ".md"


def beir_id(source: str) -> str:
    return unquote(Path(source).stem)


def write_if_changed(path: Path, text: str) -> None:
    """Keep files byte-identical across runs so re-ingestion finds them unchanged."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def materialize_beir(beir: Beir, folder: Path) -> Path:
    """One Markdown file per document: the title as heading, then the text."""
    for doc_id, (title, text) in beir.corpus.items():
        body = f"# {title}\n\n{text}\n" if title.strip() else f"{text}\n"
        write_if_changed(folder / beir_source(doc_id), body)
    return folder


@dataclass
class SquadQuestion:
    id: str
    question: str
    answers: list[str]
    source: str  # the gold paragraph's file
    article: str
    starts: list[int] = field(default_factory=list)  # each answer's offset in the paragraph


@dataclass
class Squad:
    paragraphs: dict[str, str] = field(default_factory=dict)  # source -> context
    articles: dict[str, list[str]] = field(default_factory=dict)  # article -> sources
    questions: list[SquadQuestion] = field(default_factory=list)


def read_squad(path: Path) -> Squad:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if "data" not in data:
        raise ValueError(f"{path} is not in the SQuAD v1.1 format (no 'data' list)")
    squad = Squad()
    for a_idx, article in enumerate(data["data"]):
        name = f"{a_idx:03d}-{quote(article.get('title', 'article'), safe='')}"
        for p_idx, para in enumerate(article["paragraphs"]):
            source = f"{name}/{p_idx:04d}.txt"
            squad.paragraphs[source] = para["context"]
            squad.articles.setdefault(name, []).append(source)
            for qa in para["qas"]:
                answers = [a["text"] for a in qa.get("answers", [])]
                starts = [int(a.get("answer_start", -1)) for a in qa.get("answers", [])]
                if answers:
                    squad.questions.append(
                        SquadQuestion(qa["id"], qa["question"], answers, source, name, starts)
                    )
    return squad


def materialize_squad(squad: Squad, folder: Path) -> Path:
    for source, context in squad.paragraphs.items():
        write_if_changed(folder / source, context + "\n")
    return folder
