"""Every analysis is declared once, and everything that lists analyses is built from the
declarations: the command line and its help, write-back's properties, the README's table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graphcrm import model
from graphcrm.analytics.registry import ANALYSES, BATCH, readme_table
from graphcrm.cli import build_parser

TESTS = Path(__file__).resolve().parent
README = TESTS.parent.parent / "README.md"


def help_of(name: str) -> str:
    parser = build_parser()
    analyze = parser._subparsers._group_actions[0].choices["analyze"]
    return analyze._subparsers._group_actions[0].choices[name].format_help()


@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_parameter_is_documented_and_on_the_command_line(name: str) -> None:
    spec = ANALYSES[name]
    text = " ".join(help_of(name).split())
    for param in spec.params:
        assert param.doc, f"{name}: parameter {param.name} has no doc line"
        assert param.option in text and " ".join(param.doc.split()) in text
    for table in spec.tables:
        assert table.doc and table.name in text
    assert ("--write" in text) == bool(spec.scores)


@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_analysis_has_known_answer_tests(name: str) -> None:
    path = TESTS / f"test_{name}.py"
    assert path.exists(), f"{name} has no tests/analytics/test_{name}.py"
    tests = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)]
    assert sum(t.name.startswith("test_") for t in tests) >= 2


def test_written_scores_are_registered_in_the_model_once() -> None:
    written = [score for spec in ANALYSES.values() for score in spec.scores]
    assert sorted(written) == sorted(set(written)), "two analyses write the same property"
    assert set(written) == set(model.SCORES)
    assert not set(model.SCORES) & {k for t in model.NODE_TYPES.values() for k in t.props}
    assert all(ANALYSES[name].scores or ANALYSES[name].stores_tables for name in BATCH)


def test_readme_lists_every_analysis_from_the_declarations() -> None:
    assert readme_table() in README.read_text(encoding="utf-8")
