"""The real server in Chromium, as an attacker would meet it.

A secrets file that does not parse stops sign-in with one sentence; a real school without
[auth] lets nobody in; a hostile roster (formula, markdown link, HTML, 5,000 characters, RTL,
zero-width) shows as text on every page that lists people or topics, with no link made from a
name and Sign out always in view.
"""

from __future__ import annotations

import shutil

import pytest

from pdcore import db
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER
from tests.e2e.conftest import _app_server, assert_no_exception, go_to, wait_for_app
from tests.fixtures.hostile import FORMULA, HTML, MD_LINK, RTL, make_hostile
from tests.unit.test_signin import GOOD

pytestmark = pytest.mark.e2e

NO_WATCHER = ("--server.fileWatcherType", "none")
LINK_LABELS = ("Watch or open the share-out", "Open the share-out", "Open the pathway")


def no_sign_in(page) -> None:
    assert page.get_by_role("button", name="Sign in with your school account").count() == 0
    assert page.get_by_text("Demo sign-in").count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert page.locator('[data-testid="stSelectbox"]').count() == 0


def test_a_secrets_file_that_does_not_parse_stops_sign_in(demo_file, tmp_path, new_user, shot):
    db_path = tmp_path / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    secrets = tmp_path / "secrets.toml"
    # The mistake the issue found: an unquoted value in the table the README asks for.
    secrets.write_text(GOOD + "[gcp_service_account]\nproject_id = my-project\n")
    server = _app_server(
        db_path, tmp_path / "server.log", extra_args=("--secrets.files", str(secrets), *NO_WATCHER)
    )
    try:
        page = new_user(server.url)
        page.goto("/")
        alert = page.locator('[data-testid="stAlert"]').filter(has_text="Nobody can sign in")
        alert.wait_for()
        wait_for_app(page)
        sentence = alert.inner_text()
        assert str(secrets) in sentence and "line 8" in sentence
        shot(page, "broken secrets")
        no_sign_in(page)
        assert_no_exception(page)
    finally:
        server.stop()


def test_a_real_school_without_auth_lets_nobody_in(demo_file, tmp_path, new_user, shot):
    db_path = tmp_path / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    empty = tmp_path / "no-secrets.toml"  # no secrets file at all
    server = _app_server(
        db_path,
        tmp_path / "server.log",
        demo=False,  # `make serve`
        via_make=True,
        env={"STREAMLIT_SECRETS_FILES": str(empty), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
    )
    try:
        page = new_user(server.url)
        page.goto("/")
        page.get_by_text("Sign-in is not set up yet").wait_for()
        wait_for_app(page)
        shot(page, "sign-in not set up")
        no_sign_in(page)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def hostile_server(demo_file, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hostile")
    db_path = workdir / "pd.duckdb"
    shutil.copy(demo_file, db_path)
    con = db.connect(db_path)
    hostile = make_hostile(con)
    con.close()
    server = _app_server(db_path, workdir / "server.log", extra_args=NO_WATCHER)
    yield server, hostile
    server.stop()
    assert not server.problems(), f"the server log has errors:\n{server.log_text()[-6000:]}"


def visible_text(page) -> str:
    return page.locator("body").inner_text().replace("\u2060", "")


def assert_names_are_text(page, where: str) -> None:
    """No link, bold, HTML or formula effect came from a name on this page."""
    links = page.eval_on_selector_all(
        "a[href]",
        "els => els.map(e => [e.textContent, e.getAttribute('href'),"
        " !!e.closest('[data-testid=stLinkButton]')])",
    )
    origin = page.evaluate("location.origin")
    for text, href, button in links:
        assert "click" not in text and "evil" not in (text + href), (where, text, href)
        if button:  # a typed share-out or pathway link, behind a label of the app's own
            assert text.endswith(LINK_LABELS), (where, text)
            continue
        external = href.startswith(("http:", "https:", "javascript:", "mailto:", "//"))
        assert not (external and not href.startswith(origin)), (where, text, href)
    # Markup a name could have made: HTML's <b>, LaTeX, images, code, and **bold** of its own.
    made = page.eval_on_selector_all(
        "[data-testid='stMain'] :is(b, img, code, .katex), :is(strong, em):not(:has(*))",
        "els => els.map(e => e.tagName + ':' + e.textContent)",
    )
    assert not [m for m in made if m.startswith(("B:", "IMG:", "CODE:")) or "katex" in m], made
    assert not [m for m in made if m.split(":", 1)[1] in ("bold", "html", "red")], (where, made)
    assert_no_exception(page)


def sign_in_as(page, email: str) -> None:
    """The demo sign-in's roster picker: type the address, pick the one match, sign in."""
    page.goto("/")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Or anyone on the roster")
    box.locator("input").fill(email)
    page.get_by_role("option").filter(has_text=email).first.click()
    page.get_by_role("button", name="Sign in as this person").click()
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)


def sign_out_in_view(page) -> None:
    button = page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out")
    box = button.bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_a_hostile_teacher_and_their_cohort_show_as_text(hostile_server, new_user, shot):
    server, _ = hostile_server
    page = new_user(server.url)
    sign_in_as(page, DEMO_TEACHER)
    page.get_by_role("heading", level=1).first.wait_for()
    assert FORMULA in visible_text(page)  # "Welcome, =HYPERLINK(...)" as typed
    assert MD_LINK in visible_text(page) and "<b>html</b>" in visible_text(page)
    assert_names_are_text(page, "Home")
    sign_out_in_view(page)
    shot(page, "hostile home")
    expected = {
        "My cohort": MD_LINK,  # the cohort's name as its heading
        "Find a group": MD_LINK,  # "You are in [click](...)"
        "Pick a topic": "<b>html</b>",  # the topic in the catalogue
        "What we learned": "**bold**",  # the shared reflection
    }
    for title, raw in expected.items():
        go_to(page, title)
        page.locator("[data-testid='stMain']").get_by_text(raw, exact=False).first.wait_for()
        wait_for_app(page)
        text = visible_text(page)
        if title == "What we learned":  # every character as typed
            assert all(r in text for r in ("$x^2$", ":red[red]", HTML, FORMULA)), text
        assert_names_are_text(page, title)
        sign_out_in_view(page)
        shot(page, f"hostile {title}")


def test_a_5000_character_admin_keeps_sign_out_in_view(hostile_server, new_user, shot):
    server, _ = hostile_server
    page = new_user(server.url)
    sign_in_as(page, DEMO_ADMIN)
    heading = page.get_by_role("heading", level=1).first
    heading.wait_for()
    assert heading.bounding_box()["height"] < 200  # the name is cut, not 6,900 px of it
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Longooo" in sidebar and len(sidebar) < 2000
    sign_out_in_view(page)
    shot(page, "long admin home")
    for title in (
        "Unmatched staff",
        "Watchlist",
        "Cohort health",
        "Topic demand",
        "Participation",
        "Season feedback",
        "Seasons",  # the carry-over list names cohorts and the members staying
        "PD hours",  # every teacher's hours, and the admin's own record under their name
    ):
        go_to(page, title)
        wait_for_app(page)
        assert_names_are_text(page, title)
        sign_out_in_view(page)
        shot(page, f"hostile {title}")


def test_the_hostile_coach_name_reads_right_to_left_as_text(hostile_server, new_user):
    server, _ = hostile_server
    page = new_user(server.url)
    sign_in_as(page, DEMO_COACH)
    page.get_by_role("heading", level=1).first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert RTL.split()[0] in sidebar
    sign_out_in_view(page)
    assert_names_are_text(page, "coach home")
