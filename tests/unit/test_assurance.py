"""Assurance levels as procedure data (procedures.md §5.3): parsing, acr values from brokers,
whether a login reaches a requirement, the BSN check, person keys and IdP group mapping."""
from __future__ import annotations

import pytest

from participation.domain import assurance
from participation.domain.assurance import Reached, Requirement
from participation.domain.workflow import validation
from participation.domain.workflow.toml_format import parse_workflow, to_toml

MIDDEN = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"


@pytest.mark.parametrize(("text", "expected"), [
    ("email", Requirement("email")),
    ("digid:midden", Requirement("digid", "midden")),
    ("DigiD:Midden", Requirement("digid", "midden")),
    ("eherkenning:eh2+", Requirement("eherkenning", "EH2+")),
    (" eherkenning : EH3 ", Requirement("eherkenning", "EH3")),
])
def test_requirements_are_read_as_written(text, expected):
    assert assurance.parse_requirement(text) == expected


@pytest.mark.parametrize("text", ["", "digid", "digid:laag", "eherkenning:EH5", "email:midden",
                                  "itsme:hoog", "eherkenning:midden"])
def test_unknown_requirements_are_refused(text):
    with pytest.raises(ValueError):
        assurance.parse_requirement(text)


@pytest.mark.parametrize(("means", "acr", "level"), [
    ("digid", MIDDEN, "midden"),
    ("digid", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "basis"),
    ("digid", "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI", "hoog"),
    ("digid", "substantieel", "substantieel"),
    ("eherkenning", "urn:etoegang:core:assurance-class:loa2plus", "EH2+"),
    ("eherkenning", "eh3", "EH3"),
    ("digid", "urn:etoegang:core:assurance-class:loa3", None),   # another means' level
    ("eherkenning", MIDDEN, None),
    ("digid", None, None),                                       # no level reported: refused
    ("digid", "urn:unknown", None),
])
def test_the_level_comes_from_the_brokers_acr(means, acr, level):
    assert assurance.level_from_acr(means, acr) == level


def test_brokers_are_asked_for_the_levels_that_would_do():
    assert assurance.acr_values("digid", "substantieel").split() == [
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"]
    assert len(assurance.acr_values("eherkenning").split()) == 5


@pytest.mark.parametrize(("reached", "required", "kvk", "ok"), [
    (None, Requirement("email"), "", True),
    (None, Requirement("digid", "midden"), "", False),
    (Reached("digid", "basis"), Requirement("digid", "midden"), "", False),
    (Reached("digid", "midden"), Requirement("digid", "midden"), "", True),
    (Reached("digid", "hoog"), Requirement("digid", "midden"), "", True),
    (Reached("eherkenning", "EH3", "12345678"), Requirement("digid", "basis"), "", False),
    (Reached("eherkenning", "EH2", "12345678"), Requirement("eherkenning", "EH2+"), "12345678", False),
    (Reached("eherkenning", "EH2+", "12345678"), Requirement("eherkenning", "EH2+"), "12345678", True),
    (Reached("eherkenning", "EH4", "87654321"), Requirement("eherkenning", "EH2+"), "12345678", False),
    (Reached("digid", "onbekend"), Requirement("digid", "basis"), "", False),
])
def test_a_login_meets_a_requirement_by_means_level_and_kvk(reached, required, kvk, ok):
    assert assurance.satisfies(reached, required, kvk=kvk) is ok


@pytest.mark.parametrize(("bsn", "valid"), [
    ("999993653", True), ("999990019", True), ("111222333", True), ("123456789", False),
    ("000000000", False), ("99999365", False), ("9999936534", False), ("99999365a", False),
])
def test_a_bsn_passes_the_elfproef(bsn, valid):
    assert assurance.valid_bsn(bsn) is valid


def test_a_person_key_is_keyed_and_stable():
    one = assurance.person_key(b"key-1", "digid", "999993653")
    assert one == assurance.person_key(b"key-1", "digid", "999993653")
    assert one != assurance.person_key(b"key-2", "digid", "999993653")
    assert one != assurance.person_key(b"key-1", "digid", "999990019")
    assert "999993653" not in one and len(one) == 64


@pytest.mark.parametrize(("role_map", "groups", "roles"), [
    ({"behandelaars": "official"}, ["behandelaars", "anders"], {"official"}),
    ({"g": ["griffie", "admin"]}, ["g"], {"griffie", "admin"}),
    ({"g": "installation_admin", "h": "resident"}, ["g", "h"], set()),  # never beyond staff
    ({}, ["behandelaars"], set()),
])
def test_idp_groups_map_to_staff_roles_only(role_map, groups, roles):
    assert assurance.roles_for_groups(role_map, groups) == roles


PRESET = validation.preset_path("uitdaagrecht").read_text("utf-8")


def test_the_uitdaagrecht_preset_asks_digid_midden_and_eherkenning_eh2_plus():
    wf = validation.load_preset("uitdaagrecht")
    assert wf.requirement("file") == Requirement("digid", "midden")
    assert wf.requirement("file_for_organisation") == Requirement("eherkenning", "EH2+")
    assert wf.requirement("sign") == assurance.NO_REQUIREMENT
    assert parse_workflow(to_toml(wf)).identity == wf.identity
    assert validation.load_preset("bewonersinitiatief").identity == {}


@pytest.mark.parametrize(("block", "message"), [
    ('sign = "digid:laag"', "[identity] sign: unknown login 'digid:laag'"),
    ('stemmen = "email"', "[identity] unknown action 'stemmen'"),
    ('answer = "digid:midden"\nfile_for_organisation = "digid:hoog"',
     "an organisation logs in with eHerkenning"),
    ("sign = 3", "[identity]: 'sign' must be text"),
])
def test_workflow_check_names_a_wrong_identity_line(block, message):
    text = PRESET.replace('file_for_organisation = "eherkenning:EH2+"\n', "", 1)
    text = text.replace('answer = "digid:midden"', block, 1)
    problems = validation.validate(text)
    assert any(message in str(problem) for problem in problems), problems
