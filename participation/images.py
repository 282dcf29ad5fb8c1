"""Uploaded images are decoded with limits and re-encoded before anyone downloads them.

A PNG of a few kilobytes can claim 30000×30000 pixels and expand to gigabytes in the
browser of every visitor who loads it (a decompression bomb); a file can also carry a script
or metadata behind a valid header. So the header's size is checked before decoding (Pillow
only reads the header on open), the pixels are decoded under Pillow's own bomb limit, and
what is stored is a fresh PNG or JPEG drawn from those pixels, without metadata.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageFile, UnidentifiedImageError

MAX_PIXELS = 4_000_000        # 2000 × 2000: far more than a logo on a header bar needs
MAX_SIDE = 800                # stored logos are scaled down to fit 800 × 800
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own limit, for every decode in the process


class ImageRefused(ValueError):
    """Why an image was refused; `reason` is "not_an_image", "too_large" or "damaged"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated data while decoding an upload. WeasyPrint (decision letters) sets
    Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported, which would let a
    damaged upload through once the first letter has been made."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def reencode(data: bytes, *, formats: tuple[str, ...] = ("PNG", "JPEG")) -> tuple[bytes, str]:
    """Decode `data` within the limits and return (new bytes, "png" or "jpg")."""
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(formats))
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise ImageRefused("too_large")
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("too_large") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused("not_an_image") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageRefused("damaged") from exc
    kind = "png" if image.format == "PNG" else "jpg"
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "png":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue(), kind
