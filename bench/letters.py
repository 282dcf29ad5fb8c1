"""python -m bench.letters [--samples N]: how long one decision letter takes to make.

Measured in one process on a scratch SQLite database: the WeasyPrint floor (a one-line
PDF/A-3b, tagged: what any letter costs at least), then a two-page refusal letter (the
applicant's version and the public one, as recording a decision makes them), and the same
letter signed PAdES with a certificate made for the run. Reports the median and the 90th
percentile in ms, the page count and the ratio to the floor. `make bench` runs it too.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REASONS = " ".join(["Het plan is zorgvuldig bekeken. De gevraagde taak wordt nu door de "
                    "gemeente uitgevoerd tegen lagere kosten dan de begroting van het verzoek, "
                    "en de kwaliteit is vastgelegd in een contract dat nog twee jaar loopt."] * 9)


def _timed(call, samples: int) -> list[float]:
    call()  # warm-up: fonts, hyphenation dictionaries
    found = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        found.append((time.perf_counter() - start) * 1000)
    return found


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 1),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1)}


def run(samples: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import pikepdf

    from participation import create_app
    from participation.extensions import db
    from participation.services import accounts, letters, organisations, signing
    from participation.services import cases as service

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite",
                          "SECRET_KEY": "bench-secret-key-that-is-long-enough-1234",
                          "UPLOAD_DIR": f"{scratch}/uploads", "MAIL_BACKEND": "outbox-only",
                          "PASSWORD_HASH_CHEAP": True, "SERVER_NAME": None,
                          "LETTER_SIGNING_FETCH_REVOCATION": False})
        with app.app_context():
            db.create_all()
            now = datetime(2026, 11, 2, 9, tzinfo=UTC)
            org = organisations.create_organisation(
                slug="zonnedal", name="Gemeente Zonnedal", tier="gemeente", tooi_code="gm9999",
                email="info@zonnedal.example", address="Postbus 10, 1230 AA Zonnedal")
            resident = accounts.create_user(email="sanne@example.nl", name="Sanne de Vries",
                                            password="bench-wachtwoord-2026", verified_at=now)
            case = service.start_case(org, "uitdaagrecht", applicant=resident,
                                      title="Groenbeheer Parkwijk", now=now, data={
                                          "indiener_naam": "Stichting Groen Parkwijk",
                                          "adres_straat": "Lindelaan 4",
                                          "adres_postcode": "1234 AB", "adres_plaats": "Zonnedal"})
            service.apply_transition(case, "indienen", actor=resident, now=now)
            decision = service.record_decision(
                case, actor=None, deciding_body="college", decided_on=date(2026, 11, 2),
                outcome="afgewezen", reasons=REASONS, refusal_grounds=["R4", "R6", "R9"], now=now)
            db.session.commit()

            floor_css = letters.letter_css(org, "nl")
            floor_html = "<!doctype html><html lang='nl'><title>x</title><p>Besluit.</p></html>"
            floor = _timed(lambda: letters.render_pdf(floor_html, css=floor_css), samples)

            def both():
                letters.render(case, decision, language="nl", public=False,
                               sent_on=date(2026, 11, 2))
                letters.render(case, decision, language="nl", public=True,
                               sent_on=date(2026, 11, 2))

            one = letters.render(case, decision, language="nl", public=False,
                                 sent_on=date(2026, 11, 2))
            with pikepdf.open(io.BytesIO(one.pdf)) as pdf:
                pages = len(pdf.pages)
            private = _timed(lambda: letters.render(case, decision, language="nl", public=False,
                                                    sent_on=date(2026, 11, 2)), samples)
            pair = _timed(both, samples)

            signed: list[float] = []
            try:
                from tests.functional.workbench.test_letter_signing import PASSWORD, make_pki

                p12, _ca = make_pki()
                os.environ["LETTER_SIGNING_PASSWORD_ZONNEDAL"] = PASSWORD
                signing.store_certificate(org, p12, actor=None, now=datetime.now(UTC))
                signer = signing.signer_for(org)
                signed = _timed(lambda: signing.sign(one.pdf, signer, org=org, reason="bench"),
                                samples)
            except ImportError:  # the tests are not on the path: report without signing
                pass
    floor_s = _summary(floor)
    result = {"samples": samples, "pages": pages, "bytes": len(one.pdf),
              "floor_one_line_pdf": floor_s, "letter": _summary(private),
              "letter_and_public_version": _summary(pair)}
    if signed:
        result["signing"] = _summary(signed)
    for key in ("letter", "letter_and_public_version"):
        result[key]["ratio_to_floor"] = round(result[key]["median_ms"] / floor_s["median_ms"], 1)
    return result


def markdown(result: dict[str, Any]) -> str:
    rows = [("floor: one-line PDF/A-3b, tagged", {**result["floor_one_line_pdf"],
                                                   "ratio_to_floor": 1.0}),
            (f"letter, {result['pages']} pages ({result['bytes'] // 1024} kB)", result["letter"]),
            ("letter + public version (what a decision makes)",
             result["letter_and_public_version"])]
    if "signing" in result:
        rows.append(("PAdES signature on the letter", result["signing"]))
    lines = ["| decision letter | median | p90 | × floor |", "|---|---:|---:|---:|"]
    for label, figures in rows:
        ratio = figures.get("ratio_to_floor")
        lines.append(f"| {label} | {figures['median_ms']} ms | {figures['p90_ms']} ms | "
                     f"{ratio if ratio is not None else '—'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.letters")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "letters.json")
    args = parser.parse_args(argv)
    result = run(args.samples)
    args.results.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
