"""After a grant (procedures.md §2.6): the official draws up the agreement in versions, the
challenger agrees to one, reports progress per result, the official reviews the reports and
releases instalments, and both evaluate. Every change writes its audit event in the same
transaction; everything flushes, the view commits once. The rules live in
domain.agreements."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from participation.domain import agreements as rules
from participation.domain import grounds
from participation.domain import workflow as wf
from participation.domain.deadlines import dutch_date
from participation.extensions import db
from participation.models import (
    AgreementVersion,
    AuditEvent,
    Case,
    Evaluation,
    EvaluationOutcome,
    InstalmentRelease,
    Notification,
    ProgressReport,
    User,
)
from participation.services import attachments, mail, transparency
from participation.services import cases as case_service
from participation.services.cases import CaseworkInvalid

# States in which the agreement can still change, and in which work is reported.
DRAFTING_STATES = frozenset({"overeenkomst", "in_uitvoering", "verlengd", "evaluatie"})
REPORTING_STATES = frozenset({"in_uitvoering", "verlengd", "evaluatie"})
# Audit events outside the procedure's transitions: name -> (Dutch, English) label.
EVENTS = {
    "overeenkomst_versie": ("Nieuwe versie van de overeenkomst", "New version of the agreement"),
    "overeenkomst_akkoord": ("Uitdager akkoord met de overeenkomst",
                             "Challenger agreed to the agreement"),
    "voortgang_gemeld": ("Voortgang gemeld", "Progress reported"),
    "voortgang_beoordeeld": ("Voortgangsverslag beoordeeld", "Progress report reviewed"),
    "termijn_vrijgegeven": ("Termijn vrijgegeven voor betaling", "Instalment released"),
    "evaluatie_ingevuld": ("Evaluatie ingevuld", "Evaluation filled in"),
    "evaluatie_besluit": ("Uitkomst van de evaluatie vastgelegd",
                          "Outcome of the evaluation recorded"),
}


# --------------------------------------------------------------------------- reading

def versions_of(case: Case) -> list[AgreementVersion]:
    return list(db.session.scalars(select(AgreementVersion).where(
        AgreementVersion.case_id == case.id).order_by(AgreementVersion.version)))


def _states(versions: Sequence[AgreementVersion]) -> list[rules.VersionState]:
    return [rules.VersionState(v.version, v.agreed_at is not None) for v in versions]


def agreed_version(case: Case) -> AgreementVersion | None:
    """The version that binds both sides now: the latest, if the challenger agreed to it."""
    versions = versions_of(case)
    number = rules.agreed_version(_states(versions))
    return next((v for v in versions if v.version == number), None)


def results_of(version: AgreementVersion) -> list[rules.Result]:
    return [rules.Result(r["key"], r["title"],
                         date.fromisoformat(r["target_date"]) if r.get("target_date") else None)
            for r in version.results or []]


def instalments_of(version: AgreementVersion) -> list[rules.Instalment]:
    return [rules.Instalment(i["key"], int(i["amount_cents"]),
                             date.fromisoformat(i["planned_on"]) if i.get("planned_on") else None,
                             tuple(i.get("condition") or ()))
            for i in version.instalments or []]


def reports_of(case: Case) -> list[ProgressReport]:
    return list(db.session.scalars(select(ProgressReport).where(
        ProgressReport.case_id == case.id).order_by(ProgressReport.created_at,
                                                    ProgressReport.id)))


def as_rule_reports(reports: Sequence[ProgressReport]) -> list[rules.Report]:
    return [rules.Report(r.result_key, r.status, r.review) for r in reports]


def releases_of(case: Case) -> list[InstalmentRelease]:
    return list(db.session.scalars(select(InstalmentRelease).where(
        InstalmentRelease.case_id == case.id).order_by(InstalmentRelease.id)))


def evaluations_of(case: Case) -> dict[str, Evaluation]:
    return {e.party: e for e in db.session.scalars(select(Evaluation).where(
        Evaluation.case_id == case.id))}


def outcome_of(case: Case) -> EvaluationOutcome | None:
    return db.session.scalar(select(EvaluationOutcome).where(EvaluationOutcome.case_id == case.id))


# --------------------------------------------------------------------------- writing helpers

def _event(case: Case, name: str, *, actor: User, role: str, reason: str,
           inputs: dict[str, Any], now: datetime, public: bool = False) -> AuditEvent:
    case.updated_at = now  # also the key of the cached public pages
    event = case_service.append_event(case, transition=name, from_state=case.state, to_state=case.state,
                              actor=actor, role=role, reason=reason, inputs=inputs,
                              public=public, public_labels=EVENTS[name] if public else ("", ""),
                              now=now)
    db.session.flush()
    return event


def _staff_role(actor: User, case: Case) -> str:
    roles = actor.roles_in(case.organisation_id)
    return next((r for r in ("coordinator", "official", "admin") if r in roles), "official")


def _notify(case: Case, text: str) -> None:
    """An in-app notice and an email (through the outbox) to the challenger."""
    applicant = db.session.get(User, case.applicant_id) if case.applicant_id else None
    if applicant is None or not applicant.is_active:
        return
    path = case_service.case_path(case)
    url = current_app.config["BASE_URL"] + path
    db.session.add(Notification(user_id=applicant.id, case_id=case.id, text=text[:300],
                                url=path))
    with force_locale(applicant.locale or "nl"):
        body = "\n".join([_("Beste %(name)s,", name=applicant.name), "", text, "",
                          _("Bekijk uw zaak: %(url)s", url=url), "",
                          _("Met vriendelijke groet,"), case.organisation.name])
        action = (_("Bekijk uw zaak"), url)
    mail.queue_email(applicant.email, text[:200], body, org=case.organisation,
                     language=applicant.locale or "nl", action=action)


# --------------------------------------------------------------------------- the agreement

@dataclass(frozen=True)
class ResultLine:
    title: str
    target_date: date | None


@dataclass(frozen=True)
class InstalmentLine:
    amount: str
    planned_on: date | None
    condition: str   # result numbers, '1, 2'


_DRAFT_MESSAGES = {
    ("task", "required"): ("task", "Beschrijf de taak."),
    ("budget", "required"): ("budget", "Geef het budget in euro's, bijvoorbeeld 12.500,00."),
    ("start_date", "required"): ("start_date", "Geef de startdatum."),
    ("end_date", "required"): ("end_date", "Geef de einddatum."),
    ("end_date", "before_start"): ("end_date", "De einddatum moet na de startdatum liggen."),
    ("evaluation_date", "required"): ("evaluation_date", "Geef de datum van de evaluatie."),
    ("evaluation_date", "before_start"): ("evaluation_date",
                                          "De evaluatie moet na de startdatum liggen."),
    ("results", "required"): ("results", "Geef minstens één resultaat met een streefdatum."),
    ("instalments", "over_budget"): ("instalments",
                                     "De termijnen zijn samen hoger dan het budget."),
}


def _draft_message(field: str, code: str) -> tuple[str, str]:
    if (field, code) in _DRAFT_MESSAGES:
        name, text = _DRAFT_MESSAGES[(field, code)]
        return name, _(text)
    kind, _sep, index = field.partition("-")
    number = int(index) + 1
    if kind == "results":
        return f"results-{index}-target_date", (
            _("Geef een streefdatum voor resultaat %(n)s.", n=number) if code ==
            "target_date_required" else
            _("De streefdatum van resultaat %(n)s ligt voor de startdatum.", n=number))
    text = {"amount_required": _("Geef het bedrag van termijn %(n)s.", n=number),
            "planned_on_required": _("Geef de geplande datum van termijn %(n)s.", n=number),
            "unknown_result": _("Termijn %(n)s noemt een resultaat dat niet bestaat. Geef de "
                                "nummers van de resultaten, bijvoorbeeld 1, 2.", n=number)}[code]
    return f"instalments-{index}-" + ("planned_on" if code == "planned_on_required" else
                                      "condition" if code == "unknown_result" else "amount"), text


def draft_agreement(case: Case, *, actor: User, task: str, scope: str, budget: str,
                    budget_line: str, start_date: date | None, end_date: date | None,
                    evaluation_date: date | None, results: Sequence[ResultLine],
                    instalments: Sequence[InstalmentLine], contact_persons: str,
                    document: FileStorage | None, now: datetime) -> AgreementVersion:
    """A new version of the agreement. Results are numbered 1, 2, ... (their key r1, r2 stays
    across versions, so reports keep their result); a condition names result numbers."""
    if case.state not in DRAFTING_STATES:
        raise CaseworkInvalid({"form": _("De overeenkomst wordt opgesteld na de toekenning, "
                                         "in de fase ‘Overeenkomst wordt opgesteld’.")})
    errors: dict[str, str] = {}
    budget_cents = rules.parse_cents(budget)
    if budget.strip() and budget_cents is None:
        errors["budget"] = _("Geef het budget in euro's, bijvoorbeeld 12.500,00.")
    result_rules = [rules.Result(f"r{i + 1}", line.title.strip(), line.target_date)
                    for i, line in enumerate(results) if line.title.strip()]
    instalment_rules = []
    for i, line in enumerate(instalments):
        if not (line.amount.strip() or line.planned_on or line.condition.strip()):
            continue
        cents = rules.parse_cents(line.amount)
        if cents is None:
            errors[f"instalments-{i}-amount"] = _("Geef het bedrag van termijn %(n)s in "
                                                  "euro's.", n=i + 1)
            continue
        numbers = [part.strip() for part in line.condition.replace(";", ",").split(",")
                   if part.strip()]
        if not all(n.isascii() and n.isdecimal() and len(n) < 4 for n in numbers):
            errors[f"instalments-{i}-condition"] = _(
                "Geef de nummers van de resultaten, bijvoorbeeld 1, 2.")
            continue
        instalment_rules.append((i, rules.Instalment(
            f"t{i + 1}", cents, line.planned_on, tuple(f"r{int(n)}" for n in numbers))))
    draft = rules.Draft(task=task, budget_cents=budget_cents, start_date=start_date,
                        end_date=end_date, evaluation_date=evaluation_date,
                        results=tuple(result_rules),
                        instalments=tuple(inst for _i, inst in instalment_rules))
    for field, code in rules.draft_problems(draft).items():
        kind, _sep, index = field.partition("-")
        if index:  # the problem's index counts the filled lines; the form counts all lines
            filled = ([i for i, line in enumerate(results) if line.title.strip()] if kind ==
                      "results" else [i for i, _inst in instalment_rules])
            field = f"{kind}-{filled[int(index)]}"
        name, message = _draft_message(field, code)
        errors.setdefault(name, message)
    if errors:
        raise CaseworkInvalid(errors)
    assert budget_cents is not None and start_date and end_date and evaluation_date
    versions = versions_of(case)
    previous = versions[-1] if versions else None
    document_id = previous.document_id if previous else None
    if document is not None and document.filename:
        try:
            stored = attachments.store_upload(case, document, uploader=actor, purpose="agreement")
        except attachments.UploadRejected as exc:
            raise CaseworkInvalid({"document": exc.message_nl}) from exc
        document_id = stored.id
    version = AgreementVersion(
        case_id=case.id, version=rules.next_version(_states(versions)), task=task.strip(),
        scope=scope.strip(), budget_cents=budget_cents, budget_line=budget_line.strip()[:60],
        start_date=start_date, end_date=end_date, evaluation_date=evaluation_date,
        results=[{"key": r.key, "title": r.title[:300],
                  "target_date": r.target_date.isoformat() if r.target_date else None}
                 for r in result_rules],
        instalments=[{"key": i.key, "amount_cents": i.amount_cents,
                      "planned_on": i.planned_on.isoformat() if i.planned_on else None,
                      "condition": list(i.condition)} for _n, i in instalment_rules],
        contact_persons=contact_persons.strip(), document_id=document_id,
        created_by_id=actor.id, created_at=now)
    db.session.add(version)
    db.session.flush()
    _event(case, "overeenkomst_versie", actor=actor, role=_staff_role(actor, case),
           reason=_("Versie %(n)s van de overeenkomst", n=version.version),
           inputs={"version": version.version, "agreement_version_id": version.id}, now=now)
    _notify(case, _("%(number)s: versie %(n)s van de overeenkomst staat klaar. Lees haar en "
                    "geef uw akkoord.", number=case.number or case.title, n=version.version))
    return version


def agree(case: Case, *, actor: User, version: int, now: datetime) -> AgreementVersion:
    """The challenger agrees to `version`, which must be the latest and not yet agreed."""
    versions = versions_of(case)
    refusal = rules.agreement_refusal(_states(versions), version)
    if refusal:
        raise CaseworkInvalid({"form": {
            "no_agreement": _("Er is nog geen overeenkomst."),
            "not_latest": _("Er is intussen een nieuwe versie van de overeenkomst. Lees die "
                            "eerst."),
            "already_agreed": _("U heeft al ingestemd met deze versie."),
        }[refusal]})
    chosen = next(v for v in versions if v.version == version)
    chosen.agreed_at = now
    chosen.agreed_by_id = actor.id
    _event(case, "overeenkomst_akkoord", actor=actor, role="applicant",
           reason=_("Akkoord met versie %(n)s", n=version),
           inputs={"version": version, "agreement_version_id": chosen.id}, now=now)
    return chosen


# --------------------------------------------------------------------------- progress

def report_progress(case: Case, *, actor: User, result_key: str, status: str, text: str,
                    spent: str, files: Sequence[FileStorage], now: datetime) -> ProgressReport:
    """The challenger's report on one result of the agreed agreement."""
    if case.state not in REPORTING_STATES:
        raise CaseworkInvalid({"form": _("U meldt voortgang zodra de uitvoering is begonnen.")})
    agreed = agreed_version(case)
    if agreed is None:
        raise CaseworkInvalid({"form": _("Er is geen overeenkomst waarmee u heeft "
                                         "ingestemd.")})
    errors: dict[str, str] = {}
    if result_key not in {r.key for r in results_of(agreed)}:
        errors["result_key"] = _("Kies een resultaat uit de lijst.")
    if status not in rules.REPORT_STATUSES:
        errors["status"] = _("Kies hoe ver het resultaat is.")
    if not text.strip():
        errors["text"] = _("Schrijf wat er is gedaan.")
    spent_cents = rules.parse_cents(spent) if spent.strip() else None
    if spent.strip() and spent_cents is None:
        errors["spent"] = _("Geef een bedrag in euro's, bijvoorbeeld 1.250,00.")
    if errors:
        raise CaseworkInvalid(errors)
    stored = []
    for upload in files:
        if upload is None or not upload.filename:
            continue
        try:
            stored.append(attachments.store_upload(case, upload, uploader=actor,
                                                   purpose="progress"))
        except attachments.UploadRejected as exc:
            raise CaseworkInvalid({"files": exc.message_nl}) from exc
    report = ProgressReport(case_id=case.id, result_key=result_key, status=status,
                            text=text.strip(), spent_cents=spent_cents,
                            attachment_ids=[a.id for a in stored], author_id=actor.id,
                            created_at=now, review=rules.REVIEW_PENDING)
    db.session.add(report)
    db.session.flush()
    _event(case, "voortgang_gemeld", actor=actor, role="applicant",
           reason=_("Voortgang over resultaat %(n)s", n=result_key.lstrip("r")),
           inputs={"report": report.id, "result": result_key, "status": status}, now=now)
    return report


