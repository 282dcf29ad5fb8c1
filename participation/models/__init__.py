"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""
from participation.models.agreements import (
    AgreementVersion,
    Evaluation,
    EvaluationOutcome,
    InstalmentRelease,
    ProgressReport,
)
from participation.models.audit import AuditEvent
from participation.models.cases import (
    Attachment,
    Case,
    CaseMessage,
    Comment,
    InternalNote,
    Signature,
)
from participation.models.council import AgendaItem, Meeting, Vote
from participation.models.decisions import Decision, DecisionLetter
from participation.models.identity import ExternalIdentity, IdentityProvider
from participation.models.organisations import Membership, Organisation, Role, Task
from participation.models.outbox import Notification, OutboxMessage
from participation.models.templates import LetterTemplate, ResponseTemplate
from participation.models.transparency import LogCheckpoint, LogEntry, LogState
from participation.models.users import AccountEvent, LoginSession, RecoveryCode, User
from participation.models.workflows import WorkflowVersion

__all__ = [
    "AccountEvent", "AgendaItem", "AgreementVersion", "Attachment", "AuditEvent", "Case", "CaseMessage", "Comment", "Decision", "DecisionLetter",
    "Evaluation", "EvaluationOutcome", "ExternalIdentity", "IdentityProvider", "InstalmentRelease", "ProgressReport",
    "InternalNote", "LetterTemplate", "LogCheckpoint", "LogEntry", "LogState", "LoginSession", "Meeting", "Membership", "Notification", "Organisation", "OutboxMessage",
    "RecoveryCode", "ResponseTemplate", "Role", "Signature", "Task", "User", "Vote", "WorkflowVersion",
]
