"""Imports go one way: ui → (HTTP) → app → ingest, retrieval; ingest → retrieval."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

FORBIDDEN = {
    "ui": {"app", "ingest", "retrieval"},
    "retrieval": {"app", "ingest", "ui"},
    "ingest": {"app", "ui"},
    "app": {"ui"},
}


def imported_packages(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way(package):
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported_packages(path)
        if name in FORBIDDEN[package]
    ]
    assert offenders == []
