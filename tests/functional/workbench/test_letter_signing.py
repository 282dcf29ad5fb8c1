"""Signed decision letters: with the organisation's PKCS#12 certificate (password from the
environment) every letter is signed PAdES with the chain embedded, and the signature validates
against the CA; without a certificate the letter is unsigned. The CA is made in the test."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pikepdf
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from participation.extensions import db
from participation.models import Attachment
from participation.services import attachments, signing
from tests.functional.workbench.test_decision_letters import TO_DECISION
from tests.functional.workbench.test_decision_letters import decide as decide_in_workbench

PASSWORD = "correct horse battery staple"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gemeente Zonnedal"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(*, expired: bool = False):
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Test-CA Zonnedal"))
          .issuer_name(_name("Test-CA Zonnedal")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    end = now - timedelta(days=1) if expired else now + timedelta(days=365)
    leaf = (x509.CertificateBuilder().subject_name(_name("Besluiten Gemeente Zonnedal"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=10)).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        b"besluiten", key, leaf, [ca],
        serialization.BestAvailableEncryption(PASSWORD.encode()))
    return p12, asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))


def validate(signature, ca):
    # Through the app's own runner: Playwright keeps an event loop running in this process.
    return signing.run_coroutine(lambda: async_validate_pdf_signature(signature, ValidationContext(
        trust_roots=[ca], allow_fetching=False, revocation_mode="soft-fail")))


@pytest.fixture()
def signing_env(app, org, monkeypatch):
    monkeypatch.setenv("LETTER_SIGNING_PASSWORD_ZONNEDAL", PASSWORD)
    monkeypatch.setitem(app.config, "LETTER_SIGNING_FETCH_REVOCATION", False)
    yield
    signing.remove_certificate(org)  # the upload folder outlives the test's database rows


def decide(client, login, official, case):
    letter = decide_in_workbench(client, login, official, case)
    path = attachments.attachment_path(db.session.get(Attachment, letter.attachment_id))
    return letter, path.read_bytes()


def test_a_letter_is_signed_with_the_organisations_certificate_and_validates(
        client, login, official, org, case_at, signing_env):
    p12, ca = make_pki()
    signing.store_certificate(org, p12, actor=None, now=datetime.now(UTC))
    letter, pdf = decide(client, login, official, case_at(TO_DECISION))
    assert letter.signed
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate(signature, ca)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert "/DSS" in opened.Root  # validation data embedded (B-LT)
        with opened.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3"


def test_without_a_certificate_the_letter_is_unsigned(client, login, official, case_at,
                                                      signing_env):
    letter, pdf = decide(client, login, official, case_at(TO_DECISION))
    assert not letter.signed
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []


@pytest.mark.parametrize(("case", "message"), [
    ("wrong password", "kon niet worden geopend"),
    ("expired", "verlopen"),
    ("not pkcs12", "kon niet worden geopend"),
    ("no password", "LETTER_SIGNING_PASSWORD_ZONNEDAL"),
])
def test_a_certificate_that_cannot_be_used_is_refused(org, signing_env, monkeypatch, case,
                                                      message):
    p12, _ca = make_pki(expired=case == "expired")
    if case == "wrong password":
        monkeypatch.setenv("LETTER_SIGNING_PASSWORD_ZONNEDAL", "iets anders")
    if case == "no password":
        monkeypatch.delenv("LETTER_SIGNING_PASSWORD_ZONNEDAL")
        monkeypatch.delenv("LETTER_SIGNING_PASSWORD", raising=False)
    data = b"%PDF-1.7 not a certificate" if case == "not pkcs12" else p12
    with pytest.raises(signing.CertificateRefused) as refused:
        signing.store_certificate(org, data, actor=None, now=datetime.now(UTC))
    assert message in refused.value.message_nl
    assert not signing.certificate_path(org).exists()


def test_the_admin_uploads_the_certificate_and_sees_who_signs(client, login, create_user, org,
                                                             signing_env):
    admin = create_user(org=org, role="admin")
    login(admin)
    page = client.get("/zonnedal/beheer/brieven").get_data(as_text=True)
    assert "Er is geen certificaat." in page and "LETTER_SIGNING_PASSWORD_ZONNEDAL" in page
    p12, _ca = make_pki()
    response = client.post("/zonnedal/beheer/brieven/certificaat",
                           data={"certificate": (io.BytesIO(p12), "besluiten.p12")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get("/zonnedal/beheer/brieven").get_data(as_text=True)
    assert "Besluiten Gemeente Zonnedal" in page and "Test-CA Zonnedal" in page
    response = client.post("/zonnedal/beheer/brieven/certificaat",
                           data={"certificate": (io.BytesIO(b"rommel"), "x.p12")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "kon niet worden geopend" in response.get_data(as_text=True)
    assert "Besluiten Gemeente Zonnedal" in signing.certificate_info(org).subject  # kept
    assert client.post("/zonnedal/beheer/brieven/certificaat/verwijderen").status_code == 303
    assert "Er is geen certificaat." in client.get("/zonnedal/beheer/brieven").get_data(
        as_text=True)


def test_signing_works_in_a_thread_that_runs_an_event_loop(app_ctx, org, signing_env):
    # pyHanko uses asyncio.run(), which a running loop (Playwright, an async worker) forbids.
    from participation.services import letters

    p12, ca = make_pki()
    signing.store_certificate(org, p12, actor=None, now=datetime.now(UTC))
    pdf = letters.render_pdf("<!doctype html><html lang='nl'><title>t</title><p>Besluit.</p>",
                             css=letters.letter_css(org, "nl"))

    async def inside_a_loop() -> bytes:
        return signing.sign(pdf, signing.signer_for(org), org=org, reason="test")

    signed = signing.run_coroutine(inside_a_loop)  # a loop runs while signing inside it
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate(signature, ca)
    assert status.intact and status.valid
