"""The procedure diagram: every preset draws, as safe, accessible, well-formed SVG."""
from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

from participation.admin.diagram import render_svg
from participation.domain.workflow import PRESETS, load_preset

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("request_type", PRESETS)
def test_every_preset_renders_as_wellformed_svg_with_every_state(request_type):
    wf = load_preset(request_type)
    svg = render_svg(wf)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = " ".join(" ".join(el.itertext()) for el in root.iter(f"{SVG}text"))
    for state in wf.states:
        # Long labels wrap over lines; every word is drawn.
        for word in state.label_nl.split():
            assert word in texts, (state.name, word)
    # One box per state (terminal states have a second, inner border).
    groups = [g for g in root.iter(f"{SVG}g")
              if "workflow-diagram__state " in (g.get("class", "") + " ")]
    assert len(groups) == len(wf.states)
    terminal = [g for g in groups if "workflow-diagram__state--terminal" in g.get("class")]
    assert len(terminal) == len(wf.terminal_states())
    assert all(len(g.findall(f"{SVG}rect")) == 2 for g in terminal)


@pytest.mark.parametrize("request_type", PRESETS)
def test_no_style_attributes_and_no_script(request_type):
    svg = render_svg(load_preset(request_type))
    assert "style=" not in svg
    assert "<script" not in svg.lower()
    root = ET.fromstring(svg)
    assert all("style" not in el.attrib for el in root.iter())


def test_accessible_name_and_description():
    wf = load_preset("uitdaagrecht")
    root = ET.fromstring(render_svg(wf))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == title_id and desc.get("id") == desc_id
    assert "Uitdaagrecht" in title.text
    assert f"{len(wf.states)} fasen" in desc.text and "‘Concept’" in desc.text


def test_state_kinds_are_drawn_differently():
    wf = load_preset("uitdaagrecht")
    root = ET.fromstring(render_svg(wf))
    by_kind = {}
    for g in root.iter(f"{SVG}g"):
        match = re.search(r"workflow-diagram__state--(\w+)", g.get("class", ""))
        if match:
            by_kind.setdefault(match.group(1), []).append(g.find(f"{SVG}rect"))
    assert by_kind["initial"][0].get("stroke-width") == "3"
    assert all(r.get("stroke-dasharray") for r in by_kind["waiting"])
    assert not any(r.get("stroke-dasharray") for r in by_kind["active"])


def test_english_labels():
    wf = load_preset("uitdaagrecht")
    svg = render_svg(wf, locale="en")
    assert "Diagram of the procedure Right to Challenge" in svg
    assert wf.state("concept").label_en in svg


def test_label_with_markup_is_escaped():
    wf = load_preset("bewonersinitiatief")
    initial = wf.initial_state()
    states = tuple(dataclasses.replace(s, label_nl="<script>alert(1)</script> & co")
                   if s.name == initial.name else s for s in wf.states)
    first = wf.transitions[0]
    transitions = (dataclasses.replace(first, label_nl='Klik "<b>hier</b>"'),) + wf.transitions[1:]
    evil = dataclasses.replace(wf, key='x"><script>', states=states, transitions=transitions)
    svg = render_svg(evil)
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    root = ET.fromstring(svg)  # still well-formed
    texts = " ".join(" ".join(el.itertext()) for el in root.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts  # shown as text, not run


def test_output_is_deterministic():
    wf = load_preset("burgerinitiatief")
    assert render_svg(wf) == render_svg(load_preset("burgerinitiatief"))


def test_self_loops_and_back_edges_are_drawn():
    wf = load_preset("uitdaagrecht")
    root = ET.fromstring(render_svg(wf))
    paths = [p for p in root.iter(f"{SVG}path") if "workflow-diagram__edge" in p.get("class", "")]
    edges = sum(len(t.sources) for t in wf.transitions)
    assert len(paths) == edges
    titles = {p.find(f"{SVG}title").text for p in paths}
    assert wf.transition("verdagen").label_nl in titles  # a self-loop
    assert any("--back" in p.get("class") for p in paths)  # aanvulling ontvangen goes back up
