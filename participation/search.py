"""Dutch full-text search over cases: the one module that knows PostgreSQL from SQLite.

PostgreSQL: to_tsvector('dutch', …) @@ plainto_tsquery('dutch', q), backed by the expression
GIN index ix_cases_fts declared on Case. SQLite has no Dutch stemmer, so we stem in Python
with the same (classic Snowball) Dutch algorithm PostgreSQL 15 uses, drop the same stop
words, and keep the stemmed text in an FTS5 table `case_search` (rowid = case id) that the
listeners below maintain. Both engines therefore find the same cases for the same words.
The table's `scope` column holds the organisation ("o12") and, for public cases, "p", so that
one organisation's register search reads only that organisation's matches.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import DDL, Integer, column, event, false, func, or_, text
from sqlalchemy.orm import Session

from participation.extensions import db

MAX_QUERY_LENGTH = 200

# PostgreSQL's tsearch_data/dutch.stop (the Snowball list): dropped on both engines.
STOPWORDS = frozenset(["de", "en", "van", "ik", "te", "dat", "die", "in", "een", "hij", "het", "niet", "zijn", "is", "was", "op", "aan", "met", "als", "voor", "had", "er", "maar", "om", "hem", "dan", "zou", "of", "wat", "mijn", "men", "dit", "zo", "door", "over", "ze", "zich", "bij", "ook", "tot", "je", "mij", "uit", "der", "daar", "haar", "naar", "heb", "hoe", "heeft", "hebben", "deze", "u", "want", "nog", "zal", "me", "zij", "nu", "ge", "geen", "omdat", "iets", "worden", "toch", "al", "waren", "veel", "meer", "doen", "toen", "moet", "ben", "zonder", "kan", "hun", "dus", "alles", "onder", "ja", "eens", "hier", "wie", "werd", "altijd", "doch", "wordt", "wezen", "kunnen", "ons", "zelf", "tegen", "na", "reeds", "wil", "kon", "niets", "uw", "iemand", "geweest", "andere"])

# Same token boundaries as PostgreSQL's parser for ordinary words: runs of letters/digits.
_WORD = re.compile(r"[^\W_]+")
_CASE_NUMBER = re.compile(r"^[A-Za-z]{2}-\d{4}-\d{1,8}$")

# ---------------------------------------------------------------- Snowball Dutch stemmer

_ACCENTS = str.maketrans("äáëéïíöóüú", "aaeeiioouu")
_V = set("aeiouyè")
_V_J = _V | {"j"}
_V_I = _V | {"I"}


def _prelude(word: str) -> str:
    chars = list(word.translate(_ACCENTS))
    if chars and chars[0] == "y":
        chars[0] = "Y"
    for i in range(1, len(chars)):
        if chars[i - 1] in _V:
            if chars[i] == "i" and i + 1 < len(chars) and chars[i + 1] in _V:
                chars[i] = "I"
            elif chars[i] == "y":
                chars[i] = "Y"
    return "".join(chars)


def _regions(word: str) -> tuple[int, int]:
    n = len(word)
    if n < 3:
        return n, n

    def after_vowel_consonant(start: int) -> int:
        i = start
        while i < n and word[i] not in _V:
            i += 1
        i += 1
        while i < n and word[i] in _V:
            i += 1
        return i + 1 if i < n else n

    raw_p1 = after_vowel_consonant(0)
    if raw_p1 >= n:
        return n, n
    # R1 is moved right to leave at least 3 letters before it; R2 starts from the unmoved R1.
    return max(raw_p1, 3), min(after_vowel_consonant(raw_p1), n)


def _undouble(word: str) -> str:
    return word[:-1] if word.endswith(("kk", "dd", "tt")) else word


def _en_ending(word: str, p1: int, suffix: str) -> str | None:
    stem = word[: -len(suffix)]
    if len(stem) >= p1 and stem and stem[-1] not in _V and not stem.endswith("gem"):
        return _undouble(stem)
    return None


def _e_ending(word: str, p1: int) -> tuple[str, bool]:
    if word.endswith("e") and len(word) - 1 >= p1 and len(word) >= 2 and word[-2] not in _V:
        return _undouble(word[:-1]), True
    return word, False


def dutch_stem(word: str) -> str:
    """The stem of one lower-case word, as PostgreSQL 15's `dutch_stem` dictionary gives it."""
    word = _prelude(word.lower())
    p1, p2 = _regions(word)
    # Step 1: -heden, -en/-ene, -s/-se
    if word.endswith("heden"):
        if len(word) - 5 >= p1:
            word = word[:-5] + "heid"
    elif word.endswith(("ene", "en")):
        suffix = "ene" if word.endswith("ene") else "en"
        if len(word) - len(suffix) >= p1:
            word = _en_ending(word, p1, suffix) or word
    elif word.endswith(("se", "s")):
        suffix = "se" if word.endswith("se") else "s"
        stem = word[: -len(suffix)]
        if len(stem) >= p1 and stem and stem[-1] not in _V_J:
            word = stem
    # Step 2: -e
    word, e_found = _e_ending(word, p1)
    # Step 3a: -heid
    if word.endswith("heid") and len(word) - 4 >= p2 and not word[:-4].endswith("c"):
        word = word[:-4]
        if word.endswith("en") and len(word) - 2 >= p1:
            word = _en_ending(word, p1, "en") or word
    # Step 3b: derivational suffixes
    if word.endswith(("end", "ing")):
        if len(word) - 3 >= p2:
            word = word[:-3]
            if word.endswith("ig") and len(word) - 2 >= p2 and not word[:-2].endswith("e"):
                word = word[:-2]
            else:
                word = _undouble(word)
    elif word.endswith("ig"):
        if len(word) - 2 >= p2 and not word[:-2].endswith("e"):
            word = word[:-2]
    elif word.endswith("lijk"):
        if len(word) - 4 >= p2:
            word, _ = _e_ending(word[:-4], p1)
    elif word.endswith("baar"):
        if len(word) - 4 >= p2:
            word = word[:-4]
    elif word.endswith("bar") and len(word) - 3 >= p2 and e_found:
        word = word[:-3]
    # Step 4: undouble a vowel before a final consonant (maan -> man)
    if (len(word) >= 4 and word[-1] not in _V_I and word[-3:-1] in ("aa", "ee", "oo", "uu")
            and word[-4] not in _V):
        word = word[:-2] + word[-1]
    return word.replace("Y", "y").replace("I", "i")


