"""python -m bench [--db sqlite,postgresql] [--sizes 1000,10000,100000] [--page-cache on,off]

For each database and size: seed a scratch database with `flask seed-scale` (SQLite files are
cached per size under bench/out/; PostgreSQL databases are created and dropped), start
gunicorn (2 sync workers, production settings) on a free loopback port, once with the page
cache for anonymous visitors as shipped and once with it off (PAGE_CACHE_SECONDS=0: every
request renders), warm up, and run wrk against each target for a fixed time. Writes
bench/results.json and prints Markdown tables.

Everything stays on 127.0.0.1 and every load run stops by itself after --duration seconds.
A target whose page does not exist (404) is skipped and reported as such.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import html
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "latency.lua"
VENV_BIN = Path(sys.executable).parent
USER_AGENT = "participation-bench/1"
SEED_PASSWORD = "seed-wachtwoord-2026"  # participation.devdata.scale.SEED_PASSWORD


@dataclass(frozen=True)
class Target:
    name: str
    path: str  # may contain {org} and {case}
    auth: bool = False
    page: bool = True  # an HTML page: also measure its weight
    user: str = "official"  # whose session a logged-in target uses (official or griffie)
    # "pages", "searches" or "cases": every request a different URL of that kind
    varied: str = ""

    def url_path(self, org: str, case: int | None, deep: int = 200, draft: int | None = None
                 ) -> str:
        return self.path.format(org=org, case=case if case is not None else 0, deep=deep,
                                draft=draft if draft is not None else 0)


TARGETS = (
    Target("floor /healthz", "/healthz", page=False),
    Target("organisation home", "/{org}/"),
    Target("register", "/{org}/register"),
    Target("register search", "/{org}/register?q=speeltuin&type=uitdaagrecht"),
    # Page 200, or the deepest full page where the organisation has fewer (1,000 cases: 6).
    Target("register deep page", "/{org}/register?page={deep}"),
    Target("case page", "/{org}/register/{case}"),
    Target("register, varied pages", "/{org}/register", varied="pages"),
    Target("register, varied searches", "/{org}/register", varied="searches"),
    Target("case pages, varied", "/{org}/register/{case}", varied="cases"),
    Target("work queue", "/{org}/werkbak/", auth=True),
    Target("official's case page", "/{org}/werkbak/zaken/{case}", auth=True),
    # The first step of a request the official started (a draft made through the real form).
    Target("filing step", "/{org}/uitdaagrecht/{draft}/stap/1", auth=True),
    Target("council desk", "/{org}/griffie/", auth=True, user="griffie"),
    Target("statistics", "/{org}/statistieken"),
    Target("council's monitor", "/{org}/monitor"),
    Target("monitor, organisations compared", "/monitor?jaar=alle"),
    Target("Atom feed", "/feeds/{org}/besluiten.atom", page=False),
    Target("API list", "/api/v1/zaken", page=False),
)
FLOOR = TARGETS[0].name


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- machine

def machine_info(pg_admin_url: str | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "uname": subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": importlib.metadata.version("gunicorn"),
        "flask": importlib.metadata.version("flask"),
        "sqlalchemy": importlib.metadata.version("sqlalchemy"),
        "wrk": _wrk_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if pg_admin_url:
        try:
            info["postgresql"] = _pg_scalar(pg_admin_url, "SELECT version()")
        except Exception as exc:  # reported, not fatal: the SQLite runs still make sense
            info["postgresql"] = f"unavailable: {exc}"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""


# --------------------------------------------------------------------------- databases

def _engine(url: str):
    from sqlalchemy import create_engine

    from participation.config import database_url

    return create_engine(database_url(url), isolation_level="AUTOCOMMIT")


def _pg_scalar(url: str, sql: str):
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def schema_fingerprint() -> str:
    """Changes when a model or the seeding code changes, so a cached SQLite file is redone."""
    import participation.models  # noqa: F401  (registers the tables)
    from participation.extensions import db

    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        digest.update(table.name.encode())
        for column in table.columns:
            digest.update(f"{column.name}:{column.type}".encode())
    for source in ("participation/devdata/scale.py", "participation/search.py"):
        digest.update((ROOT / source).read_bytes())  # seeding code, SQLite search table
    return digest.hexdigest()[:10]


def _run(cmd: list[str], env: dict[str, str], what: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                           f"{done.stderr[-4000:]}")
    return seconds


def _app_env(database_url: str, out: Path, page_cache: str = "on") -> dict[str, str]:
    env = dict(os.environ)
    if page_cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"
    else:
        env.pop("PAGE_CACHE_SECONDS", None)  # the shipped default
    env.update(DATABASE_URL=database_url, APP_ENV="production",
               SECRET_KEY=secrets.token_urlsafe(48), AUDIT_KEY=secrets.token_urlsafe(48),
               TRANSPARENCY_LOG_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
               IDENTITY_HASH_KEY=secrets.token_urlsafe(48),
               RATELIMIT_ENABLED="false",
               MAIL_BACKEND="console", UPLOAD_DIR=str(out / "uploads"))
    return env


CREATE_SCHEMA = ("from participation import create_app\n"
                 "from participation.extensions import db\n"
                 "app = create_app()\n"
                 "with app.app_context():\n    db.create_all()\n")


def seed_database(database_url: str, size: int, seed: int, out: Path) -> float:
    """Create the tables and run seed-scale; returns the seeding time in seconds."""
    env = _app_env(database_url, out)
    _run([sys.executable, "-c", CREATE_SCHEMA], env, "creating the schema")
    return _run([str(VENV_BIN / "flask"), "--app", "wsgi", "seed-scale", "--cases", str(size),
                 "--seed", str(seed), "--no-files"], env, f"seed-scale --cases {size}")


class Database:
    """A seeded scratch database for one size; `close()` drops PostgreSQL databases."""

    def __init__(self, kind: str, size: int, args: argparse.Namespace) -> None:
        self.kind, self.size, self.args = kind, size, args
        self.cached = False
        out: Path = args.out
        if kind == "sqlite":
            path = out / f"seed-{size}-s{args.seed}-{schema_fingerprint()}.sqlite"
            meta = path.with_suffix(".json")
            self.url = f"sqlite:///{path}"
            if path.exists() and meta.exists() and not args.reseed:
                self.cached = True
                self.seed_seconds = json.loads(meta.read_text())["seed_seconds"]
                return
            for stale in out.glob(f"seed-{size}-s{args.seed}-*"):  # older schema or seeding code
                stale.unlink()
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            log(f"  seeding SQLite with {size:,} cases ...")
            self.seed_seconds = seed_database(f"sqlite:///{partial}", size, args.seed, out)
            partial.rename(path)
            meta.write_text(json.dumps({"seed_seconds": self.seed_seconds, "size": size}))
        else:
            from sqlalchemy.engine import make_url

            from participation.config import database_url

            self.name = f"bench_{size}_{os.getpid()}"
            _pg_scalar(args.pg_url, f'CREATE DATABASE "{self.name}"')
            self.url = make_url(database_url(args.pg_url)).set(database=self.name) \
                .render_as_string(hide_password=False)
            log(f"  seeding PostgreSQL database {self.name} with {size:,} cases ...")
            try:
                self.seed_seconds = seed_database(self.url, size, args.seed, out)
            except Exception:
                self.close()
                raise

    def scalar(self, sql: str, **params):
        from sqlalchemy import text

        engine = _engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def close(self) -> None:
        if self.kind == "postgresql" and not self.args.keep_db:
            _pg_scalar(self.args.pg_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database_url: str, out: Path, label: str, page_cache: str = "on") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.pidfile = out / f"gunicorn-{label}.pid"
        self.logfile = out / f"gunicorn-{label}.log"
        env = _app_env(database_url, out, page_cache)
        env["BASE_URL"] = self.base
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{self.port}",
             "--pid", str(self.pidfile), "--chdir", str(ROOT), "--log-level", "warning",
             "wsgi:app"], env=env, cwd=ROOT, stdout=self.logfile.open("w"),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logfile}")
            try:
                if fetch(self.base + "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz in 30 s; see {self.logfile}")

    def memory(self, field: str = "VmRSS") -> dict[str, Any]:
        """Resident memory of the gunicorn master and each worker, in MiB (from /proc);
        `field="VmHWM"` gives each process's peak so far."""
        def rss(pid: int) -> float | None:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field + ":"):
                        return round(int(line.split()[1]) / 1024, 1)
            except OSError:
                return None
            return None

        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            children = []
        workers = [m for m in (rss(int(pid)) for pid in children) if m is not None]
        master_mib = rss(master)
        return {"master_mib": master_mib, "workers_mib": workers,
                "total_mib": round((master_mib or 0) + sum(workers), 1)}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.pidfile.unlink(missing_ok=True)


