"""Real sign-in, offline: st.login against a local OpenID Connect provider on loopback.

The app runs with an [auth] section in a secrets file of its own (passed with
--secrets.files, so the repository's .streamlit/ is never touched) pointing at
`oidc-provider-mock` on 127.0.0.1. Each person signs in in a fresh browser context by typing
their address into the provider's form, and sees their own role's navigation; an address
outside the school's domain is refused.
"""

from __future__ import annotations

import shutil

import pytest

from benchmarks.server import AppServer, free_port
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER, DEMO_TODAY
from tests.e2e.conftest import (
    CHROMIUM,
    authorize,
    open_provider_form,
    set_claims,
    sign_in,
    write_auth_secrets,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def auth_app(provider, demo_file, tmp_path_factory):
    """The app with real sign-in configured against the local provider."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    workdir = tmp_path_factory.mktemp("auth-app")
    db_path = workdir / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    port = free_port()
    # redirect_uri carries the app's port, so the file is written before the app starts.
    secrets = write_auth_secrets(workdir / "secrets.toml", f"http://127.0.0.1:{port}", provider)
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
    open_provider_form(page)
    authorize(page, "intruder@gmail.com")
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
