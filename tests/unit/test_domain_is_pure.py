"""participation/domain stays pure: standard library and itself only, so its rules can be
tested and reused without an app, a request or a database."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "participation" / "domain"
FORBIDDEN_ROOTS = {"flask", "sqlalchemy", "werkzeug", "jinja2"}
MODULES = sorted(DOMAIN.rglob("*.py"))  # the workflow package too


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import; relative imports are resolved
    against participation.domain."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["participation", "domain"][:max(0, 3 - node.level)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def test_the_domain_package_has_modules() -> None:
    assert {p.relative_to(DOMAIN).as_posix() for p in MODULES} >= {
        "__init__.py", "workflow/__init__.py", "workflow/definition.py",
        "workflow/toml_format.py", "workflow/validation.py", "workflow/transitions.py",
        "deadlines.py", "thresholds.py", "grounds.py", "audit.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_no_framework_imports(path: Path) -> None:
    bad = [(line, name) for line, name in imported_modules(path)
           if name.split(".")[0] in FORBIDDEN_ROOTS or name.split(".")[0].startswith("flask_")]
    assert not bad, f"{path.relative_to(DOMAIN)} imports a framework: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_only_the_domain_itself_from_our_code(path: Path) -> None:
    bad = [(line, name) for line, name in imported_modules(path)
           if name.split(".")[0] == "participation"
           and name != "participation.domain" and not name.startswith("participation.domain.")]
    assert not bad, f"{path.relative_to(DOMAIN)} imports app code outside participation.domain: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_only_standard_library_otherwise(path: Path) -> None:
    bad = [(line, name) for line, name in imported_modules(path)
           if name.split(".")[0] not in sys.stdlib_module_names
           and name.split(".")[0] != "participation"]
    assert not bad, f"{path.relative_to(DOMAIN)} imports a third-party package: {bad}"


@pytest.mark.parametrize(("source", "expected"), [
    ("import flask", ["flask"]),
    ("from sqlalchemy.orm import Session", ["sqlalchemy.orm"]),
    ("from . import grounds", ["participation.domain"]),
    ("from .deadlines import add_term", ["participation.domain.deadlines"]),
    ("from ..models import Case", ["participation.models"]),
    ("import participation.services.cases as s", ["participation.services.cases"]),
])
def test_import_detection(tmp_path: Path, source: str, expected: list[str]) -> None:
    module = tmp_path / "sample.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert [name for _line, name in imported_modules(module)] == expected