def review_report(case: Case, report: ProgressReport, *, actor: User, decision: str,
                  note: str, now: datetime) -> ProgressReport:
    """Accept the report, or ask for more (with a message to the challenger)."""
    problem = rules.review_problem(report.review, decision)
    if problem == "already_reviewed":
        raise CaseworkInvalid({"form": _("Dit verslag is al beoordeeld.")})
    if problem:
        raise CaseworkInvalid({"decision": _("Kies: accepteren of meer vragen.")})
    if decision == rules.REVIEW_MORE and not note.strip():
        raise CaseworkInvalid({"note": _("Schrijf wat er nog nodig is.")})
    report.review = decision
    report.review_note = note.strip()
    report.reviewed_by_id = actor.id
    report.reviewed_at = now
    number = report.result_key.lstrip("r")
    body = (_("Uw verslag over resultaat %(n)s is geaccepteerd.", n=number)
            if decision == rules.REVIEW_ACCEPTED else
            _("Wij hebben meer nodig bij uw verslag over resultaat %(n)s.", n=number))
    if note.strip():
        body += "\n\n" + note.strip()
    case_service.send_message(case, author=actor, body=body, now=now)
    _event(case, "voortgang_beoordeeld", actor=actor, role=_staff_role(actor, case),
           reason=body, inputs={"report": report.id, "review": decision}, now=now)
    return report


