"""Name, contact details, colour (with the contrast check), logo and population numbers."""
from __future__ import annotations

import io
import logging
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from participation.extensions import db
from participation.services.admin import contrast_with_white


def _image(fmt: str, size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(out, format=fmt)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header that claims a huge image, with one tiny compressed row: a few
    hundred bytes that a browser would expand to width × height × 4 bytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width * 3 + 1))) + chunk(b"IEND", b""))


def _stored(app, org) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "logos" / org.logo_path.rsplit("?v=", 1)[1]


PNG = _image("PNG")
JPEG = _image("JPEG")

VALID = {"name": "Gemeente Zonnedal", "email": "info@zonnedal.nl", "phone": "14 0999",
         "address": "Raadhuisplein 1, 9991 AA Zonnedal", "website": "https://www.zonnedal.nl",
         "primary_color": "#01689B", "inhabitants": "42.000", "electorate": "33500"}


def _org(setup):
    db.session.expire_all()
    return db.session.get(type(setup.org), setup.org.id)


@pytest.mark.parametrize("colour, expected", [("#ffffff", 1.0), ("#000000", 21.0),
                                              ("#01689b", 6.08), ("#767676", 4.54)])
def test_contrast_uses_wcag_relative_luminance(colour, expected):
    assert contrast_with_white(colour) == pytest.approx(expected, abs=0.05)


def test_save_branding_and_numbers(client, admin_setup, caplog):
    with caplog.at_level(logging.INFO):
        response = client.post(f"{admin_setup.base}/huisstijl", data=VALID)
    assert response.status_code == 303
    org = _org(admin_setup)
    assert (org.email, org.phone, org.website, org.primary_color) == (
        "info@zonnedal.nl", "14 0999", "https://www.zonnedal.nl", "#01689b")
    assert (org.inhabitants, org.electorate) == (42000, 33500)
    html = client.get(f"{admin_setup.base}/huisstijl").get_data(as_text=True)
    assert "De gegevens en de huisstijl zijn opgeslagen." in html
    assert "Contrast met witte tekst: 6,0 : 1." in html and "Dat is voldoende" in html
    assert 'fill="#01689b"' in html  # the sample drawn with a presentation attribute
    # The public site follows: theme colour and footer contact details.
    assert "--org-primary-color: #01689b" in client.get(
        f"/{org.slug}/theme.css").get_data(as_text=True)
    assert any("anna@zonnedal.nl" in r.getMessage() and "colour #01689b" in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize("colour", ["#ffcc00", "#7a7a7a"])
def test_colour_with_too_little_contrast_for_white_text_is_refused(client, admin_setup, colour):
    before = _org(admin_setup).primary_color
    response = client.post(f"{admin_setup.base}/huisstijl", data={**VALID, "primary_color": colour})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Deze kleur is te licht voor witte tekst" in html
    assert "minstens 4,5 : 1" in html
    assert f'value="{colour}"' in html and 'value="info@zonnedal.nl"' in html
    assert _org(admin_setup).primary_color == before


@pytest.mark.parametrize("colour", ["blue", "#12345", "#gg0000", "01689b"])
def test_colour_must_be_hex_rrggbb(client, admin_setup, colour):
    response = client.post(f"{admin_setup.base}/huisstijl", data={**VALID, "primary_color": colour})
    assert response.status_code == 422
    assert "Vul de kleur in als # met zes tekens" in response.get_data(as_text=True)


def test_other_fields_are_checked(client, admin_setup):
    response = client.post(f"{admin_setup.base}/huisstijl",
                           data={**VALID, "name": "", "email": "geen", "website": "zonnedal",
                                 "inhabitants": "veel"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("Vul de naam van de organisatie in.", "Vul een geldig e-mailadres in",
                    "Vul een volledig webadres in", "Vul het aantal inwoners in als heel getal."):
        assert message in html


def _upload(client, setup, data: bytes, filename: str):
    # The body is built here: for big files the test client's own encoder leaves a
    # temporary file open.
    boundary = "----admin-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"{setup.base}/huisstijl/logo", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("data, media_type", [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_logo_upload_is_served_publicly_with_long_cache(client, admin_setup, app, data,
                                                         media_type):
    response = _upload(client, admin_setup, data, "logo.bin")
    assert response.status_code == 303
    org = _org(admin_setup)
    assert org.logo_path.startswith(f"/{org.slug}/logo?v=")
    stored = _stored(app, org)
    # Re-encoded from its pixels: the same picture, not the same bytes.
    assert Image.open(io.BytesIO(stored.read_bytes())).size == (120, 40)
    # The layout shows it in the header.
    assert f'src="{org.logo_path}"' in client.get(f"/{org.slug}/").get_data(as_text=True)

    client.post("/account/uitloggen")
    served = client.get(org.logo_path)
    assert served.status_code == 200 and served.data == stored.read_bytes()
    assert served.mimetype == media_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "public" in served.headers["Cache-Control"]


def test_new_logo_replaces_the_old_file(client, admin_setup, app):
    _upload(client, admin_setup, PNG, "a.png")
    first = _org(admin_setup).logo_path
    _upload(client, admin_setup, JPEG, "b.jpg")
    second = _org(admin_setup).logo_path
    assert first != second  # a new address, so browsers fetch the new logo
    files = list((Path(app.config["UPLOAD_DIR"]) / "logos").iterdir())
    assert [p.read_bytes() for p in files if p.name in first] == []
    assert Image.open(io.BytesIO(client.get(second).data)).format == "JPEG"


def test_text_file_named_logo_png_is_refused(client, admin_setup):
    response = _upload(client, admin_setup, b"<svg onload=alert(1)>", "logo.png")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Dit bestand is geen PNG- of JPEG-afbeelding." in html
    assert _org(admin_setup).logo_path is None
    assert client.get(f"/{admin_setup.org.slug}/logo").status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    (_png_claiming(30000, 30000), "Dit logo heeft te veel beeldpunten."),
    (_png_claiming(2001, 2000), "Dit logo heeft te veel beeldpunten."),
    (PNG[:60], "Dit bestand is beschadigd of geen echte PNG- of JPEG-afbeelding."),
    (JPEG[:40] + b"\x00" * 50, "Dit bestand is beschadigd of geen echte PNG- of JPEG-afbeelding."),
])
def test_decompression_bombs_and_damaged_images_are_refused(client, admin_setup, app, data,
                                                            message):
    """Found by hostile testing: a 30000×30000 PNG was accepted as the logo every visitor
    downloads."""
    logos = Path(app.config["UPLOAD_DIR"]) / "logos"
    before = set(logos.iterdir()) if logos.exists() else set()
    response = _upload(client, admin_setup, data, "logo.png")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _org(admin_setup).logo_path is None
    assert (set(logos.iterdir()) if logos.exists() else set()) == before  # nothing written


