"""Dutch full-text search gives the same results on SQLite (FTS5 + our stemmer) and on
PostgreSQL (to_tsvector('dutch')): the suite runs these on whichever engine it uses."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from participation import search
from participation.extensions import db
from participation.models import Case
from participation.services import cases as case_service
from tests.conftest import NOW


@pytest.fixture()
def cases(app_ctx, create_org):
    org = create_org(slug="utrecht")

    def make(title: str, summary: str = "") -> Case:
        case = case_service.start_case(org, "uitdaagrecht", applicant=None, title=title, now=NOW)
        case.summary = summary
        db.session.flush()
        return case

    made = {
        "kerkstraat": make("Speeltuin aan de Kerkstraat"),
        "oost": make("Nieuwe speeltuinen in Oost"),
        "cafe": make("Terras bij het café", "Een buurtcafé met een groen terras."),
        "bomen": make("Groen in de wijk", "Wij planten bomen en onderhouden de plantsoenen."),
    }
    made["kerkstraat"].number = "UD-2026-00042"
    db.session.commit()
    return made


def found(q: str) -> set[int]:
    return set(db.session.scalars(select(Case.id).where(search.match_condition(q))))


def ids(cases, *keys) -> set[int]:
    return {cases[k].id for k in keys}


def test_plural_finds_singular_and_singular_finds_plural(cases):
    assert found("speeltuinen") == ids(cases, "kerkstraat", "oost")
    assert found("speeltuin") == ids(cases, "kerkstraat", "oost")


def test_all_words_must_match_and_unrelated_words_find_nothing(cases):
    assert found("speeltuin oost") == ids(cases, "oost")
    assert found("zwembad") == set()
    assert found("speeltuin zwembad") == set()


def test_case_insensitive_and_summary_counts(cases):
    assert found("SPEELTUIN") == ids(cases, "kerkstraat", "oost")
    assert found("Plantsoen") == ids(cases, "bomen")
    assert found("groene") == ids(cases, "cafe", "bomen")  # groene -> groen


def test_accents_are_ignored_like_postgresql_does(cases):
    assert found("cafe") == ids(cases, "cafe")
    assert found("café") == ids(cases, "cafe")


def test_stop_words_alone_find_nothing_and_case_number_is_found(cases):
    assert found("de het een") == set()
    assert found("UD-2026-00042") == ids(cases, "kerkstraat")


def test_changes_to_title_are_searchable_at_once(cases):
    case = cases["bomen"]
    case.title = "Nieuw zwembad in de wijk"
    db.session.commit()
    assert found("zwembad") == ids(cases, "bomen")
    assert found("plantsoenen") == ids(cases, "bomen")  # the summary did not change


@pytest.mark.parametrize("q", ['"', "' OR 1=1 --", "NEAR(a b)", "*", "a AND OR", "x" * 5000, ""])
def test_hostile_queries_are_plain_words(cases, q):
    assert found(q) <= {c.id for c in cases.values()}


def test_rebuild_index_restores_the_sqlite_table(cases):
    if db.engine.dialect.name != "sqlite":
        assert search.rebuild_index() == 0
        return
    db.session.execute(text("DELETE FROM case_search"))
    db.session.commit()
    assert found("speeltuin") == set()
    assert search.rebuild_index() == len(cases)
    db.session.commit()
    assert found("speeltuin") == ids(cases, "kerkstraat", "oost")


@pytest.mark.parametrize(("word", "stem"), [
    ("speeltuinen", "speeltuin"), ("speeltuin", "speeltuin"), ("straten", "strat"),
    ("kerkstraat", "kerkstrat"), ("café", "caf"), ("cafe", "caf"), ("mogelijkheden", "mogelijk"),
    ("initiatieven", "initiatiev"), ("gemeenten", "gemeent"), ("vóór", "vor"), ("ideeën", "ideeen"),
    ("bewoners", "bewoner"), ("verlichting", "verlicht"), ("openbaarheid", "open"), ("overig", "over"),
])
def test_dutch_stem_matches_postgresql_snowball(word, stem):
    # Expected values are what PostgreSQL 15 returns for ts_lexize('dutch_stem', word).
    assert search.dutch_stem(word) == stem


def test_postgresql_has_the_expression_gin_index(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite uses the FTS5 table")
    definition = db.session.scalar(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_cases_fts'"))
    assert definition and "USING gin" in definition and "to_tsvector('dutch'" in definition


def test_an_organisations_search_finds_its_own_public_cases_only(cases, create_org):
    other = create_org(slug="zeist")
    theirs = case_service.start_case(other, "uitdaagrecht", applicant=None, title="Speeltuin Zeist", now=NOW)
    db.session.commit()
    utrecht = cases["kerkstraat"].organisation_id

    def scoped(q: str, org_id: int | None, public_only: bool = False) -> set[int]:
        # As the register asks: the scope narrows the SQLite match, the filters stay.
        query = select(Case.id).where(
            search.match_condition(q, organisation_id=org_id, public_only=public_only))
        if org_id is not None:
            query = query.where(Case.organisation_id == org_id)
        if public_only:
            query = query.where(Case.is_public.is_(True))
        return set(db.session.scalars(query))

    assert scoped("speeltuin", utrecht) == ids(cases, "kerkstraat", "oost")
    assert scoped("speeltuin", other.id) == {theirs.id}
    assert found("speeltuin") == ids(cases, "kerkstraat", "oost") | {theirs.id}
    # Publicity is part of the match and follows the case at once.
    assert scoped("speeltuin", utrecht, public_only=True) == set()
    cases["oost"].is_public = True
    db.session.commit()
    assert scoped("speeltuin", utrecht, public_only=True) == ids(cases, "oost")
    assert scoped("speeltuin", None, public_only=True) == ids(cases, "oost")
    if db.engine.dialect.name == "sqlite":
        scope = db.session.execute(text("SELECT scope FROM case_search WHERE rowid = :id"),
                                   {"id": cases["oost"].id}).scalar()
        assert scope == f"o{utrecht} p"
