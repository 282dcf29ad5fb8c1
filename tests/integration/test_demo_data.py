"""`flask demo-data` gives a newcomer a living platform, and running it twice changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from participation.extensions import db
from participation.models import (
    Case,
    EvaluationOutcome,
    InstalmentRelease,
    Meeting,
    Membership,
    Organisation,
    ProgressReport,
    User,
)
from participation.services.cases import verify_all_chains


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Organisation, User, Membership, Case, Meeting))


def test_demo_data_is_idempotent_and_prints_logins(app, app_ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "demo-wachtwoord-2026" in first.output and "coordinator@zonnedal.example" in first.output
    after_first = _counts()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert _counts() == after_first
    organisations = db.session.scalars(select(Organisation.tier)).all()
    assert sorted(organisations) == ["gemeente", "provincie", "waterschap"]  # one of each
    installer = db.session.scalar(select(User).where(User.is_installation_admin))
    assert installer.email == "platformbeheer@example.nl" and installer.email in first.output
    roles = set(db.session.scalars(select(Membership.role)))
    assert roles == {"official", "coordinator", "griffie", "admin"}
    states = set(db.session.scalars(select(Case.state)))
    assert {"aanvulling_gevraagd", "toegekend", "ingediend", "steun_verzamelen",
            "in_uitvoering", "evaluatie"} <= states
    # A challenge in execution with progress and a paid instalment, and one evaluated.
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) >= 2
    assert db.session.scalar(select(func.count()).select_from(InstalmentRelease)) >= 1
    assert db.session.scalar(select(EvaluationOutcome.outcome)) == "continue"
    assert verify_all_chains() == {}


def test_workflow_check_accepts_presets_and_rejects_a_broken_file(app, app_ctx, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["workflow", "check"])
    assert ok.exit_code == 0 and ok.output.count("OK") == 3
    broken = tmp_path / "kapot.toml"
    broken.write_text('[workflow]\nkey = "x"\nrequest_type = "uitdaagrecht"\n'
                      'title_nl = "x"\ntitle_en = "x"\n[[states]]\nname = "concept"\nkind = "initial"\n'
                      'public = false\nlabel_nl = "C"\nlabel_en = "C"\n[[transitions]]\nname = "go"\n'
                      'from = ["concept"]\nto = "nergens"\nroles = ["applicant"]\n'
                      'label_nl = "G"\nlabel_en = "G"\npublic_label_nl = "G"\npublic_label_en = "G"\n',
                      encoding="utf-8")
    failed = runner.invoke(args=["workflow", "check", str(broken)])
    assert failed.exit_code == 1
    # file:line: where the editor jumps to
    assert f"{broken}:15: transition 'go': unknown target state 'nergens'" in failed.output


def test_audit_verify_command_reports_tampering(app, app_ctx):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    from participation.models import AuditEvent

    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    event.to_state = "afgerond"
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"case {event.case_id}" in result.output


def test_organisations_are_managed_with_flask_commands(app, app_ctx, create_user):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["organisations", "add", "zuiderland", "--name",
                                "Provincie Zuiderland", "--tier", "provincie", "--tooi-code",
                                "pv99", "--inhabitants", "1120000"])
    assert added.exit_code == 0, added.output
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "zuiderland"))
    assert (org.tier, org.tooi_code, org.inhabitants) == ("provincie", "pv99", 1120000)
    assert org.deciding_bodies == "gedeputeerde_staten,provinciale_staten,gemandateerd_ambtenaar"

    # The same checks as the screen, each message on its own line, exit 1, nothing stored.
    refused = runner.invoke(args=["organisations", "add", "api", "--name", "", "--tier",
                                  "gemeente", "--tooi-code", "pv99"])
    assert refused.exit_code == 1
    assert "slug: Dit deel van het webadres is voor het platform zelf." in refused.output
    assert "name: Vul de naam in." in refused.output
    assert "tooi_code: Vul de TOOI-code in; voor een gemeente is die bijvoorbeeld gm0363." \
        in refused.output

    edited = runner.invoke(args=["organisations", "edit", "zuiderland", "--area",
                                 "Zuiderland en de Wadden", "--bodies", "provinciale_staten"])
    assert edited.exit_code == 0, edited.output
    db.session.expire_all()
    assert (org.area, org.deciding_bodies, org.name) == (
        "Zuiderland en de Wadden", "provinciale_staten", "Provincie Zuiderland")

    assert runner.invoke(args=["organisations", "archive", "zuiderland"]).exit_code == 0
    listed = runner.invoke(args=["organisations", "list"]).output
    assert "zuiderland" in listed and "archived" in listed
    assert runner.invoke(args=["organisations", "archive", "zuiderland", "--restore"]).exit_code == 0
    db.session.expire_all()
    assert org.archived_at is None
    assert runner.invoke(args=["organisations", "edit", "nergens"]).exit_code != 0

    user = create_user(email="willem@example.nl")
    granted = runner.invoke(args=["users", "installation-admin", "willem@example.nl"])
    assert granted.exit_code == 0 and "granted" in granted.output
    db.session.expire_all()
    assert user.is_installation_admin
    assert runner.invoke(args=["users", "installation-admin", "niemand@example.nl"]).exit_code == 1
