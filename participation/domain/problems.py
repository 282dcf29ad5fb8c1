"""Problems in a procedure file (workflows and their thresholds): each one an English message (for the command line and logs)
that the interface can translate, that knows what it is about, and finds its line in the file."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self


def english(template: str) -> str:
    """Marks an English message that DUTCH below translates (a test checks every one)."""
    return template


class Problem(str):
    """A message: str() is the English text. `template` and `params` let the interface
    translate it (params that are Problems are translated too); `subject` is what it is about,
    e.g. ("state", "ontvangen"), ("transition", "besluiten"), ("table", "workflow"),
    ("states", 3); `key` the key it names; `line` its line in the file after `locate`."""

    template: str
    params: Mapping[str, Any]
    subject: tuple[str, Any] | None
    key: str | None
    line: int | None

    def __new__(cls, template: str, *, subject: tuple[str, Any] | None = None,
                key: str | None = None, **params: Any) -> Self:
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        where = params.get("where")
        self.subject = subject or (where.subject if isinstance(where, Problem) else None)
        self.key = key or (where.key if isinstance(where, Problem) else None)
        self.line = None
        return self

    def translated(self, locale: str) -> str:
        """The message in `locale` ("nl..." or "en..."); nested places are translated too."""
        params = {name: value.translated(locale) if isinstance(value, Problem) else value
                  for name, value in self.params.items()}
        text = self.template if locale.lower().startswith("en") else \
            DUTCH.get(self.template, self.template)
        return text % params if params else text


# --------------------------------------------------------------------------- where

def at_table(name: str) -> Problem:
    if name == "top level":
        return Problem(english("top level"), subject=("table", ""))
    return Problem(english("[%(table)s]"), subject=("table", name), table=name)


def at_state(index: int, name: object) -> Problem:
    if isinstance(name, str) and name:
        return Problem(english("state '%(name)s'"), subject=("state", name), name=name)
    return Problem(english("states[%(index)s]"), subject=("states", index), index=index)


def at_state_term(state: Problem) -> Problem:
    return Problem(english("%(state)s term"), subject=state.subject, key="term", state=state)


def at_transition(index: int, name: object) -> Problem:
    if isinstance(name, str) and name:
        return Problem(english("transition '%(name)s'"), subject=("transition", name), name=name)
    return Problem(english("transitions[%(index)s]"), subject=("transitions", index), index=index)


def state(name: str) -> Problem:
    return at_state(0, name)


def transition(name: str) -> Problem:
    return at_transition(0, name)


# --------------------------------------------------------------------------- lines

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_NAME = re.compile(r"""^\s*name\s*=\s*["']([^"']*)["']""")
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass
class _Block:
    header_line: int
    name: str = ""
    name_line: int | None = None
    keys: dict[str, int] = field(default_factory=dict)


@dataclass
class _Map:
    tables: dict[str, _Block] = field(default_factory=dict)
    states: list[_Block] = field(default_factory=list)
    transitions: list[_Block] = field(default_factory=list)

    def block(self, subject: tuple[str, Any]) -> _Block | None:
        kind, value = subject
        if kind == "table":
            return self.tables.get(value)
        if kind in ("states", "transitions"):
            blocks = getattr(self, kind)
            return blocks[value] if isinstance(value, int) and value < len(blocks) else None
        blocks = self.states if kind == "state" else self.transitions
        return next((b for b in blocks if b.name == value), None)


def _map(text: str) -> _Map:
    """Where each table, state and transition of a TOML file starts, and its keys' lines
    (sub-tables such as [states.term] count as part of their state)."""
    found = _Map()
    current = found.tables.setdefault("", _Block(header_line=1))
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            brackets, name = header.group(1), header.group(2).strip()
            top, _, sub = name.partition(".")
            if brackets == "[[" and top in ("states", "transitions") and not sub:
                current = _Block(header_line=number)
                getattr(found, top).append(current)
            elif top in ("states", "transitions") and getattr(found, top):
                current = getattr(found, top)[-1]
                current.keys.setdefault(sub.partition(".")[0], number)
            else:
                current = found.tables.setdefault(name, _Block(header_line=number))
            continue
        key = _KEY.match(line)
        if key:
            current.keys.setdefault(key.group(1), number)
            name = _NAME.match(line)
            if name and current.name_line is None:
                current.name, current.name_line = name.group(1), number
    return found


def locate(text: str, problems: Iterable[str]) -> list[Problem]:
    """The problems with `line` set where it can be found: the key's line in its state,
    transition or table, else the line naming it, else its header."""
    where = _map(text)
    located = []
    for problem in problems:
        if not isinstance(problem, Problem):
            problem = Problem("%(text)s", text=str(problem))
        syntax = _SYNTAX_LINE.search(problem)
        if syntax:
            problem.line = int(syntax.group(1))
        elif problem.subject is not None:
            block = where.block(problem.subject)
            if block is not None:
                problem.line = block.keys.get(problem.key or "") or block.name_line \
                    or block.header_line
        located.append(problem)
    return located


# --------------------------------------------------------------------------- Dutch
# The interface speaks Dutch first; the command line and logs keep the English text. Key and
# value names from the file (label_nl, on_lapse, ...) stay as they are written there.

DUTCH: dict[str, str] = {
    "[%(table)s]": "[%(table)s]",
    "states[%(index)s]": "states[%(index)s]",
    "%(state)s term": "termijn van %(state)s",
    "transitions[%(index)s]": "transitions[%(index)s]",
    "top level": "bovenste niveau",
    "state '%(name)s'": "status '%(name)s'",
    "transition '%(name)s'": "stap '%(name)s'",
    "text": "tekst",
    "true/false": "true/false",
    "a whole number": "een geheel getal",
    "a number": "een getal",
    "a list": "een lijst",
    "a table": "een tabel",
    "[threshold] min_absolute must be a whole number >= 0, not %(value)r":
        "[threshold] min_absolute moet een geheel getal van 0 of meer zijn, niet %(value)r",
    "[threshold] min_percentage must be between 0 and 100, not %(value)r":
        "[threshold] min_percentage moet tussen 0 en 100 liggen, niet %(value)r",
    "[threshold] 'of' must be one of %(known)s, not %(value)r":
        "[threshold] 'of' moet een van %(known)s zijn, niet %(value)r",
    "[threshold] 'combine' must be one of %(known)s, not %(value)r":
        "[threshold] 'combine' moet een van %(known)s zijn, niet %(value)r",
    "[threshold] collection_days must be between 1 and 3650, not %(value)r":
        "[threshold] collection_days moet tussen 1 en 3650 liggen, niet %(value)r",
    "[threshold] min_age must be between 0 and 120, not %(value)r":
        "[threshold] min_age moet tussen 0 en 120 liggen, niet %(value)r",
    "states[%(index)s] must be a table ([[states]]), not %(type)s":
        "states[%(index)s] moet een tabel zijn ([[states]]), niet %(type)s",
    "transitions[%(index)s] must be a table ([[transitions]]), not %(type)s":
        "transitions[%(index)s] moet een tabel zijn ([[transitions]]), niet %(type)s",
    "%(where)s: 'min_percentage' must be a number, not %(value)r":
        "%(where)s: 'min_percentage' moet een getal zijn, niet %(value)r",
    "top level: no states defined (add [[states]] tables)":
        "bovenste niveau: er zijn geen statussen (voeg [[states]]-tabellen toe)",
    "top level: 'transitions' must be a list of [[transitions]] tables":
        "bovenste niveau: 'transitions' moet een lijst van [[transitions]]-tabellen zijn",
    "%(where)s: [%(table)s] must be a table, not %(type)s":
        "%(where)s: [%(table)s] moet een tabel zijn, niet %(type)s",
    "%(where)s: '%(name)s' must be text, not %(type)s":
        "%(where)s: '%(name)s' moet tekst zijn, niet %(type)s",
    "%(where)s: '%(name)s' must be true or false, not %(value)r":
        "%(where)s: '%(name)s' moet true of false zijn, niet %(value)r",
    "%(where)s: '%(name)s' must be a whole number, not %(value)r":
        "%(where)s: '%(name)s' moet een geheel getal zijn, niet %(value)r",
    "%(where)s: '%(name)s' must be a list of text values, not %(value)r":
        "%(where)s: '%(name)s' moet een lijst met teksten zijn, niet %(value)r",
    "%(where)s: give either '%(days)s' or '%(weeks)s', not both":
        "%(where)s: geef '%(days)s' of '%(weeks)s', niet allebei",
    "%(where)s: missing '%(days)s' (or '%(weeks)s')":
        "%(where)s: '%(days)s' (of '%(weeks)s') ontbreekt",
    "%(where)s: unknown clock effect '%(clock)s' (use %(known)s)":
        "%(where)s: onbekend effect op de termijn '%(clock)s' (gebruik %(known)s)",
    "%(where)s: input_labels.%(kind)s must be a table with label_nl and label_en":
        "%(where)s: input_labels.%(kind)s moet een tabel zijn met label_nl en label_en",
    "the file is too long: at most %(most)s characters (this one has %(has)s)":
        "het bestand is te lang: hoogstens %(most)s tekens (dit bestand heeft er %(has)s)",
    "%(where)s: missing required table [%(table)s]":
        "%(where)s: de verplichte tabel [%(table)s] ontbreekt",
    "%(where)s: unknown key '%(name)s' (allowed: %(allowed)s)":
        "%(where)s: onbekende sleutel '%(name)s' (toegestaan: %(allowed)s)",
    "%(where)s: missing required key '%(name)s'":
        "%(where)s: de verplichte sleutel '%(name)s' ontbreekt",
    "%(where)s: unknown kind '%(kind)s' (use %(known)s)":
        "%(where)s: onbekende soort '%(kind)s' (gebruik %(known)s)",
    "TOML syntax error: %(detail)s": "Fout in de TOML-opmaak: %(detail)s",
    "TOML syntax error: arrays or tables are nested too deeply (a procedure needs only a few "
    "levels)": "Fout in de TOML-opmaak: lijsten of tabellen zijn te diep genest (een procedure "
               "heeft maar een paar niveaus nodig)",
    "%(where)s: name must be lowercase snake_case (a-z, 0-9, _)":
        "%(where)s: de naam mag alleen kleine letters, cijfers en _ bevatten (a-z, 0-9, _)",
    "%(where)s: 'from' lists no states": "%(where)s: 'from' noemt geen statussen",
    "%(where)s: source state '%(state)s' is listed more than once":
        "%(where)s: beginstatus '%(state)s' staat er meer dan één keer in",
    "%(where)s: unknown target state '%(state)s'": "%(where)s: onbekende eindstatus '%(state)s'",
    "%(where)s: no roles may fire it (add roles)":
        "%(where)s: geen enkele rol mag deze stap zetten (vul roles in)",
    "%(where)s: unknown role '%(role)s' (known roles: %(known)s)":
        "%(where)s: onbekende rol '%(role)s' (bekende rollen: %(known)s)",
    "%(where)s: input '%(kind)s' is both required and optional":
        "%(where)s: invoer '%(kind)s' is zowel verplicht als optioneel",
    "%(where)s: needs both label_nl and label_en":
        "%(where)s: label_nl en label_en zijn allebei nodig",
    "%(where)s: is public, so it needs public_label_nl and public_label_en":
        "%(where)s: is openbaar, dus public_label_nl en public_label_en zijn nodig",
    "%(where)s: has clock effect '%(clock)s' but the workflow has no [decision_clock]":
        "%(where)s: heeft effect '%(clock)s' op de beslistermijn, maar de procedure heeft geen "
        "[decision_clock]",
    "%(where)s: takes 'extension_days' but its clock effect is not 'extend'":
        "%(where)s: vraagt 'extension_days', maar het effect op de termijn is niet 'extend'",
    "%(where)s: unknown automatic trigger '%(trigger)s' (use \"\", %(known)s)":
        "%(where)s: onbekende automatische aanleiding '%(trigger)s' (gebruik \"\", %(known)s)",
    "%(where)s: is automatic ('%(trigger)s') so its roles must include 'system'":
        "%(where)s: gaat automatisch ('%(trigger)s'), dus roles moet 'system' bevatten",
    "%(where)s: is automatic, so it cannot require inputs (%(inputs)s); nobody is there to "
    "give them": "%(where)s: gaat automatisch en kan dus geen invoer eisen (%(inputs)s); er is "
                 "niemand om die te geven",
    "%(where)s: fires on 'threshold_met' but the workflow has no [threshold]":
        "%(where)s: gaat af bij 'threshold_met', maar de procedure heeft geen [threshold]",
    "%(where)s: the state is terminal but has a term (nothing can happen after it)":
        "%(where)s: de status is een eindstatus maar heeft een termijn (daarna kan niets meer "
        "gebeuren)",
    "%(where)s: term of %(days)s days is invalid (must be between 1 and %(most)s days)":
        "%(where)s: een termijn van %(days)s dagen kan niet (tussen 1 en %(most)s dagen)",
    "%(where)s: on_lapse names unknown transition '%(name)s'":
        "%(where)s: on_lapse noemt een onbekende stap '%(name)s'",
    "%(where)s: on_lapse transition '%(name)s' does not leave state '%(state)s' (its 'from' "
    "is %(sources)s)": "%(where)s: on_lapse-stap '%(name)s' vertrekt niet uit status "
                       "'%(state)s' (de 'from' ervan is %(sources)s)",
    "%(where)s: on_lapse transition '%(name)s' must have automatic = \"term_lapsed\"":
        "%(where)s: on_lapse-stap '%(name)s' moet automatic = \"term_lapsed\" hebben",
    "%(where)s: unknown source state '%(state)s'": "%(where)s: onbekende beginstatus '%(state)s'",
    "%(where)s: unknown input kind '%(kind)s' (known: %(known)s)":
        "%(where)s: onbekende soort invoer '%(kind)s' (bekend: %(known)s)",
    "%(where)s: input_labels names '%(kind)s', which is not one of its inputs":
        "%(where)s: input_labels noemt '%(kind)s', maar dat is geen invoer van deze stap",
    "%(where)s: input_labels.%(kind)s needs both label_nl and label_en":
        "%(where)s: input_labels.%(kind)s heeft label_nl en label_en allebei nodig",
    "%(where)s: input_labels.%(kind)s needs help_nl and help_en together":
        "%(where)s: input_labels.%(kind)s heeft help_nl en help_en samen nodig",
    "%(where)s: takes input '%(kind)s' but [workflow] %(kind)s is empty":
        "%(where)s: vraagt invoer '%(kind)s', maar [workflow] %(kind)s is leeg",
    "there is no terminal state: give at least one state kind = \"terminal\" (for example the "
    "decision), or cases never end": "er is geen eindstatus: geef minstens één status kind = "
                                     "\"terminal\" (bijvoorbeeld het besluit), anders eindigt "
                                     "geen enkele zaak",
    "%(where)s key must not be empty": "%(where)s key mag niet leeg zijn",
    "%(where)s: '%(action)s' must be text such as \"digid:midden\", not %(value)r":
        "%(where)s: '%(action)s' moet tekst zijn zoals \"digid:midden\", niet %(value)r",
    "%(where)s unknown action '%(action)s' (use %(known)s)":
        "%(where)s onbekende handeling '%(action)s' (gebruik %(known)s)",
    "%(where)s %(action)s: unknown login '%(value)s' (use email, digid:basis|midden|substantieel|hoog "
    "or eherkenning:EH1|EH2|EH2+|EH3|EH4)":
        "%(where)s %(action)s: onbekende manier van inloggen '%(value)s' (gebruik email, "
        "digid:basis|midden|substantieel|hoog of eherkenning:EH1|EH2|EH2+|EH3|EH4)",
    "%(where)s file_for_organisation: an organisation logs in with eHerkenning, not DigiD":
        "%(where)s file_for_organisation: een organisatie logt in met eHerkenning, niet met "
        "DigiD",
    "%(where)s unknown request_type '%(value)s' (use %(known)s)":
        "%(where)s onbekend request_type '%(value)s' (gebruik %(known)s)",
    "%(where)s needs both title_nl and title_en":
        "%(where)s title_nl en title_en zijn allebei nodig",
    "duplicate state name '%(name)s'": "de statusnaam '%(name)s' komt vaker voor",
    "duplicate transition name '%(name)s'": "de stapnaam '%(name)s' komt vaker voor",
    "there must be exactly one initial state; found %(count)s (%(found)s)":
        "er moet precies één beginstatus (kind = \"initial\") zijn; gevonden: %(count)s "
        "(%(found)s)",
    "%(where)s: remind_days_before (%(remind)s) must be at least 0 and less than the term "
    "(%(days)s days)": "%(where)s: remind_days_before (%(remind)s) moet 0 of meer zijn en "
                       "korter dan de termijn (%(days)s dagen)",
    "%(where)s %(list)s: code '%(code)s' is listed more than once":
        "%(where)s %(list)s: code '%(code)s' staat er meer dan één keer in",
    "%(where)s outcomes: unknown outcome '%(code)s' (known: %(known)s)":
        "%(where)s outcomes: onbekende uitkomst '%(code)s' (bekend: %(known)s)",
    "%(where)s: fires on 'term_lapsed' but state '%(state)s' has no term with on_lapse = "
    "\"%(name)s\", so it would never fire": "%(where)s: gaat af bij 'term_lapsed', maar status "
                                            "'%(state)s' heeft geen termijn met on_lapse = "
                                            "\"%(name)s\", dus de stap gaat nooit af",
    "%(where)s: the state is terminal but has outgoing transitions (%(names)s)":
        "%(where)s: de status is een eindstatus maar er vertrekken stappen uit (%(names)s)",
    "%(where)s: cannot be reached from the initial state '%(start)s' (and so neither can "
    "%(after)s)": "%(where)s: is vanuit de beginstatus '%(start)s' niet te bereiken (en "
                  "daardoor %(after)s ook niet)",
    "%(where)s: cannot be reached from the initial state '%(start)s'":
        "%(where)s: is vanuit de beginstatus '%(start)s' niet te bereiken",
    "%(where)s: has no path to a terminal state (cases would go round in circles)":
        "%(where)s: er is geen weg naar een eindstatus (zaken zouden rondjes blijven draaien)",
    "%(where)s term of %(days)s days is invalid (must be between 1 and %(most)s days)":
        "%(where)s een termijn van %(days)s dagen kan niet (tussen 1 en %(most)s dagen)",
    "%(where)s extension of %(days)s days is invalid (must be between 0 and %(most)s days)":
        "%(where)s een verlenging van %(days)s dagen kan niet (tussen 0 en %(most)s dagen)",
    "%(where)s: the initial state (a draft) must not be public":
        "%(where)s: de beginstatus (een concept) mag niet openbaar zijn",
    "%(where)s %(list)s: unknown code '%(code)s' (known: %(known)s)":
        "%(where)s %(list)s: onbekende code '%(code)s' (bekend: %(known)s)",
    "%(where)s: the state is not terminal but has no transition out of it (cases would get "
    "stuck there)": "%(where)s: de status is geen eindstatus, maar er vertrekt geen stap uit "
                    "(zaken zouden daar vast komen te zitten)",
    "[workflow] this file is for request type '%(found)s', not '%(expected)s'":
        "[workflow] dit bestand is voor soort verzoek '%(found)s', niet '%(expected)s'",
}
