"""A procedure drawn as an SVG diagram, laid out in pure Python (no Graphviz, no JavaScript).

The layout is a small Sugiyama-style layering, top to bottom:
1. layers by breadth-first distance from the initial state;
2. transitions that point back up are reversed for the layout (drawn with the arrow at
   their real target), and long transitions get invisible bend points in the layers they
   cross, so they run between the boxes instead of through them;
3. boxes in a layer are ordered by the average position of their neighbours (a few sweeps
   down and up), ties in file order, so the output is deterministic;
4. every layer is centred on the widest one.

The SVG uses presentation attributes (fill, stroke, font-size) and classes only: the page's
Content Security Policy forbids style attributes.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from participation.domain.assurance import ACTIONS
from participation.domain.workflow import StateKind, Workflow

NODE_W = 190
LINE_H = 16
NODE_PAD = 10
DUMMY_W = 24
GAP_X = 48
LAYER_GAP = 112
MARGIN = 24
FONT = 13
LABEL_FONT = 11
CHARS_PER_LINE = 24
LABEL_CHAR_W = 6.2  # average width of a character at LABEL_FONT, for label boxes
SELF_LOOP_W = 44

_TEXT = {
    "nl": {
        "title": "Schema van de procedure {title}",
        "desc": ("{states} fasen en {transitions} stappen. De procedure begint bij "
                 "‘{initial}’. Eindfasen: {terminals}. Een dubbele rand is een eindfase, "
                 "een stippellijn een fase waarin op de aanvrager wordt gewacht. Dezelfde "
                 "informatie staat in de tabellen op deze pagina."),
        "none": "geen",
        "login": "Inloggen: {levels}.",
        "file": "indienen", "file_for_organisation": "namens een organisatie",
        "sign": "steunen", "answer": "vragen beantwoorden",
    },
    "en": {
        "title": "Diagram of the procedure {title}",
        "desc": ("{states} states and {transitions} transitions. The procedure starts at "
                 "‘{initial}’. Final states: {terminals}. A double border marks a final "
                 "state, a dashed border a state that waits for the applicant. The tables "
                 "on this page give the same information."),
        "none": "none",
        "login": "Login: {levels}.",
        "file": "filing", "file_for_organisation": "for an organisation",
        "sign": "supporting", "answer": "answering questions",
    },
}
LOGIN_LINE_HEIGHT = 28


def login_line(workflow: Workflow, locale: str = "nl") -> str:
    """The logins the procedure asks for, in words ('' when only email accounts)."""
    text = _TEXT["en" if locale == "en" else "nl"]
    levels = [f"{text[action]} {workflow.requirement(action).label()}"
              for action in ACTIONS if workflow.identity.get(action)]
    return text["login"].format(levels="; ".join(levels)) if levels else ""


@dataclass
class _Node:
    key: str               # state name, or "~n" for a bend point
    label_lines: list[str] = field(default_factory=list)
    kind: StateKind | None = None
    layer: int = 0
    order: float = 0.0
    width: float = NODE_W
    height: float = 0.0
    x: float = 0.0         # centre
    y: float = 0.0         # centre
    loop_room: float = 0.0  # extra room on the right for self-loop labels

    @property
    def is_dummy(self) -> bool:
        return self.kind is None


@dataclass
class _Edge:
    """One source -> target arrow of a transition (a transition with several sources
    gives several edges)."""

    source: str
    target: str
    label: str
    index: int             # file order, for determinism
    path: list[str] = field(default_factory=list)  # layout chain, top to bottom
    reversed: bool = False


def _wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = 3) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines or [""]


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _safe_id(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "procedure"


def _layers(wf: Workflow) -> dict[str, int]:
    """Breadth-first distance from the initial state; unreachable states go below the rest."""
    names = [s.name for s in wf.states]
    targets: dict[str, list[str]] = {n: [] for n in names}
    for t in wf.transitions:
        for source in t.sources:
            if source in targets and t.target in targets and t.target not in targets[source]:
                targets[source].append(t.target)
    initial = next((s.name for s in wf.states if s.kind is StateKind.INITIAL),
                   names[0] if names else None)
    layer: dict[str, int] = {}
    if initial is not None:
        layer[initial] = 0
        queue = deque([initial])
        while queue:
            current = queue.popleft()
            for target in targets[current]:
                if target not in layer:
                    layer[target] = layer[current] + 1
                    queue.append(target)
    below = max(layer.values(), default=-1) + 1
    for name in names:
        layer.setdefault(name, below)
    # A final state goes just below the lowest state that leads to it, so that the many
    # "withdraw" arrows all point down instead of climbing back up the page.
    terminal = {s.name for s in wf.states if s.kind is StateKind.TERMINAL}
    for name in names:
        if name in terminal and layer[name] != below:
            sources = [s for s, ts in targets.items() if name in ts and s not in terminal]
            if sources:
                layer[name] = max(layer[s] for s in sources) + 1
    return layer


def _order(layers: list[list[_Node]], up: dict[str, list[str]], down: dict[str, list[str]]) -> None:
    """Barycentre ordering: a few sweeps down and up; stable, so ties keep file order."""
    for nodes in layers:
        for i, node in enumerate(nodes):
            node.order = float(i)
    position = {node.key: node for nodes in layers for node in nodes}

    def sweep(indices: range, neighbours: dict[str, list[str]]) -> None:
        for li in indices:
            nodes = layers[li]

            def centre(node: _Node) -> float:
                around = [position[k].order for k in neighbours.get(node.key, ()) if k in position]
                return sum(around) / len(around) if around else node.order

            keyed = [(centre(n), n.order, n) for n in nodes]
            keyed.sort(key=lambda item: (item[0], item[1]))
            layers[li] = [n for _, _, n in keyed]
            for i, node in enumerate(layers[li]):
                node.order = float(i)

    for _ in range(4):
        sweep(range(1, len(layers)), up)
        sweep(range(len(layers) - 2, -1, -1), down)
    sweep(range(1, len(layers)), up)


def _free_spot(x: float, y: float, w: float,
               placed: list[tuple[float, float, float, float]]) -> float:
    """A y near the wanted one where a label box of width w overlaps no earlier label."""
    def clashes(candidate: float) -> bool:
        left, right, top, bottom = x - w / 2, x + w / 2, candidate - 9, candidate + 9
        return any(left < r and right > l and top < b and bottom > t for l, t, r, b in placed)

    for step in range(0, 8):
        for candidate in ((y,) if step == 0 else (y + 17 * step, y - 17 * step)):
            if not clashes(candidate):
                return candidate
    return y


def _state_label(state, locale: str) -> str:
    return (state.label_en if locale == "en" else state.label_nl) or state.name


def _transition_label(transition, locale: str) -> str:
    return (transition.label_en if locale == "en" else transition.label_nl) or transition.name


def render_svg(workflow: Workflow, *, locale: str = "nl") -> str:
    """The workflow as a standalone, accessible SVG document (a string of markup)."""
    locale = "en" if locale == "en" else "nl"
    ident = "wf-" + _safe_id(workflow.key or workflow.request_type)
    nodes, edges, self_loops = _graph(workflow, locale)
    width, height = _place(nodes, _route(nodes, edges))
    login = login_line(workflow, locale)
    if login:
        height += LOGIN_LINE_HEIGHT
    out = _head(workflow, locale, ident, width, height)
    if login:
        # The levels of DigiD/eHerkenning the procedure asks for, under the diagram.
        out.append(f'<text x="8" y="{_fmt(height - 10)}" font-size="13" fill="#1a1a1a">'
                   f'{escape(login)}</text>')
    out.append('<g class="workflow-diagram__edges" fill="none" stroke="#3d4b5c" '
               'stroke-width="1.5">')
    labels: list[tuple[float, float, str]] = []
    same_layer = [e for e in edges if len(e.path) == 2
                  and nodes[e.path[0]].layer == nodes[e.path[1]].layer]
    _draw_edges(out, labels, nodes, [e for e in edges if e not in same_layer], ident)
    _draw_same_layer(out, labels, nodes, same_layer, ident)
    _draw_self_loops(out, labels, nodes, self_loops, ident)
    out.append("</g>")
    _draw_states(out, workflow, nodes)
    _draw_labels(out, labels)
    out[-1] += "</svg>"
    return "\n".join(out)


def _graph(workflow: Workflow, locale: str) -> tuple[dict[str, _Node], list[_Edge], list[_Edge]]:
    """A box per state (in file order), an edge per (source, transition); self-loops apart."""
    layer_of = _layers(workflow)
    nodes: dict[str, _Node] = {}
    for state in workflow.states:
        if state.name in nodes:
            continue
        lines = _wrap(_state_label(state, locale))
        nodes[state.name] = _Node(key=state.name, label_lines=lines, kind=state.kind,
                                  layer=layer_of[state.name],
                                  height=len(lines) * LINE_H + 2 * NODE_PAD)
    edges: list[_Edge] = []
    self_loops: list[_Edge] = []
    index = 0
    for t in workflow.transitions:
        for source in t.sources:
            if source not in nodes or t.target not in nodes:
                continue
            edge = _Edge(source=source, target=t.target, label=_transition_label(t, locale),
                         index=index)
            index += 1
            (self_loops if source == t.target else edges).append(edge)
    for loop in self_loops:
        node = nodes[loop.source]
        node.loop_room = max(node.loop_room, SELF_LOOP_W + len(loop.label) * LABEL_CHAR_W)
    return nodes, edges, self_loops


def _route(nodes: dict[str, _Node], edges: list[_Edge]) -> tuple[dict, dict]:
    """Reverse upward edges for the layout and put bend points in every layer an edge
    crosses; returns the neighbours up and down of every node."""
    dummy_count = 0
    for edge in edges:
        top, bottom = edge.source, edge.target
        if nodes[top].layer > nodes[bottom].layer:
            top, bottom = bottom, top
            edge.reversed = True
        chain = [top]
        for layer in range(nodes[top].layer + 1, nodes[bottom].layer):
            key = f"~{dummy_count}"
            dummy_count += 1
            nodes[key] = _Node(key=key, layer=layer, width=DUMMY_W, height=0)
            chain.append(key)
        chain.append(bottom)
        edge.path = chain
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for edge in edges:
        for a, b in zip(edge.path, edge.path[1:]):
            if nodes[a].layer == nodes[b].layer:
                continue
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    return up, down


def _layer_width(nodes_in: list[_Node]) -> float:
    return sum(n.width + n.loop_room for n in nodes_in) + GAP_X * max(len(nodes_in) - 1, 0)


def _place(nodes: dict[str, _Node], neighbours: tuple[dict, dict]) -> tuple[float, float]:
    """Order the layers and give every node its centre: each layer centred on the widest, y
    by the tallest box of the layer. Returns the drawing's width and height."""
    depth = max((n.layer for n in nodes.values()), default=0) + 1
    layers: list[list[_Node]] = [[] for _ in range(depth)]
    for node in nodes.values():  # states first in file order, then bend points
        layers[node.layer].append(node)
    _order(layers, *neighbours)
    widest = max((_layer_width(ns) for ns in layers), default=NODE_W)
    y = MARGIN
    for nodes_in in layers:
        tallest = max((n.height for n in nodes_in), default=0) or 2 * NODE_PAD + LINE_H
        x = MARGIN + (widest - _layer_width(nodes_in)) / 2
        for node in nodes_in:
            node.x = x + node.width / 2
            node.y = y + tallest / 2
            x += node.width + node.loop_room + GAP_X
        y += tallest + LAYER_GAP
    return widest + 2 * MARGIN, y - LAYER_GAP + MARGIN