# --------------------------------------------------------------------------- HTTP

@dataclass
class Response:
    status: int
    headers: Any
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, cookie: str = "", data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode()
                                     if data is not None else None)
    request.add_header("User-Agent", USER_AGENT)
    if cookie:
        request.add_header("Cookie", cookie)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=30) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc.read())


def _cookies(headers, jar: dict[str, str]) -> dict[str, str]:
    # Handled by hand: production cookies are Secure, and http.cookiejar would not send a
    # Secure cookie back over plain http to 127.0.0.1.
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login(base: str, email: str, password: str) -> str:
    """Log in through the real form (CSRF token included); returns the Cookie header."""
    page = fetch(base + "/account/inloggen")
    jar = _cookies(page.headers, {})
    token = _csrf_token(page.body)
    if page.status != 200 or token is None:
        raise RuntimeError(f"login page: status {page.status}, csrf token found: {bool(token)}")
    done = fetch(base + "/account/inloggen", cookie=_cookie_header(jar),
                 data={"csrf_token": token, "email": email, "password": password, "next": ""})
    if done.status not in (302, 303):
        raise RuntimeError(f"login failed: status {done.status}")
    return _cookie_header(_cookies(done.headers, jar))


def _csrf_token(body: bytes) -> str | None:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', body)
    return html.unescape(match.group(1).decode()) if match else None


