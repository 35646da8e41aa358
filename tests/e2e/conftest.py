"""Browser tests: the real server (started as the README's `make run` does) and Debian's Chromium.

One server per test module, on a free port of 127.0.0.1, serving a private copy of the demo
school; one Chromium per test run; a fresh browser context (cookies, session) per user.
Screenshots go under the test's tmp_path at the key steps and on failure; the server's log is
captured and must hold no traceback when the module ends. Real sign-in runs against
oidc-provider-mock on loopback (the `provider` fixture, one per run), configured by a secrets
file of the test's own (`write_auth_secrets`); district tests pin a browser to an app process
with HAProxy's own cookie (`pin`) and read HAProxy's log of who served what (`served`).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.server import AppServer, free_port
from pdcore.district import COOKIE, server_name
from tests.conftest import DEMO_TODAY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: the machine has two cores shared with other work; waits return as soon as ready.
WAIT_MS = 60_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, so fixtures can tell a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _app_server(db_path: Path, log_path: Path, **kwargs) -> AppServer:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    # The server lives on the day the demo school was made for, whatever the wall clock says.
    kwargs["env"] = {"PDCORE_TODAY": DEMO_TODAY.isoformat(), **kwargs.get("env", {})}
    return AppServer(db_path, log_path, **kwargs).start(timeout=120)


@pytest.fixture(scope="module")
def app_server(demo_file, tmp_path_factory):
    """`make run` on a free port, serving a private copy of the demo school."""
    workdir = tmp_path_factory.mktemp("server")
    db_path = workdir / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    # The README's command as is; only Streamlit's file watcher is off (through its environment
    # variable), because people edit this checkout while tests run and the watcher would
    # unload pdcore modules under the live sessions (a deployed app's files do not change).
    server = _app_server(
        db_path,
        workdir / "server.log",
        via_make=True,
        env={"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
    )
    yield server
    server.stop()
    problems = server.problems()
    assert not problems, f"the server log has errors:\n{server.log_text()[-6000:]}"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shots:
    """Screenshots of the test's pages under its tmp_path, numbered in the order taken."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0
        self.pages: list = []

    def __call__(self, page, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(tmp_path):
    """`shot(page, "what it shows")` saves a screenshot under the test's tmp_path."""
    return Shots(tmp_path)


@pytest.fixture
def new_user(chromium, shot, request):
    """Open a fresh browser context (a new person: no cookies) and return its page.

    When the test fails, every page it opened is screenshotted before the contexts close.
    """
    contexts = []

    def _open(base_url: str):
        context = chromium.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        shot.pages.append(page)
        return page

    yield _open
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for i, page in enumerate(shot.pages):
            # The page may be gone; the failure itself is what matters.
            with contextlib.suppress(Exception):
                print("failure screenshot:", shot(page, f"failure-{i}"))
    for context in contexts:
        context.close()


# ---- helpers the journeys share ------------------------------------------------------------


def wait_for_app(page) -> None:
    """Wait until the script run is over: no "Running" status and no stale (greyed) element.

    Callers still wait for the specific text they expect; this only keeps a step from
    acting on the previous run's elements.
    """
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=WAIT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=WAIT_MS,
    )


def demo_sign_in(page, role_label: str) -> None:
    """Use the demo sign-in's quick pick, e.g. role_label "Admin" or "Teacher"."""
    page.goto("/")
    page.get_by_role("button", name=re.compile(rf"^{role_label}: ")).click()
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)


def go_to(page, title: str) -> None:
    """Open a page from the sidebar navigation by its title."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1).first.wait_for()
    wait_for_app(page)


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page."""
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


# ---- real sign-in against a local OpenID Connect provider ------------------------------------


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """oidc-provider-mock on a free port of 127.0.0.1 (never the network); yields its base URL."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("oidc") / "oidc.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/.well-known/openid-configuration", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the OpenID Connect provider did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=15)
    log.close()


COOKIE_SECRET = "e2e-only-cookie-secret-not-used-anywhere-else"


def write_auth_secrets(
    path: Path, app_url: str, provider: str, cookie_secret: str = COOKIE_SECRET
) -> Path:
    """A secrets file of the test's own (never the repository's .streamlit/) with an [auth]
    table for the local provider. redirect_uri is `app_url`'s callback: the browser must use
    that same address (host name included) or the callback's cookie is refused."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "pd-cohorts-e2e"\n'
        'client_secret = "pd-cohorts-e2e-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    return path


def set_claims(provider: str, email: str, name: str, domain: str) -> None:
    """Tell the provider who this address is (PUT /users/<sub>)."""
    body = json.dumps({"email": email, "email_verified": True, "name": name, "hd": domain})
    request = urllib.request.Request(
        f"{provider}/users/{email}",
        data=body.encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 204


def open_provider_form(page) -> None:
    """The app's sign-in button, up to the provider's form (the app's OAuth state is set)."""
    page.goto("/")
    page.get_by_role("button", name="Sign in with your school account").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=WAIT_MS)


def authorize(page, email: str) -> None:
    """Sign in as `email` on the provider's form; the browser goes back to the callback."""
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()


def sign_in(page, email: str) -> None:
    """The real flow: the app's sign-in button, the provider's form, back to the app."""
    open_provider_form(page)
    authorize(page, email)
    page.wait_for_url("http://127.0.0.1:*/**", timeout=WAIT_MS)
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)


# ---- a district: several app processes behind HAProxy ----------------------------------------


def pin(page, district, process: int):
    """Make HAProxy send this person's requests to app process `process` (0-based), by setting
    its own sticky cookie in the browser, as if HAProxy had chosen that process."""
    page.context.add_cookies([{"name": COOKIE, "value": server_name(process), "url": district.url}])
    return page


def sticky(page, district) -> str:
    """The app process HAProxy's cookie pins this browser to ("app1", ...)."""
    return next(c["value"] for c in page.context.cookies(district.url) if c["name"] == COOKIE)


def served(district, server: str, path: str = r"/[^_s]") -> list[str]:
    """HAProxy's log lines of the GETs it sent to `server` ("app1"...) whose path matches the
    regex `path` (by default a page load, not an asset or the websocket)."""
    lines = district.log_text().splitlines()
    return [ln for ln in lines if f" apps/{server} " in ln and re.search(f'"GET {path}', ln)]