def _head(workflow: Workflow, locale: str, ident: str, total_w: float,
          total_h: float) -> list[str]:
    """The <svg> element with its title, description (for screen readers) and arrow head."""
    text = _TEXT[locale]
    title_id, desc_id = f"{ident}-title", f"{ident}-desc"
    states = list(workflow.states)
    initial = next((s for s in states if s.kind is StateKind.INITIAL), None)
    terminals = ", ".join(f"‘{_state_label(s, locale)}’" for s in states if s.is_terminal)
    title = text["title"].format(title=(workflow.title_en if locale == "en" else workflow.title_nl)
                                 or workflow.key)
    desc = text["desc"].format(states=len(states), transitions=len(workflow.transitions),
                               initial=_state_label(initial, locale) if initial else text["none"],
                               terminals=terminals or text["none"])
    login = login_line(workflow, locale)
    if login:
        desc += " " + login
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram__svg" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="{_fmt(total_w)}" height="{_fmt(total_h)}" '
        f'viewBox="0 0 {_fmt(total_w)} {_fmt(total_h)}" font-family="sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#3d4b5c"/></marker></defs>']


def _port(node: _Node, ends: list[tuple[float, int]], edge_index: int) -> float:
    """Where an edge leaves or reaches a box: several ends are spread along its side."""
    ordered = sorted(ends)
    i = next(k for k, (_, idx) in enumerate(ordered) if idx == edge_index)
    usable = node.width * 0.8
    return node.x - usable / 2 + usable * (i + 1) / (len(ordered) + 1)


