"""Uploaded documents: checked by content, stored outside the web root under a random name.

`store_upload` never trusts the browser: neither the file name's extension nor the declared
content type decides what a file is, only its first bytes (and, for office documents, the
inside of the ZIP container). Everything else, HTML and SVG included, is refused.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from participation.domain.errors import Refusal
from participation.extensions import db
from participation.models import Attachment, Case, User

CHUNK = 64 * 1024
MAX_FILENAME = 200

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_TYPES = (PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX)
# What a resident is told is allowed (shown as a hint next to every file field).
ALLOWED_DESCRIPTION = "PDF, ODT, ODS, DOCX, XLSX, JPG, PNG"

# OOXML main parts: the macro-enabled variants (docm, xlsm) have other types and are refused.
_OOXML_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


class UploadRejected(Refusal):
    """The upload is not stored; `message_nl` says why, for the field's error message."""


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_MB", 10)) * 1024 * 1024


def clean_filename(raw: str | None) -> str:
    """The name shown to people: no directories, no control or format characters, ≤ 200."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name or "bijlage"


# An office document is a ZIP: what a reader unpacks must stay near what was uploaded.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Unpack every member as a reader would, counting, and stop at the limit: the sizes in
    the ZIP's directory are the sender's claim, so they are not trusted."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRejected(_("Dit document bestaat uit te veel onderdelen. Sla het opnieuw "
                               "op als gewoon document en probeer het nog eens."))
    total = 0
    for member in members:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > MAX_UNPACKED_BYTES:
                    raise UploadRejected(_(
                        "Dit document wordt bij het openen groter dan %(mb)s MB. Verklein de "
                        "afbeeldingen erin of sla het op als PDF en probeer het opnieuw.",
                        mb=MAX_UNPACKED_BYTES // (1024 * 1024)))


def _zip_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_unpacked_size(archive)
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > 1024 * 1024:
                    return None
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                for content_type, main in _OOXML_MAIN.items():
                    if main in types:
                        return content_type
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff_content_type(path: Path) -> str | None:
    """The allowed type the file's content shows it to be, or None."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    return None


def _copy_limited(source: BinaryIO, target: BinaryIO, limit: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise UploadRejected(_("Het bestand is groter dan %(mb)s MB. Maak het bestand kleiner "
                                   "en probeer het opnieuw.",
                                   mb=current_app.config.get("MAX_UPLOAD_MB", 10)))
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def store_upload(case: Case, file_storage: FileStorage, *, uploader: User | None, purpose: str,
                 public: bool = False) -> Attachment:
    """Check and store one uploaded file for `case`; raises UploadRejected with the reason.

    The file is written before the row; should the caller's transaction roll back, an
    unreferenced file stays behind under a random name and is never served.
    """
    if file_storage is None or not file_storage.filename:
        raise UploadRejected(_("Kies een bestand."))
    directory = upload_dir()
    stored_name = secrets.token_hex(16)
    final = directory / stored_name
    partial = directory / (stored_name + ".part")
    try:
        with partial.open("wb") as target:
            size, sha256 = _copy_limited(file_storage.stream, target, max_upload_bytes())
        if size == 0:
            raise UploadRejected(_("Het bestand is leeg. Kies een ander bestand."))
        content_type = sniff_content_type(partial)
        if content_type is None:
            raise UploadRejected(_("Dit soort bestand kunnen we niet aannemen. Stuur een %(types)s "
                                   "bestand.", types=ALLOWED_DESCRIPTION))
        os.replace(partial, final)
    finally:
        if partial.exists():
            partial.unlink()
    _remember(stored_name)
    attachment = Attachment(case_id=case.id, uploaded_by_id=uploader.id if uploader else None,
                            purpose=purpose[:30], filename=clean_filename(file_storage.filename),
                            stored_name=stored_name, content_type=content_type, size=size,
                            sha256=sha256, public=public)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def store_bytes(case: Case, data: bytes, *, filename: str, content_type: str,
                uploader: User | None, purpose: str) -> Attachment:
    """Store a file the platform made itself (a generated letter), like an upload."""
    directory = upload_dir()
    stored_name = secrets.token_hex(16)
    partial = directory / (stored_name + ".part")
    partial.write_bytes(data)
    os.replace(partial, directory / stored_name)
    _remember(stored_name)
    attachment = Attachment(case_id=case.id, uploaded_by_id=uploader.id if uploader else None,
                            purpose=purpose[:30], filename=clean_filename(filename),
                            stored_name=stored_name, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), public=False)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _remember(stored_name: str) -> None:
    """Note a file written in this request: if its row is not committed, it goes again."""
    if has_request_context():
        g.setdefault("new_files", []).append(stored_name)


def remove_orphans(_exc: BaseException | None = None) -> None:
    """After a request (teardown): delete the files it wrote whose row did not make it into
    the database (a refused step, a rollback), so a refused upload cannot fill the disk."""
    names = g.pop("new_files", None)
    if not names:
        return
    db.session.rollback()  # whatever was not committed is gone anyway
    kept = set(db.session.scalars(select(Attachment.stored_name)
                                  .where(Attachment.stored_name.in_(names))))
    delete_files([name for name in names if name not in kept])


def attachment_path(attachment: Attachment) -> Path:
    # stored_name is ours (32 hex characters), never the uploader's name.
    return upload_dir() / attachment.stored_name


def open_attachment(attachment: Attachment) -> BinaryIO:
    return attachment_path(attachment).open("rb")


def delete_files(stored_names: list[str]) -> None:
    """Remove stored files; call after the commit that deleted their rows."""
    for name in stored_names:
        if len(name) == 32 and all(ch in "0123456789abcdef" for ch in name):
            try:
                (upload_dir() / name).unlink()
            except FileNotFoundError:
                pass