# --------------------------------------------------------------------------- instalments

def release_instalment(case: Case, *, actor: User, key: str, now: datetime) -> InstalmentRelease:
    agreed = agreed_version(case)
    versions = versions_of(case)
    latest = versions[-1] if versions else None
    instalment = next((i for i in instalments_of(latest) if i.key == key), None) \
        if latest else None
    if latest is None or instalment is None:
        raise CaseworkInvalid({"form": _("Deze termijn staat niet in de overeenkomst.")})
    check = rules.release_check(
        instalment, accepted=rules.accepted_results(as_rule_reports(reports_of(case))),
        released=frozenset(r.instalment_key for r in releases_of(case)),
        agreed=agreed is not None)
    if not check.allowed:
        missing = ", ".join(k.lstrip("r") for k in check.missing)
        raise CaseworkInvalid({"form": {
            "not_agreed": _("De uitdager heeft nog niet ingestemd met de laatste versie van "
                            "de overeenkomst."),
            "already_released": _("Deze termijn is al vrijgegeven."),
            "condition_not_met": _("Deze termijn kan pas als resultaat %(numbers)s is "
                                   "geaccepteerd.", numbers=missing),
        }[check.reason]})
    assert agreed is not None
    release = InstalmentRelease(case_id=case.id, agreement_version_id=agreed.id,
                                instalment_key=key, amount_cents=instalment.amount_cents,
                                released_on=dutch_date(now), released_by_id=actor.id,
                                created_at=now)
    db.session.add(release)
    db.session.flush()
    _event(case, "termijn_vrijgegeven", actor=actor, role=_staff_role(actor, case),
           reason=_("Termijn %(n)s: %(amount)s", n=key.lstrip("t"),
                    amount=rules.format_cents(instalment.amount_cents)),
           inputs={"instalment": key, "amount_cents": instalment.amount_cents}, now=now,
           public=True)
    _notify(case, _("%(number)s: termijn %(n)s (%(amount)s) is vrijgegeven voor betaling.",
                    number=case.number or case.title, n=key.lstrip("t"),
                    amount=rules.format_cents(instalment.amount_cents)))
    return release


