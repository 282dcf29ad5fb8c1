"""The real OpenID Provider of the suite: the certified `oidc-provider` from npm (pinned in
tests/oidc/package-lock.json, installed by `make test` with `npm ci`), started on loopback by a
fixture and stopped after. It plays the DigiD and eHerkenning brokers and a staff IdP."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

HERE = Path(__file__).parent / "oidc"
SECRET = "test-client-secret-that-is-long-enough"
BASE_URL = "http://127.0.0.1:5000"  # the test app's BASE_URL: redirect URIs are built on it
CLIENTS = ["digid", "eherkenning", "sso", "digid-kort", "sso-kort"]

ACR = {
    "basis": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    "midden": "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "substantieel": "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
    "EH2": "urn:etoegang:core:assurance-class:loa2",
    "EH2+": "urn:etoegang:core:assurance-class:loa2plus",
    "EH3": "urn:etoegang:core:assurance-class:loa3",
}
# The eHerkenning service the test company is authorised for.
SERVICE = "urn:etoegang:DV:00000003123456780000:services:1"
# Test BSNs that pass the elfproef (from the range the Dutch government keeps for testing).
BSN_A, BSN_B = "999993653", "999990019"
ACCOUNTS = {
    "anna": {"bsn": BSN_A},
    "bram": {"bsn": BSN_B},
    "stichting": {"kvk": "12345678", "vestiging": "000012345678", "name": "Stichting Groen Zuid",
                  "dienst": SERVICE},
    "bv": {"kvk": "87654321", "name": "Andere BV"},
    "sam": {"name": "Sam Ambtenaar", "email": "sam@gemeente.example", "email_verified": True,
            "groups": ["behandelaars"]},
}


def node_modules() -> None:
    """`npm ci` when the pinned packages are not installed yet (make test does it first)."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed for the OpenID Provider tests (Node 20 with npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                   check=True, timeout=300)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    def __init__(self, workdir: Path, base_url: str = BASE_URL) -> None:
        self.workdir = workdir
        self.base_url = base_url
        self.callback = f"{base_url}/account/inloggen/terug"
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = workdir / "accounts.json"
        self.jwks_file = workdir / "jwks.json"
        self.log = workdir / "provider.log"
        self.process: subprocess.Popen | None = None
        self.key: RSAKey | None = None
        self.set_accounts(ACCOUNTS)
        self.new_key("key-1")

    def new_key(self, kid: str) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig",
                                                         "alg": "RS256"}, private=True)
        self.jwks_file.write_text(json.dumps({"keys": [self.key.as_dict(private=True)]}))

    def set_accounts(self, accounts: dict) -> None:
        self.accounts_file.write_text(json.dumps(accounts))

    def start(self) -> None:
        clients = [{"client_id": name, "client_secret": SECRET, "redirect_uris": [self.callback],
                    "post_logout_redirect_uris": [f"{self.base_url}/"]} for name in CLIENTS]
        env = {**os.environ, "PORT": str(self.port), "CLIENTS": json.dumps(clients),
               "ACCOUNTS_FILE": str(self.accounts_file), "JWKS_FILE": str(self.jwks_file),
               "NODE_ENV": "test"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(["node", str(HERE / "provider.mjs")], env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"the OpenID Provider did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_in(self, authorize_url: str, account: str, level: str = "midden") -> str:
        """Do what a person does on the provider's login page; returns the URL the provider
        sends the browser back to (the platform's callback with code and state)."""
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=5)
        interaction = urljoin(self.issuer, response.headers["Location"])
        page = browser.get(interaction, timeout=5)
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        response = browser.post(urljoin(self.issuer, action), timeout=5, allow_redirects=False,
                                data={"login": account, "password": "x", "acr": ACR[level]})
        location = response.headers["Location"]
        while location.startswith(self.issuer):
            response = browser.get(location, allow_redirects=False, timeout=5)
            location = response.headers["Location"]
        assert location.startswith(self.callback), location
        return location


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider for the test app (its BASE_URL); browser tests start their own."""
    node_modules()
    provider = Provider(tmp_path_factory.mktemp("oidc"))
    provider.start()
    yield provider
    provider.stop()


def local(url: str) -> str:
    """The path and query of a URL on the test app, for its test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