def start_draft(base: str, org: str, cookie: str) -> int:
    """Start an uitdaagrecht request through the form; returns the draft's id."""
    page = fetch(f"{base}/{org}/uitdaagrecht/nieuw", cookie=cookie)
    token = _csrf_token(page.body)
    if page.status != 200 or token is None:
        raise RuntimeError(f"filing form: status {page.status}")
    # The token lives in the session the form page sent back.
    jar = _cookies(page.headers, dict(part.split("=", 1) for part in cookie.split("; ")))
    done = fetch(f"{base}/{org}/uitdaagrecht/nieuw", cookie=_cookie_header(jar),
                 data={"csrf_token": token})
    found = re.search(r"/uitdaagrecht/(\d+)/stap/1", done.headers.get("Location") or "")
    if done.status not in (302, 303) or not found:
        raise RuntimeError(f"starting a draft: status {done.status}")
    return int(found.group(1))


# --------------------------------------------------------------------------- wrk

_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_LATENCY_TABLE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


SEARCH_TERMS = ("speeltuin", "groen", "buurt", "onderhoud", "park", "bankjes", "verlichting",
                "school", "sport", "water", "zwerfafval", "bomen", "fiets", "markt", "cultuur")


def variant_paths(target: Target, org: str, deep: int, case_ids: list[int]) -> list[str]:
    """The URLs a varied target picks from: register pages 1..deep, searches with and
    without a type, or the organisation's public case pages."""
    if target.varied == "pages":
        return [f"/{org}/register?page={n}" for n in range(1, deep + 1)]
    if target.varied == "searches":
        return [f"/{org}/register?q={term}" + (f"&type={kind}" if kind else "")
                for term in SEARCH_TERMS for kind in ("", "uitdaagrecht", "burgerinitiatief")]
    if target.varied == "cases":
        return [f"/{org}/register/{case}" for case in case_ids]
    return []