# --------------------------------------------------------------------------- evaluation

def can_evaluate(case: Case, today: date) -> bool:
    """From the evaluation date on, or once the procedure is in its evaluation phase."""
    if case.state == "evaluatie":
        return True
    agreed = agreed_version(case)
    return (case.state in REPORTING_STATES and agreed is not None
            and rules.evaluation_due(agreed.evaluation_date, today))


def save_evaluation(case: Case, *, actor: User, party: str, results_delivered: str,
                    own_cost: str, cost_comparison: str, quality: str, to_continue: str,
                    now: datetime) -> Evaluation:
    if not can_evaluate(case, dutch_date(now)):
        raise CaseworkInvalid({"form": _("De evaluatie kan vanaf de evaluatiedatum in de "
                                         "overeenkomst.")})
    errors: dict[str, str] = {}
    if results_delivered not in rules.DELIVERED_ANSWERS:
        errors["results_delivered"] = _("Kies of de resultaten zijn geleverd.")
    own_cost_cents = rules.parse_cents(own_cost) if own_cost.strip() else None
    if own_cost.strip() and own_cost_cents is None:
        errors["own_cost"] = _("Geef een bedrag in euro's, bijvoorbeeld 20.000,00.")
    if not quality.strip():
        errors["quality"] = _("Schrijf iets over de kwaliteit.")
    if errors:
        raise CaseworkInvalid(errors)
    evaluation = evaluations_of(case).get(party) or Evaluation(case_id=case.id, party=party,
                                                               created_at=now)
    evaluation.results_delivered = results_delivered
    evaluation.own_cost_cents = own_cost_cents
    evaluation.cost_comparison = cost_comparison.strip()
    evaluation.quality = quality.strip()
    evaluation.to_continue = to_continue.strip()
    evaluation.author_id = actor.id
    evaluation.updated_at = now
    db.session.add(evaluation)
    db.session.flush()
    _event(case, "evaluatie_ingevuld", actor=actor,
           role="applicant" if party == "applicant" else _staff_role(actor, case),
           reason="", inputs={"party": party}, now=now)
    return evaluation