def _draw_edges(out: list[str], labels: list, nodes: dict[str, _Node], edges: list[_Edge],
                ident: str) -> None:
    """Edges between layers: curves through their bend points."""
    leaving: dict[str, list[tuple[float, int]]] = {}
    arriving: dict[str, list[tuple[float, int]]] = {}
    for edge in edges:
        first, last = nodes[edge.path[1]], nodes[edge.path[-2]]
        leaving.setdefault(edge.path[0], []).append((first.x, edge.index))
        arriving.setdefault(edge.path[-1], []).append((last.x, edge.index))
    for edge in sorted(edges, key=lambda e: e.index):
        top, bottom = nodes[edge.path[0]], nodes[edge.path[-1]]
        points = [(_port(top, leaving[top.key], edge.index), top.y + top.height / 2)]
        for key in edge.path[1:-1]:
            points.append((nodes[key].x, nodes[key].y))
        points.append((_port(bottom, arriving[bottom.key], edge.index),
                       bottom.y - bottom.height / 2))
        d = [f"M{_fmt(points[0][0])},{_fmt(points[0][1])}"]
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            mid = (y1 + y2) / 2
            d.append(f"C{_fmt(x1)},{_fmt(mid)} {_fmt(x2)},{_fmt(mid)} {_fmt(x2)},{_fmt(y2)}")
        marker = "marker-start" if edge.reversed else "marker-end"
        dashed = ' stroke-dasharray="5 3"' if edge.reversed else ""
        css = "workflow-diagram__edge workflow-diagram__edge--back" if edge.reversed \
            else "workflow-diagram__edge"
        out.append(f'<path class="{css}" d="{" ".join(d)}" {marker}="url(#{ident}-arrow)"{dashed}>'
                   f'<title>{escape(edge.label)}</title></path>')
        # The label sits on the first stretch from the real source, so the arrows of one
        # transition with several sources are labelled near each of them.
        (x1, y1), (x2, y2) = (points[-2], points[-1]) if edge.reversed else (points[0], points[1])
        labels.append(((x1 + x2) / 2, (y1 + y2) / 2, edge.label))