def wrk(url: str, *, seconds: float, connections: int, threads: int, cookie: str,
        paths: list[str] | None = None) -> dict:
    env = dict(os.environ, BENCH_COOKIE=cookie, BENCH_USER_AGENT=USER_AGENT,
               BENCH_PATHS=" ".join(paths or []))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--latency", "--timeout", "10s", "-s", str(LUA), url]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          timeout=seconds + 60)
    line = _BENCH_LINE.search(done.stdout)
    if done.returncode != 0 or not line:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    values = {k: float(v) for k, v in (pair.split("=") for pair in line.group(1).split())}
    table = {f"wrk_p{p}_ms": round(float(v) * _UNIT[u], 3)
             for p, v, u in _LATENCY_TABLE.findall(done.stdout)}
    non_2xx = _NON_2XX.search(done.stdout)
    errors = sum(values[k] for k in ("connect_errors", "read_errors", "write_errors",
                                     "timeouts"))
    return {
        "requests": int(values["requests"]),
        "rps": round(values["requests"] / (values["duration_us"] / 1e6), 1),
        "p50_ms": round(values["p50_us"] / 1000, 3),
        "p90_ms": round(values["p90_us"] / 1000, 3),
        "p95_ms": round(values["p95_us"] / 1000, 3),
        "p99_ms": round(values["p99_us"] / 1000, 3),
        "max_ms": round(values["max_us"] / 1000, 3),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": int(errors),
        **table,
    }


# --------------------------------------------------------------------------- page weight

_ASSET = re.compile(rb'<(?:link[^>]*\brel="stylesheet"[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"')


def page_weight(base: str, path: str, cookie: str, cache: dict[str, tuple[int, int]]) -> dict:
    """Bytes as sent to a browser that accepts brotli and gzip: the HTML and every
    same-origin CSS/JS it links (WhiteNoise sends precompressed copies, Flask-Compress the
    pages), and how many requests that is; raw sizes beside them."""
    accept = {"Accept-Encoding": "br, gzip"}
    page = fetch(base + path, cookie=cookie, headers=accept)
    body = _decoded(page)
    assets = []
    for raw in dict.fromkeys(_ASSET.findall(body)):
        href = html.unescape(raw.decode())
        parsed = urllib.parse.urlsplit(urllib.parse.urljoin(base + path, href))
        if f"{parsed.scheme}://{parsed.netloc}" != base:
            continue
        asset_path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if asset_path not in cache:
            sent = fetch(base + asset_path, headers=accept)
            cache[asset_path] = (len(_decoded(sent)), len(sent.body))
        assets.append({"path": asset_path, "bytes": cache[asset_path][0],
                       "sent": cache[asset_path][1]})
    return {"html_bytes": len(body), "html_sent": len(page.body), "assets": assets,
            "requests": 1 + len(assets),
            "total_bytes": len(body) + sum(a["bytes"] for a in assets),
            "total_sent": len(page.body) + sum(a["sent"] for a in assets)}


def _decoded(response: Response) -> bytes:
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "br":
        import brotli

        return brotli.decompress(response.body)
    return gzip.decompress(response.body) if encoding == "gzip" else response.body


# --------------------------------------------------------------------------- one run

