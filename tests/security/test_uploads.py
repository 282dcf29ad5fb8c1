"""Uploads: the size limit answers 413 with a friendly page, files are judged by their
content, stored under a random name whatever they were called, and handed out as
sandboxed attachments."""
from __future__ import annotations

from pathlib import Path

import pytest

from participation.extensions import db
from participation.models import Attachment
from tests.security.conftest import PDF


def upload_url(world) -> str:
    return f"/{world.a}/uitdaagrecht/{world.ids['challenge']}/bijlagen"


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    # Built by hand: the test client spools large bodies to a file it never closes.
    boundary = "----grens" + "7" * 20
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; "
            f"filename=\"{quoted}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_file(world, name: str, content: bytes, role: str = "owner"):
    body, content_type = multipart(name, content)
    response = world.client(role).post(upload_url(world), data=body, content_type=content_type)
    response.get_data()
    response.close()
    return response


def newest_attachment() -> Attachment:
    db.session.expire_all()
    return db.session.scalars(db.select(Attachment).order_by(Attachment.id.desc())).first()


@pytest.fixture()
def small_limits(app):
    saved = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_MB"]
    app.config.update(MAX_CONTENT_LENGTH=2 * 1024 * 1024, MAX_UPLOAD_MB=1)
    yield
    app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_MB"] = saved


def test_request_over_the_size_limit_gets_a_friendly_413(world, small_limits):
    before = newest_attachment().id
    response = post_file(world, "groot.pdf", PDF + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Het bestand is te groot" in text
    assert "Verklein het bestand en probeer het opnieuw" in text
    assert "Content-Security-Policy" in response.headers
    assert newest_attachment().id == before


def test_file_over_the_upload_limit_is_refused_next_to_the_field(world, small_limits):
    before = newest_attachment().id
    response = post_file(world, "net-te-groot.pdf", PDF + b"0" * (1024 * 1024 + 10))
    assert response.status_code == 422
    assert "Het bestand is groter dan 1 MB" in response.get_data(as_text=True)
    assert newest_attachment().id == before


def test_path_traversal_name_is_stored_under_a_random_name(world, app):
    response = post_file(world, "../../etc/passwd.pdf", PDF)
    assert response.status_code == 303
    attachment = newest_attachment()
    assert attachment.filename == "passwd.pdf"
    assert len(attachment.stored_name) == 32 and all(c in "0123456789abcdef"
                                                     for c in attachment.stored_name)
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    stored = (upload_dir / attachment.stored_name).resolve()
    assert stored.parent == upload_dir and stored.read_bytes() == PDF
    assert not (upload_dir.parent / "etc").exists()


@pytest.mark.parametrize("name, shown", [
    ("rapport\u202efdp.exe.pdf", "rapportfdp.exe.pdf"),  # right-to-left override removed
    ("...verborgen.pdf", "verborgen.pdf"),
    ("<script>alert(1)</script>.pdf", "script>.pdf"),  # the directory part goes; the rest is text
    ("a" * 400 + ".pdf", "a" * 196 + ".pdf"),
])
def test_display_names_are_cleaned(world, name, shown):
    assert post_file(world, name, PDF).status_code == 303
    assert newest_attachment().filename == shown
    page = world.client("owner").get(f"/{world.a}/uitdaagrecht/{world.ids['challenge']}")
    assert "<script>alert(1)" not in page.get_data(as_text=True)


def test_backslash_paths_leave_no_directory(world):
    assert post_file(world, "..\\..\\windows\\win.ini.pdf", PDF).status_code == 303
    name = newest_attachment().filename
    assert "/" not in name and "\\" not in name and name.endswith("win.ini.pdf")


@pytest.mark.parametrize("name, content", [
    ("brief.pdf", b"<html><script>alert(1)</script></html>"),
    ("foto.png", b"GIF89a\x01\x00\x01\x00"),
    ("tekst.pdf", b"gewone tekst, geen pdf"),
    ("leeg.pdf", b""),
    ("archief.docx", b"PK\x03\x04" + b"\x00" * 40),
])
def test_content_decides_the_type_not_the_name(world, name, content):
    before = newest_attachment().id
    response = post_file(world, name, content)
    assert response.status_code == 422, name
    assert newest_attachment().id == before


def test_download_is_an_attachment_with_safe_headers(world):
    response = world.client("owner").get(
        f"/{world.a}/uitdaagrecht/{world.ids['challenge']}/bijlagen/{world.ids['attachment']}")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and body == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "application/pdf"


def test_public_initiative_attachment_is_sandboxed_too(world):
    response = world.client("anonymous").get(
        f"/{world.a}/initiatieven/{world.ids['initiative']}/bijlagen/"
        f"{world.ids['initiative_attachment']}")
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_someone_elses_upload_target_does_not_exist(world):
    for role in ("resident", "official_b"):
        assert post_file(world, "plan.pdf", PDF, role=role).status_code == 404, role


def _docx(extra: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
                         '/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_office_document_that_unpacks_too_large_is_refused_and_a_normal_one_taken(world):
    before = newest_attachment().id
    bomb = _docx({"word/media/image1.png": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # small on the wire, 60 MB once a reader opens it
    response = post_file(world, "plan.docx", bomb)
    assert response.status_code == 422
    assert "groter dan 50 MB" in response.get_data(as_text=True)
    assert newest_attachment().id == before
    many = _docx({f"word/part{i}.xml": b"x" for i in range(2100)})
    response = post_file(world, "veel.docx", many)
    assert response.status_code == 422 and "te veel onderdelen" in response.get_data(as_text=True)
    assert post_file(world, "plan.docx", _docx({})).status_code in (200, 303)
    assert newest_attachment().filename == "plan.docx"


def test_a_file_whose_row_is_not_committed_is_removed_after_the_request(app, world):
    import io

    from flask import g
    from werkzeug.datastructures import FileStorage

    from participation.models import Case
    from participation.services import attachments

    case = db.session.get(Case, world.ids["challenge"])
    with app.test_request_context("/"):
        stored = attachments.store_upload(case, FileStorage(io.BytesIO(PDF), "plan.pdf"),
                                          uploader=None, purpose="bijlage")
        path = attachments.attachment_path(stored)
        assert path.is_file() and g.new_files == [stored.stored_name]
        db.session.rollback()  # the step was refused after the file was written
        attachments.remove_orphans()
        assert not path.exists()
    with app.test_request_context("/"):
        kept = attachments.store_upload(case, FileStorage(io.BytesIO(PDF), "plan.pdf"),
                                        uploader=None, purpose="bijlage")
        db.session.commit()
        attachments.remove_orphans()
        assert attachments.attachment_path(kept).is_file()  # committed: stays
    assert attachments.remove_orphans in app.teardown_request_funcs[None]

