"""Signing decision letters (PAdES) with the organisation's own certificate, by pyHanko.

The admin uploads a PKCS#12 file; its password never enters the database or a form: it comes
from the environment, ``LETTER_SIGNING_PASSWORD_<SLUG>`` (the organisation's slug in capitals,
dashes as underscores) or else ``LETTER_SIGNING_PASSWORD``. Without a certificate, or without
its password, letters go out unsigned. With one, each letter is signed PAdES with the
certificate chain and the revocation data that can be found embedded (B-LT); whether the
platform may fetch OCSP/CRL data over the network is ``LETTER_SIGNING_FETCH_REVOCATION``.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from participation.domain.errors import Refusal
from participation.models import Organisation, User

MAX_PKCS12_BYTES = 100 * 1024


class CertificateRefused(Refusal):
    """An uploaded certificate that cannot be used; the message says why."""


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_after: datetime


def certificate_path(org: Organisation) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "signing" / f"{org.id}.p12"


def password_variable(org: Organisation) -> str:
    return "LETTER_SIGNING_PASSWORD_" + org.slug.upper().replace("-", "_")


def _password(org: Organisation) -> bytes | None:
    value = os.environ.get(password_variable(org)) or os.environ.get("LETTER_SIGNING_PASSWORD")
    return value.encode("utf-8") if value else None


def _load(data: bytes, password: bytes | None):
    from pyhanko.sign import signers

    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)


def _info(signer) -> CertificateInfo:
    cert = signer.signing_cert
    return CertificateInfo(subject=cert.subject.human_friendly, issuer=cert.issuer.human_friendly,
                           not_after=cert["tbs_certificate"]["validity"]["not_after"].native)


def store_certificate(org: Organisation, data: bytes, *, actor: User | None,
                      now: datetime) -> CertificateInfo:
    """Check the PKCS#12 file with the password from the environment, then keep it."""
    if not data or len(data) > MAX_PKCS12_BYTES:
        raise CertificateRefused(_("Kies een PKCS#12-bestand (.p12 of .pfx) van hoogstens "
                                   "100 kB."))
    password = _password(org)
    if password is None:
        raise CertificateRefused(_("Het wachtwoord van het certificaat staat niet in de "
                                   "omgeving van de server. Zet het in %(name)s en probeer het "
                                   "opnieuw.", name=password_variable(org)))
    try:
        signer = _load(data, password)
    except (ValueError, TypeError) as exc:
        raise CertificateRefused(_("Dit bestand kon niet worden geopend als PKCS#12-certificaat "
                                   "met het wachtwoord uit de omgeving.")) from exc
    info = _info(signer)
    if info.not_after <= now.astimezone(UTC):
        raise CertificateRefused(_("Dit certificaat is verlopen op %(date)s.",
                                   date=info.not_after.strftime("%d-%m-%Y")))
    path = certificate_path(org)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    current_app.logger.info("signing certificate of %s replaced by user %s: %s", org.slug,
                            actor.id if actor else "-", info.subject)
    return info


def remove_certificate(org: Organisation) -> bool:
    path = certificate_path(org)
    if not path.is_file():
        return False
    path.unlink()
    return True


def signer_for(org: Organisation):
    """The organisation's signer, or None (no certificate, no password, or unreadable)."""
    path = certificate_path(org)
    password = _password(org)
    if not path.is_file() or password is None:
        return None
    try:
        return _load(path.read_bytes(), password)
    except (ValueError, TypeError):
        current_app.logger.warning("signing certificate of %s cannot be opened", org.slug)
        return None


def certificate_info(org: Organisation) -> CertificateInfo | None:
    signer = signer_for(org)
    return _info(signer) if signer is not None else None


def sign(pdf: bytes, signer, *, org: Organisation, reason: str) -> bytes:
    """A PAdES signature over the whole letter, with the chain and revocation data embedded."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator import ValidationContext

    chain = list(signer.cert_registry)
    context = ValidationContext(
        trust_roots=[c for c in chain if c.self_signed] or None, other_certs=chain,
        allow_fetching=bool(current_app.config.get("LETTER_SIGNING_FETCH_REVOCATION", True)),
        revocation_mode="soft-fail")
    meta = signers.PdfSignatureMetadata(
        field_name="Besluit", subfilter=SigSeedSubFilter.PADES, reason=reason,
        location=org.name, embed_validation_info=True, validation_context=context)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return run_coroutine(lambda: signers.async_sign_pdf(writer, meta, signer=signer)).getvalue()


def run_coroutine(make_coroutine):
    """pyHanko signs with asyncio. Where this thread already runs an event loop (a worker
    class with its own loop, Playwright in the test process), asyncio.run() is not allowed
    there, so the signature is made on a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    context = contextvars.copy_context()  # the app context goes along to the thread
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, lambda: asyncio.run(make_coroutine())).result()
