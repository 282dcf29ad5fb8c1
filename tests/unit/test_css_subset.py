"""The pages load one subset of the NL Design System CSS (tools/css_subset.py): it is up to
date with the templates, keeps every rule of every class they use, and all CSS a page needs
stays under 20 kB compressed (issue 16)."""
from __future__ import annotations

import re

import brotli

from tools import css_subset

# What every page links: the subset and our own base stylesheet (area stylesheets are small
# and only on their own pages).
PAGE_CSS = [css_subset.OUTPUT, css_subset.ROOT / "static" / "css" / "app.css"]


def test_the_committed_subset_is_what_the_templates_need_now():
    assert css_subset.OUTPUT.read_text(encoding="utf-8") == css_subset.build(), \
        "run: python tools/css_subset.py"


def test_every_class_the_templates_use_keeps_its_rules():
    names, _prefixes = css_subset.used_classes()
    full = set(re.findall(r"\.((?:utrecht|nl)-[\w-]+)", css_subset.COMPONENTS.read_text()))
    subset = set(re.findall(r"\.((?:utrecht|nl)-[\w-]+)", css_subset.OUTPUT.read_text()))
    assert {n for n in names if n in full} <= subset
    assert "utrecht-alert--error" in subset and "utrecht-status-badge--safe" in subset
    assert "utrecht-accordion" not in subset  # a component no page uses


def test_every_token_a_kept_rule_uses_is_defined():
    text = css_subset.OUTPUT.read_text(encoding="utf-8")
    defined = set(re.findall(r"^\s+(--[\w-]+):", text, re.MULTILINE))
    used = set(re.findall(r"var\(\s*(--(?:basis|voorbeeld)-[\w-]+)", text))
    assert used <= defined, sorted(used - defined)[:10]


def test_all_css_of_a_page_is_under_20_kb_compressed():
    compressed = sum(len(brotli.compress(path.read_bytes(), quality=11)) for path in PAGE_CSS)
    full = sum(len(brotli.compress(path.read_bytes(), quality=11))
               for path in (css_subset.COMPONENTS, css_subset.TOKENS))
    assert compressed < 20_000, compressed
    assert compressed < full / 2