def test_a_large_logo_is_scaled_down(client, admin_setup, app):
    assert _upload(client, admin_setup, _image("PNG", (1600, 400)), "groot.png").status_code == 303
    stored = _stored(app, _org(admin_setup))
    assert Image.open(io.BytesIO(stored.read_bytes())).size == (800, 200)


def test_logo_larger_than_1_mb_is_refused(client, admin_setup):
    response = _upload(client, admin_setup, PNG + b"\x00" * (1024 * 1024), "groot.png")
    assert response.status_code == 422
    assert "Het logo is te groot. Het mag maximaal 1 MB zijn." in response.get_data(as_text=True)
    assert _org(admin_setup).logo_path is None


def test_remove_logo(client, admin_setup):
    _upload(client, admin_setup, PNG, "a.png")
    path = _org(admin_setup).logo_path
    assert client.post(f"{admin_setup.base}/huisstijl/logo/verwijderen").status_code == 303
    assert _org(admin_setup).logo_path is None
    assert client.get(path).status_code == 404


def test_damaged_images_stay_refused_after_a_decision_letter_was_made():
    # WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process on import.
    import weasyprint.images  # noqa: F401
    from PIL import ImageFile

    from participation import images

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(images.ImageRefused) as refused:
        images.reencode(PNG[:60])
    assert refused.value.reason == "damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's own setting is left alone


def test_the_postcode_area_is_checked_and_saved(client, admin_setup):
    response = client.post(f"{admin_setup.base}/huisstijl",
                           data={**VALID, "postcode_areas": "9990-9999, Zonnedal"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "&#39;Zonnedal&#39; is geen postcode of postcodereeks." in html or \
        "'Zonnedal' is geen postcode of postcodereeks." in html
    assert 'value="9990-9999, Zonnedal"' in html  # what was typed stays
    assert _org(admin_setup).postcode_areas == ""
    response = client.post(f"{admin_setup.base}/huisstijl",
                           data={**VALID, "postcode_areas": "9990-9999, 9801"})
    assert response.status_code == 303
    assert _org(admin_setup).postcode_areas == "9990-9999, 9801"
