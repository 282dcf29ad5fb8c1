"""The English catalogue is complete: every Dutch msgid in the code has a non-fuzzy English
translation, and the placeholders match (a missing %(name)s would crash at render time)."""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
METHODS = [("participation/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _searched(dirpath: str) -> bool:
    # Babel's default filter skips every folder starting with "_", which hides templates/_macros.
    name = Path(dirpath).name
    return not (name.startswith(".") or name == "__pycache__")


def _code_msgids() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS, directory_filter=_searched):
        if isinstance(message, (tuple, list)):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(ROOT / "translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(BytesIO(handle.read()), locale="en")


def test_every_message_in_the_code_is_translated(catalogue):
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    plural_ids = {m.id[1] for m in catalogue if isinstance(m.id, tuple)}
    missing = sorted(msgid for msgid in _code_msgids()
                     if msgid not in translated and msgid not in plural_ids)
    assert not missing, f"{len(missing)} Dutch texts have no English entry (run make translations): {missing[:20]}"


def test_no_empty_or_fuzzy_translations(catalogue):
    bad = [m.id for m in catalogue if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str)
                                                                 else all(m.string)))]
    assert not bad, f"{len(bad)} untranslated or fuzzy entries: {bad[:20]}"


def test_placeholders_match(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if len(ids) == 1:
            if strings[0] and set(PLACEHOLDER.findall(strings[0])) != set(PLACEHOLDER.findall(ids[0])):
                wrong.append(ids[0])
            continue
        # Plural forms: the singular may leave out the count ("Solve this problem"), but no form
        # may use a name the code does not pass, and the plural form must keep every name.
        passed = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[1]))
        for index, string in enumerate(strings):
            names = set(PLACEHOLDER.findall(string or ""))
            if not names <= passed or (index > 0 and names != set(PLACEHOLDER.findall(ids[1]))):
                wrong.append(ids[0])
    assert not wrong, wrong[:20]
