"""Real sign-in, offline: st.login against a local OpenID Connect provider on loopback.

The app runs with an [auth] section in a secrets file of its own (passed with
--secrets.files, so the repository's .streamlit/ is never touched) pointing at
`oidc-provider-mock` on 127.0.0.1. Each person signs in in a fresh browser context by typing
their address into the provider's form, and sees their own role's navigation; an address
outside the school's domain is refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks.server import AppServer, free_port
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER, DEMO_TODAY
from tests.e2e.conftest import CHROMIUM, WAIT_MS, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """oidc-provider-mock on a free port of 127.0.0.1; yields its base URL."""
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


@pytest.fixture(scope="module")
def auth_app(provider, demo_file, tmp_path_factory):
    """The app with real sign-in configured against the local provider."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    workdir = tmp_path_factory.mktemp("auth-app")
    db_path = workdir / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    port = free_port()
    secrets = workdir / "secrets.toml"
    # redirect_uri carries the app's port, so the file is written before the app starts; the
    # browser must use the same host name (127.0.0.1) as redirect_uri or the cookie is refused.
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-only-cookie-secret-not-used-anywhere-else"\n'
        'client_id = "pd-cohorts-e2e"\n'
        'client_secret = "pd-cohorts-e2e-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    server = AppServer(
        db_path,
        workdir / "server.log",
        port=port,
        extra_args=("--secrets.files", str(secrets), "--server.fileWatcherType", "none"),
        env={"PDCORE_TODAY": DEMO_TODAY.isoformat()},
    ).start(timeout=120)
    yield server
    server.stop()
    assert not server.problems(), f"the server log has errors:\n{server.log_text()[-6000:]}"


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


def sign_in(page, email: str) -> None:
    """The real flow: the app's sign-in button, the provider's form, back to the app."""
    page.goto("/")
    page.get_by_role("button", name="Sign in with your school account").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=WAIT_MS)
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("http://127.0.0.1:*/**", timeout=WAIT_MS)
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)


def nav_titles(page) -> set[str]:
    links = page.locator('[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"]')
    return {t.strip() for t in links.all_inner_texts()}


def test_without_signing_in_there_is_only_the_sign_in_button(auth_app, new_user, shot):
    page = new_user(auth_app.url)
    page.goto("/")
    page.get_by_role("button", name="Sign in with your school account").wait_for()
    assert page.get_by_text("Demo sign-in").count() == 0
    shot(page, "sign-in button")


@pytest.mark.parametrize(
    ("email", "name", "sees", "does_not_see"),
    [
        (
            DEMO_TEACHER,
            "Ana Ruiz",
            {"Home", "Find a group", "My cohort"},
            {"Watchlist", "Participation"},
        ),
        (
            DEMO_COACH,
            "Maya Okafor",
            {"Home", "Watchlist", "Coaching"},
            {"Participation", "Settings"},
        ),
        (DEMO_ADMIN, "Dana Whitfield", {"Home", "Participation", "Data and sync"}, set()),
    ],
    ids=["teacher", "coach", "admin"],
)
def test_each_role_signs_in_and_sees_its_own_navigation(
    auth_app, provider, new_user, shot, email, name, sees, does_not_see
):
    set_claims(provider, email, name, "demo-school.org")
    page = new_user(auth_app.url)
    sign_in(page, email)
    shot(page, f"signed in as {email}")
    titles = nav_titles(page)
    assert sees <= titles, titles
    assert not (does_not_see & titles), titles
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert name in sidebar
    assert "Demo sign-in" not in sidebar


def test_an_address_outside_the_school_is_refused(auth_app, provider, new_user, shot):
    set_claims(provider, "intruder@gmail.com", "Intruder", "gmail.com")
    page = new_user(auth_app.url)
    page.goto("/")
    page.get_by_role("button", name="Sign in with your school account").click()
    page.locator('input[name="sub"]').fill("intruder@gmail.com")
    page.get_by_role("button", name="Authorize").click()
    refusal = page.get_by_text("is not a demo-school.org address")
    refusal.wait_for()
    shot(page, "outsider refused")
    assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
    # Signing out ends the provider's session too (it asks to confirm), then the app asks
    # for a sign-in again.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in with your school account").wait_for()
    shot(page, "signed out")
