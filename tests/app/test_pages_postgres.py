"""The app on PostgreSQL: every page for every role, and a server that goes away and back."""

from __future__ import annotations

import pytest
import streamlit as st

from tests import pgserver
from tests.app.test_pages import CASES, ROLE_EMAIL
from tests.conftest import DEMO_TEACHER, open_as, secrets_files, shown


@pytest.fixture
def pg_app(monkeypatch, pg_database):
    """Point the app at a private PostgreSQL copy of the demo school."""
    monkeypatch.setenv("PDCORE_DB", pg_database("demo"))
    monkeypatch.setenv("PDCORE_DEMO", "1")
    secrets_files(monkeypatch, [])
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize(("path", "role"), CASES)
def test_page_renders_on_postgresql(pg_app, path, role):
    at = open_as(ROLE_EMAIL[role], page=path)
    assert not at.exception, at.exception
    assert at.title, f"{path} shows no title"
    assert not at.error, [e.value for e in at.error]


def test_an_unreachable_database_is_one_sentence_and_no_sign_in(monkeypatch):
    monkeypatch.setenv("PDCORE_DB", "postgresql://pd:pw@127.0.0.1:9/district")
    monkeypatch.setenv("PDCORE_DEMO", "1")
    secrets_files(monkeypatch, [])
    st.cache_resource.clear()
    at = open_as(DEMO_TEACHER)
    assert not at.exception
    assert "The PostgreSQL database at 127.0.0.1:9/district cannot be reached" in shown(
        at.error[0].value
    )
    assert not at.title or "Welcome" not in at.title[0].value


def test_a_server_restart_shows_a_sentence_then_the_page_comes_back(monkeypatch, pg_templates):
    url, folder = pgserver.start()
    try:
        monkeypatch.setenv("PDCORE_DB", pgserver.create(url))
        monkeypatch.setenv("PDCORE_DEMO", "1")  # an empty database becomes the demo school
        secrets_files(monkeypatch, [])
        st.cache_resource.clear()
        st.cache_data.clear()
        at = open_as(DEMO_TEACHER)
        assert not at.exception and at.title[0].value.startswith("Welcome, Ana")
        # the process keeps its one pool (st.cache_resource) across the visits below
        pgserver.down(folder)
        st.cache_data.clear()
        at = open_as(DEMO_TEACHER)
        assert not at.exception
        assert "is not answering" in shown(at.error[0].value)
        assert [b.label for b in at.button] == ["Try again"]
        pgserver.up(folder)
        at.button[0].click().run()
        assert not at.exception and at.title[0].value.startswith("Welcome, Ana")
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        pgserver.stop(folder)
