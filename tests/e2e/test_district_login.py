"""Real sign-in on a district: the st.login cookie works whichever process serves the callback.

Two app processes behind HAProxy on a throwaway PostgreSQL copy of the demo school, NOT in
demo mode: people sign in with st.login against oidc-provider-mock on loopback, configured by
secrets files of the test's own (never the repository's .streamlit/) whose redirect_uri is the
proxy's address. A teacher starts signing in on app1; while the browser is at the provider's
form, HAProxy's cookie is re-pinned to app2, so app2 serves /oauth2callback. Streamlit keeps
the sign-in's OAuth state in a cookie signed with [auth] cookie_secret, and signs the signed-in
person's cookie with it too: with one secret for the district, app2 finishes the sign-in and,
once app2 is killed, app1 still knows the teacher. The control: the same journey with ANOTHER
secret on app2 only (everything else equal) is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.server import free_port
from pdcore.district import HAPROXY, District
from tests.conftest import DEMO_TEACHER, DEMO_TODAY
from tests.e2e.conftest import (
    CHROMIUM,
    COOKIE_SECRET,
    assert_no_exception,
    authorize,
    open_provider_form,
    pin,
    served,
    set_claims,
    sticky,
    wait_for_app,
    write_auth_secrets,
)

pytestmark = pytest.mark.e2e

SIGN_IN = "Sign in with your school account"


@pytest.fixture
def make_district(pg_database, provider, tmp_path):
    """`make_district(app2_secret)`: two processes with real sign-in on a fresh copy of the demo
    school; app1 reads the district's secrets file, app2 one that differs only in
    cookie_secret (`app2_secret`). Stopped after the test; a live process's log stays clean."""
    if not Path(HAPROXY).exists():
        pytest.fail(f"{HAPROXY} is missing: `apt-get install haproxy` (CI installs it)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    made: list[District] = []

    def _make(app2_secret: str) -> District:
        # The proxy's port is in redirect_uri, so it is chosen before the files are written.
        port = free_port()
        proxy = f"http://127.0.0.1:{port}"
        shared = write_auth_secrets(tmp_path / "secrets.toml", proxy, provider)
        app2 = write_auth_secrets(tmp_path / "secrets-app2.toml", proxy, provider, app2_secret)
        env = {
            "PDCORE_DEMO": "0",  # real sign-in only, whatever this shell says
            "PDCORE_TODAY": DEMO_TODAY.isoformat(),
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",  # people edit this checkout meanwhile
            "STREAMLIT_SECRETS_FILES": str(shared),  # instead of ~/.streamlit and ./.streamlit
        }
        district = District(
            2,
            pg_database("demo"),  # a non-demo app on the demo school's roster, as test_login
            port=port,
            env=env,
            process_env=[{}, {"STREAMLIT_SECRETS_FILES": str(app2)}],
            folder=tmp_path / "district",
        )
        made.append(district.start())
        return district

    yield _make
    for district in made:
        district.stop()
        for i, proc in enumerate(district.processes):
            if proc.returncode != -9:  # not killed by the test: its log must be clean
                assert "Traceback" not in district.log_text(i), district.log_text(i)[-6000:]


def start_on_app1_finish_on_app2(page, district: District) -> None:
    """Sign in as the teacher: the app's button on app1, the callback on app2."""
    pin(page, district, 0)
    open_provider_form(page)
    assert served(district, "app1", "/auth/login") and not served(district, "app2", "/")
    pin(page, district, 1)  # while the browser is at the provider
    authorize(page, DEMO_TEACHER)


def expect_teacher_home(page) -> None:
    page.get_by_role("heading", name="Welcome, Ana", level=1).wait_for()
    wait_for_app(page)
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert "Ana Ruiz" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert_no_exception(page)


def test_a_callback_on_the_other_process_signs_in_and_survives_a_kill(
    make_district, provider, new_user, shot
):
    district = make_district(app2_secret=COOKIE_SECRET)  # one secret for the district
    set_claims(provider, DEMO_TEACHER, "Ana Ruiz", "demo-school.org")
    page = new_user(district.url)
    start_on_app1_finish_on_app2(page, district)
    expect_teacher_home(page)
    assert served(district, "app2", "/oauth2callback")
    assert not served(district, "app1", "/oauth2callback")
    assert sticky(page, district) == "app2"
    shot(page, "signed in by app2's callback")

    loads_on_app1 = len(served(district, "app1"))
    district.kill(1)  # the process now serving the teacher, as a crash would
    page.reload()
    expect_teacher_home(page)  # app1 reads the cookie app2 signed
    assert sticky(page, district) == "app1"
    assert len(served(district, "app1")) > loads_on_app1  # the reload went to app1
    shot(page, "still signed in on app1 after app2 was killed")


def test_with_another_cookie_secret_the_other_process_refuses_the_callback(
    make_district, provider, new_user, shot
):
    district = make_district(app2_secret="another-e2e-secret-app2-only")
    set_claims(provider, DEMO_TEACHER, "Ana Ruiz", "demo-school.org")
    page = new_user(district.url)
    start_on_app1_finish_on_app2(page, district)
    page.get_by_role("button", name=SIGN_IN).wait_for()  # back at the start, on app2
    wait_for_app(page)
    assert served(district, "app2", "/oauth2callback")
    assert sticky(page, district) == "app2"
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert page.get_by_role("heading", name="Welcome, Ana").count() == 0
    # Why: app2 cannot read the OAuth state app1 signed, so it does not take the callback.
    assert "Missing provider for OAuth callback" in district.log_text(1)
    shot(page, "app2 with another secret refused the callback")
