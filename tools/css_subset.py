#!/usr/bin/env python3
"""Build static/vendor/nlds-subset.css: the NL Design System rules and design tokens this app
uses, out of the vendored component library (~400 kB) and token theme (~200 kB).

    python tools/css_subset.py          # regenerate (commit the result; setup needs no Node)
    python tools/css_subset.py --check  # exit 1 when the committed file is out of date

A rule is kept when each class in (one of) its selectors is used: named in a template, in
Python code (form widgets) or in our JavaScript, or matching a class name a template builds
(`utrecht-alert--{{ kind }}` keeps every `utrecht-alert--…`). A token is kept when a kept
rule, our own CSS or the organisation theme route uses it, directly or through another
token. Parsing and writing CSS is tinycss2's (a WeasyPrint dependency).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
COMPONENTS = VENDOR / "utrecht-component-library-css-9.0.4" / "index.css"
TOKENS = VENDOR / "voorbeeld-design-tokens-7.4.1" / "theme.css"
OUTPUT = VENDOR / "nlds-subset.css"
SOURCES = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "participation").rglob("*.py"),
           *(ROOT / "static" / "js").glob("*.js")]
OUR_CSS = sorted((ROOT / "static" / "css").glob("*.css"))

_CLASS = re.compile(r"(?<![\w-])((?:utrecht|nl|voorbeeld|denhaag|rvo|lux)-[a-z0-9_-]*[a-z0-9_])")
_PREFIX = re.compile(r"(?<![\w-])((?:utrecht|nl)-[a-z0-9_-]*-)\{\{")
_SELECTOR_CLASS = re.compile(r"\.([a-zA-Z_][\w-]*)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def used_classes() -> tuple[set[str], tuple[str, ...]]:
    names: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        names.update(_CLASS.findall(text))
        prefixes.update(_PREFIX.findall(text))
    return names, tuple(sorted(prefixes))


def _selector_used(selector: str, names: set[str], prefixes: tuple[str, ...]) -> bool:
    classes = _SELECTOR_CLASS.findall(selector)
    return all(c in names or c.startswith(prefixes) or not c.startswith(("utrecht-", "nl-"))
               for c in classes)


def _split_selectors(prelude: str) -> list[str]:
    """Top-level commas only (not those inside :is(...) or :where(...))."""
    parts, depth, current = [], 0, []
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _subset_rules(rules: Iterable, names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    kept: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split_selectors(tinycss2.serialize(rule.prelude))
                         if _selector_used(s, names, prefixes)]
            if selectors:
                kept.append(f"{', '.join(selectors)} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports",
                                                                  "container"):
            inner = _subset_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                           skip_whitespace=True),
                                  names, prefixes)
            if inner:
                kept.append(f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()} "
                            f"{{\n{chr(10).join(inner)}\n}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "keyframes":
            kept.append(tinycss2.serialize([rule]))
    return kept


def _token_rules(needed: set[str]) -> list[str]:
    """The token declarations that are needed, and what they refer to, transitively."""
    rules = tinycss2.parse_stylesheet(TOKENS.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    definitions: dict[str, str] = {}
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            if decl.type == "declaration" and decl.name.startswith("--"):
                definitions[decl.name] = tinycss2.serialize(decl.value).strip()
    queue = list(needed)
    while queue:
        name = queue.pop()
        for ref in _VAR.findall(definitions.get(name, "")):
            if ref not in needed:
                needed.add(ref)
                queue.append(ref)
    lines = [f"  {name}: {definitions[name]};" for name in sorted(needed) if name in definitions]
    return [".voorbeeld-theme {\n" + "\n".join(lines) + "\n}"]


def build() -> str:
    names, prefixes = used_classes()
    components = tinycss2.parse_stylesheet(COMPONENTS.read_text(encoding="utf-8"),
                                           skip_comments=True, skip_whitespace=True)
    kept = _subset_rules(components, names, prefixes)
    needed = set(_VAR.findall("\n".join(kept)))
    for path in OUR_CSS + SOURCES:
        needed.update(_VAR.findall(path.read_text(encoding="utf-8")))
        needed.update(re.findall(r"(--(?:utrecht|voorbeeld|basis|nl)-[\w-]+)\s*:",
                                 path.read_text(encoding="utf-8")))
    header = ("/* Generated by tools/css_subset.py from utrecht-component-library-css 9.0.4 "
              "and voorbeeld-design-tokens 7.4.1\n   (EUPL-1.2, see their LICENSE.md): only "
              "what the templates use. Do not edit; regenerate. */\n")
    return header + "\n".join(_token_rules(needed) + kept) + "\n"


def main(argv: list[str]) -> int:
    fresh = build()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != fresh:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python tools/css_subset.py")
            return 1
        return 0
    OUTPUT.write_text(fresh, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(fresh):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
