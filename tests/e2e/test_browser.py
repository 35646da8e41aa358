"""The real server in Chromium: the README's run command, demo sign-in, and one journey per role."""

from __future__ import annotations

import urllib.request

import pytest

from tests.e2e.conftest import assert_no_exception, demo_sign_in, go_to

pytestmark = pytest.mark.e2e


def test_the_readme_command_serves_the_app_on_loopback(app_server):
    with urllib.request.urlopen(app_server.url + "/_stcore/health", timeout=10) as resp:
        assert resp.read() == b"ok"
    assert app_server.url.startswith("http://127.0.0.1:")
    assert f"127.0.0.1:{app_server.port}" in app_server.log_text()


def test_the_demo_admin_signs_in_and_sees_a_chart(app_server, new_user, shot):
    page = new_user(app_server.url)
    page.goto("/")
    page.get_by_text("Demo sign-in", exact=False).first.wait_for()
    shot(page, "sign-in screen")
    demo_sign_in(page, "Admin")
    assert page.get_by_role("heading", name="Welcome, Dana").is_visible()
    go_to(page, "Participation")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    # Vega draws into a canvas or svg once the data arrived: a chart a person can see.
    chart.locator("canvas, svg").first.wait_for()
    shot(page, "participation chart")
    assert_no_exception(page)
