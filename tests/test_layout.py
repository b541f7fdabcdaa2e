"""Imports go one way: ui → (HTTP) → app → ingest, retrieval; ingest → retrieval.

Inside ``retrieval``: answer → rerank → search → models; search never imports answering
or reranking, and the models import none of the rooms that use them.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

FORBIDDEN = {
    "ui": {"app", "ingest", "retrieval"},
    "retrieval": {"app", "ingest", "ui"},
    "ingest": {"app", "ui", "retrieval.answer", "retrieval.rerank"},
    "app": {"ui"},
    "retrieval/search": {"retrieval.answer", "retrieval.rerank"},
    "retrieval/rerank": {"retrieval.answer"},
    "retrieval/models": {"retrieval.answer", "retrieval.rerank", "retrieval.search"},
}

ROOMS = ["models", "search", "rerank", "answer"]


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:  # "from retrieval import answer"
                yield f"{node.module}.{alias.name}"


def _hits(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way(package):
    offenders = sorted(
        {
            f"{path.relative_to(ROOT)} imports {name}"
            for path in sorted((ROOT / package).rglob("*.py"))
            for name in imported_modules(path)
            for forbidden in FORBIDDEN[package]
            if _hits(name, forbidden)
        }
    )
    assert offenders == []


def test_the_rule_catches_an_offender(tmp_path):
    """The checker itself sees a forbidden import, in both spellings."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from retrieval.answer.service import AnswerService\nfrom retrieval import answer\n"
    )
    names = list(imported_modules(bad))
    assert sum(_hits(n, "retrieval.answer") for n in names) >= 2


def test_retrieval_is_in_rooms():
    """Every retrieval module lives in a named room, except the few shared foundations."""
    loose = sorted(p.name for p in (ROOT / "retrieval").glob("*.py"))
    foundations = [
        "errors.py",
        "metadata.py",
        "processes.py",
        "sentences.py",
        "sqlite_db.py",
        "terms.py",
    ]
    assert loose == ["__init__.py", *foundations]
    for room in ROOMS:
        assert (ROOT / "retrieval" / room / "__init__.py").is_file()
