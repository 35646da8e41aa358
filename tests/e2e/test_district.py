"""A district in Chromium: two app processes behind HAProxy on one throwaway PostgreSQL.

A teacher joins a cohort through one process; an admin served by the other process sees the
Participation count change within the dashboard's refresh interval. Then the admin's process
is killed with SIGKILL: a reload lands on the live process, the admin is back, signed in, and
the join is still there. Each person is pinned to a process with HAProxy's own sticky cookie
(set in the browser context before the first request), as if HAProxy had chosen it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pdcore import db
from pdcore.district import HAPROXY, District
from tests import pgserver
from tests.conftest import DEMO_TEACHER, DEMO_TODAY
from tests.e2e.conftest import (
    CHROMIUM,
    assert_no_exception,
    go_to,
    pin,
    served,
    sticky,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

IN_GROUP = "In a cohort or project"  # the Participation metric a join moves
REFRESH_S = 15  # the shortest refresh the Participation page offers


@pytest.fixture(scope="module")
def district(pg_server, tmp_path_factory):
    """Two app processes, demo mode, on an EMPTY PostgreSQL database: the first process a
    browser reaches makes the demo school."""
    if not Path(HAPROXY).exists():
        pytest.fail(f"{HAPROXY} is missing: `apt-get install haproxy` (CI installs it)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    url = pgserver.create(pg_server)
    env = {
        "PDCORE_DEMO": "1",
        "PDCORE_TODAY": DEMO_TODAY.isoformat(),
        # As in conftest's app_server: people edit this checkout while the tests run.
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    folder = tmp_path_factory.mktemp("district")
    with District(2, url, env=env, folder=folder) as running:
        yield running
        for i in range(running.n):
            if running.processes[i].returncode is None:  # alive: its log must be clean
                assert "Traceback" not in running.log_text(i), running.log_text(i)[-6000:]
    pgserver.drop(pg_server, url)


def quick_pick(page, role_label: str) -> None:
    page.get_by_role("button", name=re.compile(rf"^{role_label}: ")).click()
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)


def in_group(page) -> int:
    value = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=IN_GROUP)
        .first.locator('[data-testid="stMetricValue"]')
    )
    value.wait_for()
    return int(value.inner_text().replace(",", ""))


def wait_for_in_group(page, want: int, timeout_ms: int) -> None:
    page.wait_for_function(
        """([label, want]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes(label)
                  && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() == want)""",
        arg=[IN_GROUP, str(want)],
        timeout=timeout_ms,
    )


def active_memberships(url: str, email: str) -> list[str]:
    con = db.connect(url)
    try:
        rows = con.execute(
            "SELECT c.name FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
            "JOIN staff s ON s.id = m.staff_id WHERE s.email = ? AND m.left_at IS NULL",
            [email],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def test_a_join_on_one_process_shows_on_the_other_and_survives_a_kill(district, new_user, shot):
    teacher = pin(new_user(district.url), district, 0)
    admin = pin(new_user(district.url), district, 1)
    # Both open the empty database at once, each through its own process: one of them
    # makes the demo school, the other waits for it (the setup lock).
    teacher.goto("/", wait_until="commit")
    admin.goto("/", wait_until="commit")
    for page in (teacher, admin):
        page.get_by_text("Demo sign-in", exact=False).first.wait_for(timeout=120_000)
    made = "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'"
    con = db.connect(district.db_url)
    try:
        assert con.execute(made).fetchone()[0] == 1
    finally:
        con.close()
    assert served(district, "app1") and served(district, "app2")  # one each, as pinned

    quick_pick(admin, "Admin")
    go_to(admin, "Participation")
    admin.get_by_role("radio", name=f"every {REFRESH_S} s").click()
    wait_for_app(admin)
    before = in_group(admin)
    shot(admin, "admin on app2 before the join")

    quick_pick(teacher, "Teacher")  # Ana Ruiz: on the survey, not in a group yet
    assert active_memberships(district.db_url, DEMO_TEACHER) == []
    go_to(teacher, "Find a group")
    teacher.get_by_role("heading", name=re.compile("Cohorts of")).wait_for()
    teacher.get_by_role("button", name="Join", exact=True).first.click()
    joined = teacher.get_by_text(re.compile(r"^You joined "))
    joined.wait_for()
    cohort = re.match(r"You joined (.+?)\. ", joined.inner_text()).group(1)
    shot(teacher, "teacher joined on app1")

    # The admin's page, served by the other process, refreshes on its own.
    wait_for_in_group(admin, before + 1, timeout_ms=(REFRESH_S + 10) * 1000)
    shot(admin, "admin on app2 sees the join")

    district.kill(1)  # the admin's process, as a crash would
    admin.reload()
    admin.get_by_role("heading", name="Participation", level=1).wait_for()
    wait_for_app(admin)
    assert admin.get_by_role("button", name="Sign out").is_visible()
    assert in_group(admin) == before + 1
    assert "demo=" in admin.url  # the demo sign-in rides in the URL, so a reload keeps it
    assert sticky(admin, district) == "app1"  # HAProxy moved the admin to the live process
    shot(admin, "admin back on app1 after the kill")
    assert_no_exception(admin)

    # The live process kept serving the teacher, whose membership is in the database.
    go_to(teacher, "My cohort")
    teacher.get_by_role("heading", name=cohort).wait_for()
    assert_no_exception(teacher)
    assert active_memberships(district.db_url, DEMO_TEACHER) == [cohort]