def words(text_: str) -> list[str]:
    return _WORD.findall(text_.lower())


def stems(text_: str) -> list[str]:
    """Searchable stems of a text: tokenised, stop words dropped, stemmed."""
    return [dutch_stem(w) for w in words(text_) if w not in STOPWORDS]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def normalise_query(q: str | None) -> str:
    # Control characters (NUL above all) cannot be stored or searched in PostgreSQL text.
    return _CONTROL.sub(" ", q or "").strip()[:MAX_QUERY_LENGTH]


# ---------------------------------------------------------------- query side

def match_condition(q: str, *, organisation_id: int | None = None, public_only: bool = False):
    """A WHERE clause for Case that is true when the case matches the words of `q`. On
    SQLite the organisation and publicity narrow the full-text match itself; callers still
    filter on them (PostgreSQL combines the indexes itself)."""
    from participation.models import Case

    q = normalise_query(q)
    by_number = (func.upper(Case.number) == q.upper()) if _CASE_NUMBER.match(q) else None
    if db.engine.dialect.name == "postgresql":
        document = func.to_tsvector(text("'dutch'"), _PG_DOCUMENT)
        condition = document.op("@@")(func.plainto_tsquery(text("'dutch'"), q))
    else:
        terms = stems(q)
        if terms:
            match = " AND ".join([f'body : "{term}"' for term in terms]
                                 + _scope_terms(organisation_id, public_only))
            condition = Case.id.in_(
                text("SELECT rowid FROM case_search WHERE case_search MATCH :fts_query")
                .bindparams(fts_query=match).columns(column("rowid", Integer)))
        else:
            condition = false()
    return or_(condition, by_number) if by_number is not None else condition


