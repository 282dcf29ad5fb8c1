"""`flask demo-data` gives a newcomer a living platform, and running it twice changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Case, Meeting, Membership, Organisation, User
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
    assert set(organisations) == {"gemeente", "waterschap"}
    roles = set(db.session.scalars(select(Membership.role)))
    assert roles == {"official", "coordinator", "griffie", "admin"}
    states = set(db.session.scalars(select(Case.state)))
    assert {"aanvulling_gevraagd", "toegekend", "ingediend", "steun_verzamelen"} <= states
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