def decide_evaluation(case: Case, *, actor: User, outcome: str, reasons: str,
                      public_summary: str, decided_on: date | None,
                      now: datetime) -> EvaluationOutcome:
    """The outcome of the evaluation, with reasons; its summary goes on the public page."""
    if outcome_of(case) is not None:
        raise CaseworkInvalid({"form": _("De uitkomst van de evaluatie is al vastgelegd.")})
    if "official" not in evaluations_of(case):
        raise CaseworkInvalid({"form": _("Vul eerst de evaluatie van de gemeente in.")})
    messages = {"outcome": _("Kies een uitkomst."),
                "reasons": _("Schrijf op waarom."),
                "public_summary": _("Schrijf een samenvatting voor de openbare pagina, zonder "
                                    "namen of andere persoonsgegevens.")}
    errors = {field: messages[field]
              for field in rules.outcome_problem(outcome, reasons, public_summary)}
    if decided_on is None:
        errors["decided_on"] = _("Geef de datum van het besluit.")
    if errors:
        raise CaseworkInvalid(errors)
    assert decided_on is not None
    record = EvaluationOutcome(case_id=case.id, outcome=outcome, reasons=reasons.strip(),
                               public_summary=public_summary.strip(), decided_on=decided_on,
                               decided_by_id=actor.id, created_at=now)
    db.session.add(record)
    # The outcome is a decision of the executive (Awb 1:3) with its own letter, like the grant.
    decision = case_service.record_decision(
        case, actor=actor, deciding_body=case_service.default_deciding_body(case.organisation),
        decided_on=decided_on, outcome=grounds.EVALUATION_DECISION[outcome],
        reasons=reasons.strip(), now=now)
    try:
        letter = case_service.attach_letter(case, decision, actor=actor, now=now)
    except wf.MissingInputs as exc:
        raise CaseworkInvalid(dict(exc.errors)) from exc
    step = _event(case, "evaluatie_besluit", actor=actor, role=_staff_role(actor, case),
                  reason=reasons.strip(),
                  inputs={"outcome": outcome, "decision": decision.id, **letter},
                  now=now, public=True)
    case_service.record_letter_sent(case, step, actor=actor, now=now)
    decision.published_at = now  # the evaluation's public summary is published too
    db.session.flush()
    transparency.sequence(now)
    _notify(case, _("%(number)s: de uitkomst van de evaluatie is vastgelegd.",
                    number=case.number or case.title))
    return record


