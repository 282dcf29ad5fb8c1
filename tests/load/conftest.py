"""A PostgreSQL cluster and a Redis of the load tests' own (the machine's are never touched),
with a little data: an organisation, a resident, a coordinator and a submitted case."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from participation import create_app
from participation.extensions import db, limiter
from tests import second_factor as second_factor_helpers
from tests.conftest import PASSWORD
from tests.load.test_concurrency_gunicorn import TOTP_KEY, _free_port

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        self.bin = Path(PG_BIN[-1])
        self.data = folder / "data"
        self.port = _free_port()
        self.log = folder / "postgres.log"
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        subprocess.run([*_as_postgres(), str(self.bin / "initdb"), "-D", str(self.data),
                        "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.data),
                        "-l", str(self.log), "-w", "-t", "30", *args,
                        "-o", (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                               f"-c fsync=off")], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    if not PG_BIN or shutil.which("redis-server") is None:
        pytest.fail("the fault tests need PostgreSQL's server binaries and redis-server")
    # Not under pytest's own temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="faults-postgres-"))
    postgres = PrivatePostgres(folder)
    postgres.pg_ctl("start")
    redis = PrivateRedis()
    redis.start()
    was_enabled = limiter.enabled
    app = create_app({"SQLALCHEMY_DATABASE_URI": postgres.url, "SECRET_KEY": "x" * 40,
                      "TOTP_KEY": TOTP_KEY, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
                      "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "outbox-only",
                      "PASSWORD_HASH_CHEAP": True, "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path_factory.mktemp("faultuploads"))})
    limiter.enabled = was_enabled
    with app.app_context():
        db.create_all()
        from participation.models._types import utcnow
        from participation.services import accounts, cases, organisations

        org = organisations.create_organisation(slug="storingen", name="Gemeente Storingen",
                                                tier="gemeente", tooi_code="gm9902",
                                                inhabitants=20000)
        resident = accounts.create_user(email="inwoner@storingen.example", name="Inwoner",
                                        password=PASSWORD, verified_at=utcnow())
        coordinator = accounts.create_user(email="coordinator@storingen.example",
                                           name="Coördinator", password=PASSWORD,
                                           verified_at=utcnow())
        accounts.grant_role(coordinator, org, "coordinator")
        second_factor_helpers.enrol(coordinator)  # required for a coordinator
        case = cases.start_case(org, "uitdaagrecht", applicant=resident, title="Groen Parkwijk",
                                now=utcnow())
        cases.apply_transition(case, "indienen", actor=resident, now=utcnow())
        db.session.commit()
        postgres.case_id = case.id
        db.session.remove()
        db.engine.dispose()
    try:
        yield postgres, redis
    finally:
        redis.stop()
        postgres.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


