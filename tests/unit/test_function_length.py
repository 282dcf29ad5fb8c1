"""No function in participation/ is longer than 80 lines (decorators and docstring
included): a longer one is split where a name helps the reader."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "participation"
MAX_LINES = 80


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method longer than `limit` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = node.end_lineno - first + 1
            if length > limit:
                found.append((node.name, first, length))
    return found


def test_no_function_in_the_package_is_longer_than_80_lines() -> None:
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line} {name} ({length} lines)"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for name, line, length in long_functions(path.read_text(encoding="utf-8"))]
    assert not offenders, "split these functions:\n" + "\n".join(offenders)


@pytest.mark.parametrize(("body_lines", "decorators", "expected"), [
    (78, 0, []),            # def + 78 lines + nothing = 79
    (79, 0, []),            # exactly 80
    (80, 0, [("f", 1, 81)]),
    (79, 1, [("f", 1, 81)]),  # a decorator counts
])
def test_the_count(body_lines: int, decorators: int, expected) -> None:
    source = "@staticmethod\n" * decorators + "def f():\n" + "    x = 1\n" * body_lines
    assert long_functions(source) == expected


def test_methods_and_nested_functions_count_too() -> None:
    source = "class A:\n    def m(self):\n" + "        y = 2\n" * 90
    assert long_functions(source) == [("m", 2, 91)]