# --------------------------------------------------------------------------- what pages show

@dataclass(frozen=True)
class ResultView:
    key: str
    number: str
    title: str
    target_date: date | None
    status: str
    overdue: bool


@dataclass(frozen=True)
class InstalmentView:
    key: str
    number: str
    amount_cents: int
    planned_on: date | None
    condition: tuple[str, ...]     # result numbers
    released_on: date | None
    releasable: bool


@dataclass
class Overview:
    versions: list[AgreementVersion]
    latest: AgreementVersion | None
    agreed: AgreementVersion | None
    results: list[ResultView]
    instalments: list[InstalmentView]
    reports: list[ProgressReport]
    evaluations: dict[str, Evaluation]
    outcome: EvaluationOutcome | None
    can_evaluate: bool

    @property
    def released_cents(self) -> int:
        return sum(i.amount_cents for i in self.instalments if i.released_on)

    @property
    def spent_cents(self) -> int:
        return sum(r.spent_cents or 0 for r in self.reports)

    @property
    def last_agreed(self) -> AgreementVersion | None:
        """The latest version the challenger agreed to (a newer draft may wait)."""
        return next((v for v in reversed(self.versions) if v.agreed_at is not None), None)

    @property
    def waiting_for_agreement(self) -> bool:
        return self.latest is not None and self.latest.agreed_at is None


def overview(case: Case, today: date, *, public: bool = False) -> Overview:
    """The agreement as both sides and the public see it (what each may see is up to the
    template); six statements. The public sees the results and instalments of the version the
    challenger agreed to, not a newer draft."""
    versions = versions_of(case)
    if not versions:  # nothing drawn up yet: one statement
        return Overview(versions=[], latest=None, agreed=None, results=[], instalments=[],
                        reports=[], evaluations={}, outcome=None, can_evaluate=False)
    latest = versions[-1]
    number = rules.agreed_version(_states(versions))
    agreed = next((v for v in versions if v.version == number), None)
    reports = reports_of(case)
    rule_reports = as_rule_reports(reports)
    accepted = rules.accepted_results(rule_reports)
    releases = {r.instalment_key: r for r in releases_of(case)}
    last_agreed = next((v for v in reversed(versions) if v.agreed_at is not None), None)
    source = last_agreed if public and last_agreed is not None else latest
    results = [ResultView(r.key, r.key.lstrip("r"), r.title, r.target_date,
                          rules.result_status(r.key, rule_reports),
                          rules.is_overdue(r, accepted, today))
               for r in results_of(source)]
    instalments = [InstalmentView(
        i.key, i.key.lstrip("t"), i.amount_cents, i.planned_on,
        tuple(k.lstrip("r") for k in i.condition),
        releases[i.key].released_on if i.key in releases else None,
        rules.release_check(i, accepted=accepted, released=frozenset(releases),
                            agreed=agreed is not None).allowed)
        for i in instalments_of(source)]
    evaluable = case.state == "evaluatie" or (
        case.state in REPORTING_STATES and agreed is not None
        and rules.evaluation_due(agreed.evaluation_date, today))
    return Overview(versions=versions, latest=latest, agreed=agreed, results=results,
                    instalments=instalments, reports=reports, evaluations=evaluations_of(case),
                    outcome=outcome_of(case), can_evaluate=evaluable)