def bench_one(kind: str, size: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One seeded database, one server run per page-cache mode."""
    log(f"== {kind}, {size:,} cases")
    database = Database(kind, size, args)
    runs = []
    try:
        org = database.scalar("SELECT slug FROM organisations WHERE tier = 'gemeente' "
                              "ORDER BY id LIMIT 1")
        public = database.scalar("SELECT COUNT(*) FROM cases c JOIN organisations o "
                                 "ON o.id = c.organisation_id WHERE o.slug = :org "
                                 "AND c.is_public", org=org) or 0
        case = database.scalar("SELECT c.id FROM cases c JOIN organisations o ON "
                               "o.id = c.organisation_id WHERE o.slug = :org AND c.is_public "
                               "ORDER BY c.id LIMIT 1 OFFSET :n", org=org, n=public // 2)
        deep = max(1, min(200, public // 25))  # the deepest full page, at most 200
        # Up to 500 public cases spread over the organisation, for the varied case pages.
        step = max(1, public // 500)
        case_ids = [database.scalar(
            "SELECT c.id FROM cases c JOIN organisations o ON o.id = c.organisation_id "
            "WHERE o.slug = :org AND c.is_public ORDER BY c.id LIMIT 1 OFFSET :n",
            org=org, n=n) for n in range(0, public, step)][:500]
        for mode in args.page_cache_modes:
            runs.append(_serve_and_measure(database, kind, size, mode, org, case, public, deep,
                                           args, case_ids=case_ids))
    finally:
        database.close()
    return runs


def _serve_and_measure(database: Database, kind: str, size: int, mode: str, org: str,
                       case: int | None, public: int, deep: int,
                       args: argparse.Namespace, *, case_ids: list[int]) -> dict[str, Any]:
    log(f"   page cache {mode}")
    run: dict[str, Any] = {"db": kind, "size": size, "page_cache": mode,
                           "seed_seconds": round(database.seed_seconds, 1),
                           "seed_cached": database.cached, "targets": {},
                           "org": org, "case_id": case, "public_cases_in_org": public,
                           "deep_page": deep,
                           # Other work on the machine skews every figure: record it.
                           "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    server = None
    try:
        server = Server(database.url, args.out, f"{kind}-{size}-{mode}", mode)
        # An official and a griffie member: no second factor to answer (coordinators and
        # admins must have one).
        cookies: dict[str, str] = {}
        for user in ("official", "griffie"):
            try:
                cookies[user] = login(server.base, f"{user}1@{org}.example", SEED_PASSWORD)
            except RuntimeError as exc:
                run[f"login_error_{user}"] = str(exc)
        cookie = cookies.get("official", "")
        draft = None
        if cookie:
            try:
                draft = start_draft(server.base, org, cookie)
            except RuntimeError as exc:
                run["draft_error"] = str(exc)
        # One warm-up pass over everything (code paths, SQLite page cache, PG buffers).
        wrk(server.base + "/healthz", seconds=args.warmup, connections=args.connections,
            threads=args.threads, cookie="")
        assets: dict[str, tuple[int, int]] = {}
        for target in TARGETS:
            path = target.url_path(org, case, deep, draft)
            result: dict[str, Any] = {"path": path}
            run["targets"][target.name] = result
            target_cookie = cookies.get(target.user, "") if target.auth else ""
            if target.auth and not target_cookie:
                result.update(status="skipped", reason="could not log in")
                continue
            started = time.perf_counter()
            probe = fetch(server.base + path, cookie=target_cookie)
            result["http_status"] = probe.status
            result["single_request_ms"] = round((time.perf_counter() - started) * 1000, 1)
            if probe.status == 404:
                result.update(status="skipped", reason="page does not exist yet (404)")
                log(f"  {target.name:20} skipped: 404")
                continue
            if probe.status != 200:
                result.update(status="skipped", reason=f"HTTP {probe.status}, not 200")
                log(f"  {target.name:20} skipped: HTTP {probe.status}")
                continue
            auth_cookie = target_cookie
            paths = variant_paths(target, org, deep, [c for c in case_ids if c])
            if paths:
                result["varied_urls"] = len(paths)
            wrk(server.base + path, seconds=args.warmup, connections=args.connections,
                threads=args.threads, cookie=auth_cookie, paths=paths)
            result.update(status="ok", **wrk(server.base + path, seconds=args.duration,
                                             connections=args.connections,
                                             threads=args.threads, cookie=auth_cookie,
                                             paths=paths))
            if target.page and not target.varied:
                result["weight"] = page_weight(server.base, path, auth_cookie, assets)
            log(f"  {target.name:20} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                f"p95 {result['p95_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms")
        run["export"] = measure_export(server)
        if mode == args.page_cache_modes[0] and size == min(args.size_list) and args.lighthouse:
            run["lighthouse"] = lighthouse_scores(server.base, org, case, cookie)
    finally:
        run["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        if server:
            run["memory"] = server.memory()  # after every target has been loaded
            server.stop()
    floor = run["targets"].get(FLOOR, {})
    for result in run["targets"].values():
        if result.get("requests") == 0:
            result.update(status="no_completions", reason=(
                f"no request finished within the {args.duration:g} s run"))
        elif result.get("status") == "ok" and floor.get("status") == "ok":
            result["p50_vs_floor"] = round(result["p50_ms"] / floor["p50_ms"], 2)
            result["p95_vs_floor"] = round(result["p95_ms"] / floor["p95_ms"], 2)
            result["rps_vs_floor"] = round(result["rps"] / floor["rps"], 3)
    return run


def measure_export(server: Server) -> dict[str, Any]:
    """The CSV of every public case of every organisation, streamed: how long it takes, how
    many rows and bytes, and how far the workers' peak memory rose while it ran."""
    peak_before = server.memory("VmHWM")
    started = time.perf_counter()
    response = fetch(server.base + "/open-data/verzoeken.csv")
    seconds = time.perf_counter() - started
    peak_after = server.memory("VmHWM")
    rise = max((after - before for before, after in
                zip(peak_before["workers_mib"], peak_after["workers_mib"])), default=None)
    result = {"status": response.status, "seconds": round(seconds, 2),
              "rows": max(response.body.count(b"\n") - 1, 0), "bytes": len(response.body),
              "worker_peak_rise_mib": round(rise, 1) if rise is not None else None}
    log(f"  {'export (all orgs)':20} {result['seconds']:.2f} s  {result['rows']} rows  "
        f"peak +{result['worker_peak_rise_mib']} MiB")
    return result


LIGHTHOUSE = BENCH / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")


def lighthouse_scores(base: str, org: str, case: int | None, cookie: str) -> dict[str, Any]:
    """Lighthouse (npm, pinned in bench/lighthouse) with Debian's Chromium and its default
    mobile settings (simulated slow 4G and CPU): performance and accessibility of the register,
    a case page, the filing form and the work queue (the last two logged in)."""
    if not LIGHTHOUSE.exists():
        return {"status": "skipped", "reason": "run: npm ci --prefix bench/lighthouse"}
    pages = {"register": (f"/{org}/register", ""), "case page": (f"/{org}/register/{case}", ""),
             "filing form": (f"/{org}/uitdaagrecht/nieuw", cookie),
             "work queue": (f"/{org}/werkbak/", cookie)}
    scores: dict[str, Any] = {}
    for name, (path, page_cookie) in pages.items():
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        cmd = [str(LIGHTHOUSE), base + path, "--chrome-path=/usr/bin/chromium",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance,accessibility",
               "--output=json", f"--output-path={out}", "--quiet"]
        if page_cookie:
            cmd.append("--extra-headers=" + json.dumps({"Cookie": page_cookie}))
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        try:
            report = json.loads(out.read_text())
            audits = report["audits"]
            scores[name] = {
                "performance": round(report["categories"]["performance"]["score"] * 100),
                "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
                "first_contentful_paint_ms": round(audits["first-contentful-paint"]["numericValue"]),
                "largest_contentful_paint_ms": round(
                    audits["largest-contentful-paint"]["numericValue"]),
                "total_blocking_time_ms": round(audits["total-blocking-time"]["numericValue"]),
                # Where it ended: a logged-in page that sent Lighthouse to the login form
                # would be measuring the wrong page.
                "final_path": urllib.parse.urlsplit(report.get("finalDisplayedUrl", "")).path}
        except (OSError, ValueError, KeyError, TypeError):
            scores[name] = {"status": "failed", "reason": done.stderr[-500:]}
        finally:
            out.unlink(missing_ok=True)
        log(f"  lighthouse {name:14} {scores[name]}")
    return scores


def rps_changes(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per database and target: change in req/s from the smallest to the largest size."""
    changes = []
    groups = dict.fromkeys((r["db"], r.get("page_cache", "off")) for r in runs)
    for kind, mode in groups:
        mine = sorted((r for r in runs if r["db"] == kind and r.get("page_cache", "off") == mode),
                      key=lambda r: r["size"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        for name, result in large["targets"].items():
            before = small["targets"].get(name, {})
            if result.get("status") == "ok" and before.get("status") == "ok":
                changes.append({"db": kind, "page_cache": mode, "target": name,
                                "from_size": small["size"],
                                "to_size": large["size"], "rps_from": before["rps"],
                                "rps_to": result["rps"],
                                "change_pct": round(100 * (result["rps"] / before["rps"] - 1), 1)})
    return changes


# --------------------------------------------------------------------------- report

def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    s = results["settings"]
    lines = [f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs; `{m['uname']}`",
             f"Python {m['python']}, SQLite {m['sqlite']}, {m.get('postgresql', 'PostgreSQL not used')}; "
             f"gunicorn {m['gunicorn']} (-w 2 -k sync), {m['wrk']}",
             f"Load: `wrk -t{s['threads']} -c{s['connections']} -d{s['duration']}s --latency` "
             f"per target after a {s['warmup']} s warm-up; client and server share the CPUs.",
             "", "| db | cases | page cache | seeding s | load average before → after "
             "| memory after the run (master + 2 workers) |", "|---|---:|---|---:|---|---|"]
    for run in results["runs"]:
        seed = f"{run['seed_seconds']}" + (" (cached)" if run["seed_cached"] else "")
        before, after = run.get("loadavg_before", ["?"]), run.get("loadavg_after", ["?"])
        memory = run.get("memory") or {}
        used = (f"{memory['total_mib']:.0f} MiB ({memory['master_mib']:.0f} + "
                + " + ".join(f"{w:.0f}" for w in memory["workers_mib"]) + ")") if memory else "–"
        lines.append(f"| {run['db']} | {run['size']:,} | {run.get('page_cache', 'off')} | {seed} "
                     f"| {before[0]} → {after[0]} | {used} |")
    lines += ["", "| db | cases | page cache | target | req/s | p50 ms | p95 ms | p99 ms "
              "| p50 × floor | req/s ÷ floor |",
              "|---|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for run in results["runs"]:
        mode = run.get("page_cache", "off")
        for name, r in run["targets"].items():
            if r.get("status") == "ok" and r.get("requests") == 0:  # results of older runs
                r = dict(r, status="no_completions",
                         reason=f"no request finished within the {s['duration']:g} s run")
            if r.get("status") != "ok":
                label = "skipped" if r.get("status") == "skipped" else "too slow"
                single = (f"; one request alone: {r['single_request_ms']:,.0f} ms"
                          if r.get("single_request_ms") else "")
                lines.append(f"| {run['db']} | {run['size']:,} | {mode} | {name} "
                             f"| {label}: {r.get('reason')}{single} | | | | | |")
                continue
            flag = f" ({r['non_2xx']} non-2xx)" if r["non_2xx"] else ""
            lines.append(f"| {run['db']} | {run['size']:,} | {mode} | {name} | {r['rps']:,.0f}{flag} "
                         f"| {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['p99_ms']:.2f} "
                         f"| {r.get('p50_vs_floor', '')} | {r.get('rps_vs_floor', '')} |")
    if results["rps_changes"]:
        lines += ["", "| db | page cache | target | req/s change | from → to |",
                  "|---|---|---|---:|---|"]
        for c in results["rps_changes"]:
            lines.append(f"| {c['db']} | {c.get('page_cache', 'off')} | {c['target']} "
                         f"| {c['change_pct']:+.1f} % "
                         f"| {c['rps_from']:,.0f} at {c['from_size']:,} → "
                         f"{c['rps_to']:,.0f} at {c['to_size']:,} |")
    audited = [run for run in results["runs"] if isinstance(run.get("lighthouse"), dict)
               and "status" not in run["lighthouse"]]
    if audited:
        lines += ["", "| db | page | Lighthouse performance | accessibility | first paint "
                  "| largest paint | blocking time |", "|---|---|---:|---:|---:|---:|---:|"]
        for run in audited:
            for page, r in run["lighthouse"].items():
                if "performance" in r:
                    lines.append(f"| {run['db']} | {page} | {r['performance']} "
                                 f"| {r['accessibility']} | {r['first_contentful_paint_ms']} ms "
                                 f"| {r['largest_contentful_paint_ms']} ms "
                                 f"| {r['total_blocking_time_ms']} ms |")
    exports = [run for run in results["runs"] if run.get("export")]
    if exports:
        lines += ["", "| db | cases | page cache | CSV of every case: seconds | rows | bytes "
                  "| worker peak memory rise |", "|---|---:|---|---:|---:|---:|---:|"]
        for run in exports:
            e = run["export"]
            lines.append(f"| {run['db']} | {run['size']:,} | {run.get('page_cache', 'off')} "
                         f"| {e['seconds']} | {e['rows']:,} | {e['bytes']:,} "
                         f"| {e['worker_peak_rise_mib']} MiB |")
    weights = {}
    for run in results["runs"]:
        for name, r in run["targets"].items():
            if "weight" in r and name not in weights:
                weights[name] = r["weight"]
    if weights:
        lines += ["", "| page | HTML bytes | HTML as sent | requests | total bytes "
                  "| total as sent (br/gzip) |", "|---|---:|---:|---:|---:|---:|"]
        for name, w in weights.items():
            if "total_sent" not in w:  # results of older runs (gzip computed here)
                continue
            lines.append(f"| {name} | {w['html_bytes']:,} | {w['html_sent']:,} | {w['requests']} "
                         f"| {w['total_bytes']:,} | {w['total_sent']:,} |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated numbers of cases (default 1000,10000,100000)")
    parser.add_argument("--page-cache", default="on,off",
                        help="comma-separated: on (as shipped), off (every request renders)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=1, help="warm-up seconds per target")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument("--results", type=Path, default=BENCH / "results.json")
    parser.add_argument("--reseed", action="store_true", help="ignore cached SQLite files")
    parser.add_argument("--keep-db", action="store_true", help="do not drop PostgreSQL databases")
    parser.add_argument("--no-lighthouse", dest="lighthouse", action="store_false",
                        help="skip the Lighthouse scores (bench/lighthouse, npm)")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="JSON",
                        help="no runs: combine earlier results files into --results")
    args = parser.parse_args(argv)
    args.dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    unknown = set(args.dbs) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.page_cache_modes = [m.strip() for m in args.page_cache.split(",") if m.strip()]
    if not args.page_cache_modes or set(args.page_cache_modes) - {"on", "off"}:
        parser.error("--page-cache takes on, off or on,off")
    return args


def merge(files: list[Path], target: Path) -> dict[str, Any]:
    """Combine results of separate invocations (e.g. one per database) into one file."""
    parts = [json.loads(f.read_text()) for f in files]
    results = {"machine": parts[0]["machine"], "settings": parts[0]["settings"],
               "runs": [run for part in parts for run in part["runs"]]}
    versions = [p["machine"].get("postgresql") for p in parts if p["machine"].get("postgresql")]
    if versions:
        results["machine"]["postgresql"] = versions[0]
    results["rps_changes"] = rps_changes(results["runs"])
    target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.merge:
        print(markdown(merge(args.merge, args.results)))
        return 0
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    results: dict[str, Any] = {
        "machine": machine_info(args.pg_url if "postgresql" in args.dbs else None),
        "settings": {"duration": args.duration, "warmup": args.warmup,
                     "connections": args.connections, "threads": args.threads,
                     "seed": args.seed, "gunicorn": "-w 2 -k sync",
                     "app_env": "production, RATELIMIT_ENABLED=false",
                     "page_cache": args.page_cache_modes},
        "runs": [], "rps_changes": [],
    }
    for kind in args.dbs:
        for size in args.size_list:
            results["runs"].extend(bench_one(kind, size, args))
            results["rps_changes"] = rps_changes(results["runs"])
            args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
