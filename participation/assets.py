"""Static files and compressed responses, with kept libraries.

WhiteNoise serves `static/` in front of Flask: precompressed brotli and gzip variants (made
by `python -m participation.assets`, which `make install` runs), and content-hashed URLs
(`css/app.3f2a9c1b4d5e.css`) that may be cached for a year as immutable, because a changed
file gets a new URL. `url_for("static", filename=...)` returns the hashed URL, so templates
stay as they are. Flask-Compress compresses HTML, JSON, CSV, Atom and iCalendar responses.
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from participation import security

HASH_LENGTH = 12
_HASHED = re.compile(r"\.[0-9a-f]{%d}(\.[A-Za-z0-9]+)$" % HASH_LENGTH)
_COMPRESSED_SUFFIXES = (".gz", ".br")
COMPRESS_MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/xml",
    "application/json", "application/atom+xml", "application/xml", "application/javascript",
    "image/svg+xml",
]
compress = Compress()


def _files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(_COMPRESSED_SUFFIXES):
            yield path


def hashed_name(relative: str, digest: str) -> str:
    stem, dot, ext = relative.rpartition(".")
    if not dot or "/" in ext:
        return f"{relative}.{digest}"
    return f"{stem}.{digest}.{ext}"


def build_manifest(root: Path) -> dict[str, str]:
    """Relative path -> hashed relative path, for every file under `root`."""
    manifest = {}
    for path in _files(root):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
        relative = path.relative_to(root).as_posix()
        manifest[relative] = hashed_name(relative, digest)
    return manifest


def precompress(root: Path) -> int:
    """Write .br and .gz next to each compressible file that lacks a current one."""
    compressor = Compressor(quiet=True)
    written = 0
    for path in _files(root):
        if not compressor.should_compress(path.name):
            continue
        mtime = path.stat().st_mtime
        variants = [path.with_name(path.name + s) for s in _COMPRESSED_SUFFIXES]
        if all(v.exists() and v.stat().st_mtime >= mtime for v in variants):
            continue
        compressor.compress(str(path))
        written += 1
    return written


class HashedWhiteNoise(WhiteNoise):
    """Serves each file under its plain URL and under its content-hashed URL."""

    def __init__(self, application: Any, *, root: Path, prefix: str,
                 manifest: dict[str, str], add_headers: Any) -> None:
        self.manifest = manifest
        self._by_plain_url = {prefix + plain: prefix + hashed for plain, hashed in manifest.items()}
        super().__init__(application, max_age=3600, add_headers_function=add_headers,
                         immutable_file_test=lambda path, url: bool(_HASHED.search(url)))
        self.add_files(str(root), prefix=prefix)

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)
        hashed = self._by_plain_url.get(url)
        if hashed is not None and url in self.files:
            super().add_file_to_dictionary(hashed, path, stat_cache=stat_cache)


def init_app(app: Flask) -> None:
    root = Path(app.static_folder or "static")
    manifest = build_manifest(root)
    prefix = (app.static_url_path or "/static").rstrip("/") + "/"
    fixed = {"Content-Security-Policy": security.csp_header(),
             **security.strict_headers(hsts=bool(app.config.get("HSTS")))}

    def add_headers(headers, path: str, url: str) -> None:
        for name, value in fixed.items():
            headers[name] = value

    app.wsgi_app = HashedWhiteNoise(app.wsgi_app, root=root, prefix=prefix,  # type: ignore[method-assign]
                                    manifest=manifest, add_headers=add_headers)

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # level 11 costs ~100 ms a page
    compress.init_app(app)


def main() -> None:
    """`make static`: precompress the static files (optionally of another folder)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "static"
    print(f"precompressed {precompress(target)} static file(s) in {target}")