# The exact expression of the GIN index (ix_cases_fts), so that the planner can use it.
_PG_DOCUMENT_SQL = ("coalesce(cases.title, '') || ' ' || coalesce(cases.summary, '') || ' ' "
                    "|| coalesce(cases.number, '')")
_PG_DOCUMENT = text(_PG_DOCUMENT_SQL)
PG_INDEX_EXPRESSION = ("to_tsvector('dutch', coalesce(title, '') || ' ' || coalesce(summary, '')"
                       " || ' ' || coalesce(number, ''))")

# ---------------------------------------------------------------- SQLite index maintenance

_CREATE_FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING "
               "fts5(body, scope, tokenize = 'unicode61 remove_diacritics 0')")
_INSERT = text("INSERT INTO case_search (rowid, body, scope) VALUES (:id, :body, :scope)")
_DELETE = text("DELETE FROM case_search WHERE rowid = :id")


def _document(title: str | None, summary: str | None, number: str | None) -> str:
    return " ".join(stems(" ".join(part or "" for part in (title, summary, number))))


def _scope(organisation_id: int | None, is_public: bool | None) -> str:
    return f"o{organisation_id}" + (" p" if is_public else "")


def _scope_terms(organisation_id: int | None, public_only: bool) -> list[str]:
    terms = [f'scope : "o{int(organisation_id)}"'] if organisation_id is not None else []
    return terms + (['scope : "p"'] if public_only else [])


def _row(case) -> dict[str, Any]:
    get = case.get if isinstance(case, Mapping) else lambda name: getattr(case, name, None)
    return {"id": get("id"), "body": _document(get("title"), get("summary"), get("number")),
            "scope": _scope(get("organisation_id"), get("is_public"))}


def _write(connection, case) -> None:
    row = _row(case)
    connection.execute(_DELETE, row)
    connection.execute(_INSERT, row)


def index_rows(connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add freshly bulk-inserted cases (dicts with id, title, summary, number) to the SQLite
    search table; Core inserts bypass the ORM listeners below. A no-op on PostgreSQL."""
    if connection.dialect.name != "sqlite":
        return
    ensure_table(connection)
    documents = [_row(r) for r in rows]
    if documents:
        connection.execute(_DELETE, documents)
        connection.execute(_INSERT, documents)


def ensure_table(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(_CREATE_FTS))


def rebuild_index(session: Session | None = None) -> int:
    """(Re)build the SQLite search table from all cases; a no-op on PostgreSQL."""
    from participation.models import Case

    session = session or db.session
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return 0
    ensure_table(connection)
    connection.execute(text("DELETE FROM case_search"))
    rows = session.execute(db.select(Case.id, Case.title, Case.summary, Case.number,
                                     Case.organisation_id, Case.is_public)).mappings().all()
    index_rows(connection, rows)
    return len(rows)


def _after_insert(mapper, connection, target) -> None:
    if connection.dialect.name == "sqlite":
        _write(connection, target)


def _after_update(mapper, connection, target) -> None:
    if connection.dialect.name != "sqlite":
        return
    from sqlalchemy import inspect

    state = inspect(target)
    if any(state.attrs[name].history.has_changes()
           for name in ("title", "summary", "number", "organisation_id", "is_public")):
        _write(connection, target)


def _after_delete(mapper, connection, target) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(_DELETE, {"id": target.id})


def _register() -> None:
    from participation.models import Case

    if event.contains(Case, "after_insert", _after_insert):
        return
    event.listen(Case, "after_insert", _after_insert)
    event.listen(Case, "after_update", _after_update)
    event.listen(Case, "after_delete", _after_delete)
    event.listen(db.metadata, "after_create", DDL(_CREATE_FTS).execute_if(dialect="sqlite"))


def terms_for_display(q: str) -> Iterable[str]:
    return words(normalise_query(q))


_register()
