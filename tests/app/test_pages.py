"""Every page renders for each role that may see it, and refuses a role that may not."""

import pytest
from streamlit.testing.v1 import AppTest

from pdcore.ui.navigation import PAGES
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER, ROOT, shown

ROLE_EMAIL = {"teacher": DEMO_TEACHER, "coach": DEMO_COACH, "admin": DEMO_ADMIN}
CASES = [
    (path, role)
    for path, _title, _icon, roles, _section in PAGES
    for role in ("teacher", "coach", "admin")
    if role in roles
]


def test_signed_out_visitor_sees_the_labelled_demo_sign_in(open_app):
    at = open_app()
    assert not at.exception
    assert "Demo sign-in" in at.warning[0].value
    labels = [b.label for b in at.button]
    assert any(label.startswith("Admin: ") for label in labels)
    admin_button = next(b for b in at.button if b.label.startswith("Admin: "))
    admin_button.click().run()
    assert at.title[0].value.startswith("Welcome, Dana")


@pytest.mark.parametrize(("path", "role"), CASES)
def test_page_renders_for_a_role_that_may_see_it(open_app, path, role):
    at = open_app(ROLE_EMAIL[role], page=path)
    assert not at.exception, at.exception
    assert at.title, f"{path} shows no title"
    assert not [e.value for e in at.error if "This page is for" in e.value]


def test_navigation_lists_only_the_pages_of_the_role(open_app):
    teacher = open_app(DEMO_TEACHER)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        teacher.switch_page("pages/participation.py")
    admin = open_app(DEMO_ADMIN)
    admin.switch_page("pages/participation.py")  # listed for an admin


REFUSALS = [
    (path, role)
    for path, _title, _icon, roles, _section in PAGES
    for role in ("teacher", "coach")
    if role not in roles
]


@pytest.mark.parametrize(("path", "role"), REFUSALS)
def test_a_forged_url_is_refused_by_the_page_itself(app_db, path, role):
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.user = {"is_logged_in": True, "email": ROLE_EMAIL[role], "name": role}
    at.run()
    assert not at.exception
    assert any("This page is for" in e.value for e in at.error)


def test_someone_not_on_the_roster_is_told_who_to_ask(open_app):
    at = open_app("stranger@demo-school.org")
    assert "not on the school's active roster" in at.error[0].value


def test_the_app_names_a_database_held_by_another_process(app_db):
    import subprocess
    import sys

    import streamlit as st

    st.cache_resource.clear()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(app_db)!r}); print('ok', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.user = {"is_logged_in": True, "email": DEMO_TEACHER, "name": "Ana"}
        at.run()
        assert not at.exception
        # The message names the file as it is (escaped for markdown, so read back unescaped).
        assert any(
            str(app_db) in shown(e.value) and "another process" in shown(e.value) for e in at.error
        )
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        st.cache_resource.clear()
