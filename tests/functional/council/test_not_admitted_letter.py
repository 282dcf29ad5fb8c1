"""An initiative the griffie does not admit, with a decision recorded, gets the letter for an
inadmissible request (the preset "niet-ontvankelijk") with the reasons given."""
from __future__ import annotations

import subprocess
from datetime import date

from sqlalchemy import select

from participation.extensions import db
from participation.models import Attachment, DecisionLetter
from participation.models._types import utcnow
from participation.services import attachments
from participation.services import cases as case_service


def test_not_admitting_with_a_decision_sends_the_inadmissible_letter(griffie_setup,
                                                                      make_initiative):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    case_service.fire_transition(
        case, "niet_toelaten", actor=griffie, now=utcnow(),
        inputs={"exclusions": ["X3"], "reason": "Het initiatief gaat over de hoogte van de OZB."},
        decision=case_service.DecisionFields(deciding_body="raad", decided_on=date(2026, 3, 10)))
    db.session.commit()
    letter = db.session.scalar(select(DecisionLetter).where(DecisionLetter.case_id == case.id))
    assert letter.kind == "niet_ontvankelijk"
    path = attachments.attachment_path(db.session.get(Attachment, letter.attachment_id))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   check=True, timeout=30).stdout.decode().split())
    text = text.replace("\u2010 ", "")
    assert "Wij verklaren uw verzoek niet-ontvankelijk." in text
    assert "Het initiatief gaat over de hoogte van de OZB." in text
    assert "Ilse Initiatief" in text and case.number in text
