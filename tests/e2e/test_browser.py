"""The real server in Chromium: the README's run command, demo sign-in, and one journey per role."""

from __future__ import annotations

import csv
import re
import urllib.request
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import assert_no_exception, demo_sign_in, go_to, wait_for_app

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
    page.get_by_role("heading", name="Welcome, Dana").wait_for()
    go_to(page, "Participation")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    # Vega draws into a canvas or svg once the data arrived: a chart a person can see.
    chart.locator("canvas, svg").first.wait_for()
    shot(page, "participation chart")
    assert_no_exception(page)


def metric(page, label: str) -> int:
    """The number a dashboard metric shows, e.g. metric(page, "On the roster")."""
    value = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .first.locator('[data-testid="stMetricValue"]')
    )
    value.wait_for()
    return int(value.inner_text().replace(",", ""))


def open_selectbox(page, label: str):
    """Open a selectbox's list and return its options (a click during a rerun can be lost,
    so it clicks again until the list is open)."""
    box = page.get_by_role("combobox", name=label)
    options = page.get_by_role("option")
    for _ in range(5):
        box.click()
        try:
            options.first.wait_for(timeout=5_000)
            return options
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    options.first.wait_for()  # the last try waits the full time and says what was missing
    return options


def test_a_teacher_joins_a_cohort_and_logs_a_meeting(app_server, new_user, shot):
    page = new_user(app_server.url)
    demo_sign_in(page, "Teacher")  # Ana Ruiz: on the survey, not in a group yet
    go_to(page, "Find a group")
    page.get_by_role("heading", name=re.compile("Cohorts of")).wait_for()
    shot(page, "ranked cohorts")
    page.get_by_role("button", name="Join", exact=True).first.click()
    joined = page.get_by_text(re.compile(r"^You joined "))
    joined.wait_for()
    cohort_name = re.match(r"You joined (.+?)\. ", joined.inner_text()).group(1)
    shot(page, "joined")

    go_to(page, "My cohort")
    page.get_by_role("heading", name=cohort_name).wait_for()
    page.get_by_role("tab", name="Meetings").click()
    wait_for_app(page)  # a tab change reruns the page: let it finish before submitting
    form = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name="Log this meeting")
    )
    form.get_by_label("Minutes").fill("45")  # as a teacher types it (see the note on issue 15)
    form.get_by_label("Minutes").press("Tab")
    page.get_by_role("button", name="Log this meeting").click()
    page.get_by_text(re.compile(r"^Meeting of .+ logged: \d+ attended")).wait_for()
    wait_for_app(page)
    assert metric(page, "Meetings held") >= 1
    shot(page, "meeting logged")
    assert_no_exception(page)


def test_a_coach_resolves_a_watchlist_case(app_server, new_user, shot):
    page = new_user(app_server.url)
    demo_sign_in(page, "Coach")
    go_to(page, "Watchlist")
    open_before = metric(page, "Open cases")
    assert open_before > 0, "the demo school should have someone on the watchlist"
    wait_for_app(page)
    option = open_selectbox(page, "Person").first
    name = option.inner_text().strip()
    option.click()
    page.get_by_label("Note (the teacher and their coaches can read it)").fill(
        "Met at lunch; she joined a group."
    )
    page.get_by_text("Resolved: no follow-up needed now").click()
    shot(page, "follow-up filled in")
    page.get_by_role("button", name="Save follow-up").click()
    page.get_by_text(f"Saved a follow-up for {name}.").wait_for()
    wait_for_app(page)
    assert metric(page, "Open cases") == open_before - 1
    shot(page, "case resolved")
    assert_no_exception(page)


def roster_with_new_teachers(demo_file: Path, tmp_path: Path, new: list[tuple[str, str]]) -> Path:
    """The demo school's whole roster as a CSV (a roster sync deactivates anyone missing),
    plus the `new` (name, department) teachers."""
    con = duckdb.connect(str(demo_file), read_only=True)
    try:
        rows = con.execute(
            "SELECT email, name, department, role, school FROM staff WHERE active ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    school = rows[0][4]
    path = tmp_path / "roster.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Email", "Name", "Department", "Role", "School"])
        writer.writerows(rows)
        for name, department in new:
            email = name.lower().replace(" ", ".") + "@demo-school.org"
            writer.writerow([email, name, department, "teacher", school])
    return path


def test_an_admin_syncs_a_csv_and_sees_the_dashboard_change(
    app_server, new_user, shot, demo_file, tmp_path
):
    new = [("Quinn Newcomer", "Science"), ("Rowan Firstyear", "English")]
    roster_csv = roster_with_new_teachers(demo_file, tmp_path, new)
    page = new_user(app_server.url)
    demo_sign_in(page, "Admin")
    go_to(page, "Participation")
    before = metric(page, "On the roster")
    shot(page, "participation before")

    go_to(page, "Data and sync")
    page.get_by_role("tab", name="Upload CSV files").click()
    wait_for_app(page)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Roster CSV")
    uploader.locator('input[type="file"]').set_input_files(str(roster_csv))
    page.get_by_text("roster.csv").first.wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Import files").click()
    page.get_by_text(re.compile(r"^Done\. ")).wait_for()
    shot(page, "import done")

    go_to(page, "Participation")
    page.wait_for_function(
        """([label, want]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes(label)
                  && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() == want)""",
        arg=["On the roster", str(before + len(new))],
    )
    assert metric(page, "On the roster") == before + len(new)
    shot(page, "participation after")
    assert_no_exception(page)


def test_the_load_test_starts_the_server_with_the_readme_command():
    """benchmarks/ starts the server directly (it needs the pid); it must stay `make run`."""
    from benchmarks.server import ROOT, run_command

    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    for target, demo in (("run", "1"), ("serve", "0")):  # AppServer(demo=...) sets PDCORE_DEMO
        recipe = re.search(rf"^{target}:.*\n\t(.+)$", makefile, re.M).group(1).split()
        assert recipe[:2] == [f"PDCORE_DEMO={demo}", "$(PY)"]
        assert recipe[2:] == run_command("$(PORT)")[1:]


def test_an_admin_steers_the_formation_preview_and_applies_it(app_server, new_user, shot):
    page = new_user(app_server.url)
    demo_sign_in(page, "Admin")
    go_to(page, "Unmatched staff")
    page.get_by_role("button", name="Preview auto-formation").click()
    wait_for_app(page)
    page.get_by_text("Steer the plan").wait_for()
    options = open_selectbox(page, "Person in the plan")
    options.first.click()
    wait_for_app(page)
    page.get_by_role("button", name="Lock", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Unlock", exact=True).wait_for()
    page.get_by_role("button", name="Re-run around 1 lock(s)").click()
    wait_for_app(page)
    shot(page, "steered preview")
    page.get_by_role("button", name="Undo").click()
    wait_for_app(page)
    page.get_by_role("button", name="Apply this plan").click()
    wait_for_app(page)
    page.get_by_text(re.compile(r"^Placed \d+ people")).first.wait_for()
    assert_no_exception(page)
