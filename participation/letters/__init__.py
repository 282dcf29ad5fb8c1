"""The letter templates' engine: Jinja in an immutable sandbox with strict undefined values.

A template is plain text with placeholders (``{{ aanvrager }}``, ``{% for grond in gronden %}``)
and may name only the fields in participation.domain.letters.FIELDS; a template naming anything
else is refused when it is saved, with the line. The presets per kind and language are the
text files next to this module (nl/, en/).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from participation.domain.letters import (
    FIELDS,
    GROUND_ATTRIBUTES,
    MAX_TEMPLATE_CHARS,
    LetterTemplateError,
    TemplateProblem,
)


def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         keep_trailing_newline=True, trim_blocks=True,
                                         lstrip_blocks=True)


_ENV = _environment()


def check_template(source: str) -> list[TemplateProblem]:
    """Everything wrong with `source`, each with its line; an empty list means usable."""
    if len(source) > MAX_TEMPLATE_CHARS:
        return [TemplateProblem(1, f"De tekst is te lang (hoogstens {MAX_TEMPLATE_CHARS} tekens).")]
    if not source.strip():
        return [TemplateProblem(1, "De tekst is leeg.")]
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        return [TemplateProblem(exc.lineno or 1, f"Fout in de opmaak: {exc.message}")]
    loop_names: set[str] = set()
    for node in tree.find_all((nodes.For, nodes.Assign)):
        targets = [node.target, *node.target.find_all(nodes.Name)]
        loop_names.update(t.name for t in targets if isinstance(t, nodes.Name))
    problems: list[TemplateProblem] = []
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in FIELDS and node.name not in loop_names \
                and node.name != "loop":
            problems.append(TemplateProblem(node.lineno, f"Onbekend veld ‘{node.name}’."))
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attribute = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if attribute not in GROUND_ATTRIBUTES and not (
                isinstance(node.node, nodes.Name) and node.node.name == "loop"):
            problems.append(TemplateProblem(node.lineno, f"Onbekend onderdeel ‘{attribute}’."))
    for node in tree.find_all((nodes.Macro, nodes.CallBlock, nodes.Extends, nodes.Include,
                               nodes.Import, nodes.FromImport)):
        problems.append(TemplateProblem(node.lineno, "Macro’s en andere sjablonen zijn hier niet "
                                                     "toegestaan."))
    return sorted(problems, key=lambda p: p.line)


def render(source: str, fields: Mapping[str, Any]) -> str:
    """Render a checked template; raises LetterTemplateError when it cannot be."""
    problems = check_template(source)
    if problems:
        raise LetterTemplateError(problems)
    try:
        return _ENV.from_string(source).render(**{k: fields.get(k, "") for k in FIELDS})
    except (UndefinedError, SecurityError, TypeError) as exc:
        raise LetterTemplateError([TemplateProblem(1, str(exc))]) from exc