def _draw_same_layer(out: list[str], labels: list, nodes: dict[str, _Node],
                     edges: list[_Edge], ident: str) -> None:
    """Edges between boxes of one layer: a dip below them."""
    for edge in sorted(edges, key=lambda e: e.index):
        a, b = nodes[edge.source], nodes[edge.target]
        sx, sy = a.x, a.y + a.height / 2
        tx, ty = b.x, b.y + b.height / 2
        dip = max(a.height, b.height) / 2 + 28
        out.append(f'<path class="workflow-diagram__edge" d="M{_fmt(sx)},{_fmt(sy)} '
                   f'C{_fmt(sx)},{_fmt(sy + dip)} {_fmt(tx)},{_fmt(ty + dip)} '
                   f'{_fmt(tx)},{_fmt(ty)}" '
                   f'marker-end="url(#{ident}-arrow)"><title>{escape(edge.label)}</title></path>')
        labels.append(((sx + tx) / 2, max(sy, ty) + dip * 0.75, edge.label))


def _draw_self_loops(out: list[str], labels: list, nodes: dict[str, _Node],
                     loops: list[_Edge], ident: str) -> None:
    """A transition back to its own state: a loop on the right of the box."""
    loops_per_node: dict[str, int] = {}
    for edge in sorted(loops, key=lambda e: e.index):
        node = nodes[edge.source]
        n = loops_per_node.get(node.key, 0)
        loops_per_node[node.key] = n + 1
        right = node.x + node.width / 2
        y0 = node.y - node.height / 2 + 8 + n * 10
        y1 = min(y0 + 16, node.y + node.height / 2 - 2)
        out.append(f'<path class="workflow-diagram__edge" d="M{_fmt(right)},{_fmt(y0)} '
                   f'C{_fmt(right + 30)},{_fmt(y0 - 14)} {_fmt(right + 30)},{_fmt(y1 + 14)} '
                   f'{_fmt(right)},{_fmt(y1)}" marker-end="url(#{ident}-arrow)">'
                   f'<title>{escape(edge.label)}</title></path>')
        labels.append((right + 32 + len(edge.label) * LABEL_CHAR_W / 2, (y0 + y1) / 2 + n * 4,
                       edge.label))


