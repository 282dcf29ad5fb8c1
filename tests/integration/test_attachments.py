"""Attachments: accepted or refused by content (never by name), stored outside the web root
under a random name with a checksum, served only to the applicant and the organisation."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from flask import current_app
from werkzeug.datastructures import FileStorage

from participation.extensions import db
from participation.models import Attachment
from participation.models._types import utcnow
from participation.services import attachments
from participation.services import cases as case_service

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
DOCX = zipped({"[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" ContentType="'
               b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
               b"</Types>", "word/document.xml": b"<w/>"})
DOCM = zipped({"[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.'
               b'document.macroEnabled.main+xml"/></Types>'})
XLSX = zipped({"[Content_Types].xml": b'<Override ContentType="application/vnd.openxmlformats-'
               b'officedocument.spreadsheetml.sheet.main+xml"/>'})


@pytest.fixture()
def case(app_ctx, create_org, create_user):
    org = create_org()
    applicant = create_user()
    case = case_service.start_case(org, "uitdaagrecht", applicant=applicant, now=utcnow())
    db.session.commit()
    return case


def store(case, content: bytes, name: str, **kwargs) -> Attachment:
    upload = FileStorage(stream=io.BytesIO(content), filename=name, content_type="text/html")
    return attachments.store_upload(case, upload, uploader=case.applicant, purpose="bijlage", **kwargs)


@pytest.mark.parametrize(("content", "name", "expected"), [
    (MINIMAL_PDF, "plan.pdf", "application/pdf"),
    (MINIMAL_PDF, "plan.exe", "application/pdf"),  # the content decides, not the name
    (PNG, "foto.png", "image/png"),
    (JPEG, "foto.jpeg", "image/jpeg"),
    (ODT, "plan.odt", attachments.ODT),
    (DOCX, "plan.docx", attachments.DOCX),
    (XLSX, "begroting.xlsx", attachments.XLSX),
])
def test_accepted_by_content(case, content, name, expected):
    attachment = store(case, content, name)
    db.session.commit()
    assert attachment.content_type == expected
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    path = Path(current_app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert path.read_bytes() == content
    assert len(attachment.stored_name) == 32 and name not in attachment.stored_name
    with attachments.open_attachment(attachment) as handle:
        assert handle.read() == content


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "plan.pdf"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.png"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "plan.docx"),
    (b"#!/bin/sh\nrm -rf /\n", "plan.odt"),
    (b"GIF89a\x01\x00\x01\x00", "plaatje.gif"),
    (DOCM, "macro.docx"),
    (zipped({"evil.exe": b"MZ"}), "plan.docx"),
    (b"PK\x03\x04 not really a zip", "plan.xlsx"),
])
def test_refused_by_content_whatever_the_name(case, content, name):
    with pytest.raises(attachments.UploadRejected) as refused:
        store(case, content, name)
    assert "Dit soort bestand kunnen we niet aannemen" in refused.value.message_nl
    assert list(Path(current_app.config["UPLOAD_DIR"]).glob("*.part")) == []


def test_empty_and_missing_files_are_refused(case):
    with pytest.raises(attachments.UploadRejected) as refused:
        store(case, b"", "leeg.pdf")
    assert "leeg" in refused.value.message_nl
    with pytest.raises(attachments.UploadRejected):
        attachments.store_upload(case, FileStorage(stream=io.BytesIO(b"x"), filename=""),
                                 uploader=None, purpose="bijlage")


def test_too_large_is_refused_with_the_limit_in_the_message(case, app):
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        with pytest.raises(attachments.UploadRejected) as refused:
            store(case, MINIMAL_PDF + b"0" * (1024 * 1024), "groot.pdf")
    finally:
        app.config["MAX_UPLOAD_MB"] = 10
    assert "groter dan 1 MB" in refused.value.message_nl
    assert db.session.query(Attachment).count() == 0


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\sanne\\plan.pdf", "plan.pdf"),
    ("plan\x00\x1b[31m.pdf", "plan[31m.pdf"),
    ("\u202eexe.pdf", "exe.pdf"),
    ("...", "bijlage"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
])
def test_display_name_is_cleaned(case, raw, clean):
    assert attachments.clean_filename(raw) == clean
    assert store(case, MINIMAL_PDF, raw).filename == clean
