"""Sign-in fails closed: a broken secrets file, no [auth] outside demo mode, or a database the
demo did not make lets nobody in, and the page says what to fix."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pdcore import db, roster
from tests.conftest import DEMO_TEACHER, ROOT, secrets_files, shown
from tests.unit.test_signin import GOOD


def run(email: str | None = None, claims: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if email:
        at.user = {"is_logged_in": True, "email": email, "name": "x", **(claims or {})}
    at.run()
    assert not at.exception
    return at


def no_way_in(at: AppTest) -> None:
    """No sign-in of any kind on the page, and nobody signed in."""
    labels = [b.label for b in at.button]
    assert not any("Sign in" in label for label in labels), labels
    assert not any(label.startswith(("Teacher:", "Coach:", "Admin:")) for label in labels)
    assert not at.selectbox and not at.sidebar.button
    assert "Demo sign-in" not in " ".join(w.value for w in at.warning)


BROKEN = {
    "does not parse": (GOOD + "[gcp_service_account]\nproject_id = my-project\n", "line 8"),
    "duplicated key": (GOOD + 'client_id = "again"\n', "line 7"),
    "missing key": (GOOD.replace('cookie_secret = "a long random string"\n', ""), "cookie_secret"),
    "misspelled table": (GOOD.replace("[auth]", "[Auth]"), "[Auth]"),
    "incomplete provider": (
        GOOD + '[auth.google]\nclient_id = "id"\n',
        "client_secret",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_secrets_file_stops_sign_in_with_one_sentence(app_db, tmp_path, monkeypatch, case):
    text, detail = BROKEN[case]
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    secrets_files(monkeypatch, [path])
    for email in (None, DEMO_TEACHER):  # a signed-in session is shut out too
        at = run(email)
        no_way_in(at)
        assert len(at.error) == 1
        sentence = shown(at.error[0].value)
        assert str(path) in sentence and detail in sentence, sentence
        assert not at.sidebar.markdown  # no roster, no navigation


def test_a_working_auth_table_offers_real_sign_in_only(app_db, tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text(GOOD)
    secrets_files(monkeypatch, [path])
    at = run()
    assert [b.label for b in at.button] == ["Sign in with your school account"]
    assert not at.selectbox and not at.warning


def test_without_demo_mode_and_without_auth_nobody_gets_in(app_db, monkeypatch):
    monkeypatch.setenv("PDCORE_DEMO", "0")
    at = run()
    no_way_in(at)
    assert "Sign-in is not set up yet" in at.warning[0].value
    assert "[auth]" in at.warning[0].value
    # A session that claims to be signed in is not trusted without [auth] either.
    at = run(DEMO_TEACHER)
    no_way_in(at)


def real_school(path) -> None:
    """A database filled by an import, not by the demo: one admin and one teacher."""
    con = db.connect(path)
    with db.transaction(con) as cur:
        for email, name, role in (
            ("head@real-school.org", "Head Teacher", "admin"),
            ("t@real-school.org", "A Teacher", "teacher"),
        ):
            cur.execute(
                "INSERT INTO staff (email, name, role, department) VALUES (?, ?, ?, 'Maths')",
                [email, name, role],
            )
    con.close()


def test_a_real_school_never_gets_the_demo_sign_in_even_in_demo_mode(app_db, tmp_path, monkeypatch):
    path = tmp_path / "real.duckdb"
    real_school(path)
    monkeypatch.setenv("PDCORE_DB", str(path))
    at = run()  # demo mode is on (app_db)
    no_way_in(at)
    assert "not made by the demo" in at.caption[0].value
    at = run("head@real-school.org")
    no_way_in(at)


def test_only_demo_mode_fills_an_empty_database(app_db, tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("PDCORE_DB", str(path))
    monkeypatch.setenv("PDCORE_DEMO", "0")
    no_way_in(run())
    st.cache_resource.clear()
    con = db.connect(path)
    assert roster.staff_count(con) == 0
    con.close()
    monkeypatch.setenv("PDCORE_DEMO", "1")
    at = run()
    assert "Demo sign-in" in at.warning[0].value
    st.cache_resource.clear()
    con = db.connect(path)
    assert roster.staff_count(con) > 0
    con.close()


def test_an_address_the_provider_has_not_verified_is_refused(app_db, tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text(GOOD)
    secrets_files(monkeypatch, [path])
    at = run(DEMO_TEACHER, {"email_verified": False})
    assert "has not verified" in shown(at.error[0].value)
    assert [b.label for b in at.button] == ["Sign out"] and not at.sidebar.markdown
    at = run(DEMO_TEACHER, {"email_verified": True})
    assert not at.error and "Sign out" in [b.label for b in at.sidebar.button]


def test_the_school_domain_is_matched_exactly(app_db, tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text(GOOD)
    secrets_files(monkeypatch, [path])
    con = db.connect(app_db)
    with db.transaction(con) as cur:
        cur.execute(
            "INSERT INTO staff (email, name, role, department) VALUES "
            "('ana@evil-demo-school.org', 'Look Alike', 'admin', 'Maths')"
        )
    con.close()
    at = run("ana@evil-demo-school.org")
    assert "is not a demo-school.org address" in shown(at.error[0].value)
    assert not at.sidebar.markdown
    at = run(DEMO_TEACHER.upper())
    assert not at.error and at.sidebar.markdown


def test_only_the_demo_school_is_offered_the_demo_files(app_db, tmp_path, monkeypatch):
    from pdcore.ui import sync_schedule

    monkeypatch.setattr(sync_schedule, "start", lambda con: False)

    def demo_files_offered(email: str) -> bool:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.user = {"is_logged_in": True, "email": email, "name": "x"}
        at.run()
        at.switch_page("pages/data.py").run()
        assert not at.exception and at.title[0].value == "Data and sync"
        return any("demo files" in e.label for e in at.expander)

    assert demo_files_offered("dana.whitfield@demo-school.org")
    path = tmp_path / "real.duckdb"
    real_school(path)
    monkeypatch.setenv("PDCORE_DB", str(path))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(GOOD)
    secrets_files(monkeypatch, [secrets])
    st.cache_resource.clear()
    assert not demo_files_offered("head@real-school.org")