def _draw_states(out: list[str], workflow: Workflow, nodes: dict[str, _Node]) -> None:
    """A box per state: bold border for the initial state, dashed while waiting, double for
    the end states."""
    out.append('<g class="workflow-diagram__states">')
    for state in workflow.states:
        node = nodes.get(state.name)
        if node is None or node.key != state.name:
            continue
        left, top = node.x - node.width / 2, node.y - node.height / 2
        kind = state.kind.value
        stroke_width = "3" if state.kind is StateKind.INITIAL else "1.5"
        dash = ' stroke-dasharray="6 4"' if state.kind is StateKind.WAITING else ""
        fill = "#eef1f5" if state.is_terminal else "#ffffff"
        out.append(f'<g class="workflow-diagram__state workflow-diagram__state--{kind}">')
        out.append(f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(node.width)}" '
                   f'height="{_fmt(node.height)}" rx="10" ry="10" fill="{fill}" '
                   f'stroke="#1c2b3a" stroke-width="{stroke_width}"{dash}/>')
        if state.is_terminal:
            out.append(f'<rect x="{_fmt(left + 4)}" y="{_fmt(top + 4)}" '
                       f'width="{_fmt(node.width - 8)}" height="{_fmt(node.height - 8)}" '
                       f'rx="7" ry="7" fill="none" stroke="#1c2b3a" stroke-width="1"/>')
        first_y = node.y - (len(node.label_lines) - 1) * LINE_H / 2
        weight = ' font-weight="bold"' if state.kind is StateKind.INITIAL else ""
        out.append(f'<text x="{_fmt(node.x)}" y="{_fmt(first_y)}" text-anchor="middle" '
                   f'dominant-baseline="central" font-size="{FONT}" fill="#1c2b3a"{weight}>')
        for i, line in enumerate(node.label_lines):
            dy = "0" if i == 0 else str(LINE_H)
            out.append(f'<tspan x="{_fmt(node.x)}" dy="{dy}">{escape(line)}</tspan>')
        out.append("</text></g>")
    out.append("</g>")


def _draw_labels(out: list[str], labels: list[tuple[float, float, str]]) -> None:
    """Transition labels on a white ground, moved down where they would overlap."""
    out.append(f'<g class="workflow-diagram__labels" font-size="{LABEL_FONT}" fill="#1c2b3a">')
    placed: list[tuple[float, float, float, float]] = []
    for x, y, label in labels:
        w = len(label) * LABEL_CHAR_W + 8
        y = _free_spot(x, y, w, placed)
        placed.append((x - w / 2, y - 8, x + w / 2, y + 8))
        out.append(f'<rect x="{_fmt(x - w / 2)}" y="{_fmt(y - 8)}" width="{_fmt(w)}" height="16" '
                   f'rx="3" fill="#ffffff" fill-opacity="0.9"/>')
        out.append(f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="middle" '
                   f'dominant-baseline="central">{escape(label)}</text>')
    out.append("</g>")
