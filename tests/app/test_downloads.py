"""Every download is inert: Streamlit's own table export is off, and every download button on
every page, for every role, on a school full of formula-like names, holds no live formula."""

from __future__ import annotations

import csv
import io
import tomllib

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from pdcore import db
from pdcore.ui.navigation import PAGES
from tests.conftest import DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER, ROOT
from tests.fixtures.hostile import FORMULA_STARTS, make_hostile

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def test_streamlit_table_export_is_switched_off():
    """The toolbar's "Download as CSV" (and copy) of st.dataframe does no formula escaping."""
    with open(ROOT / ".streamlit" / "config.toml", "rb") as f:
        client = tomllib.load(f)["client"]
    assert client["disableDataExport"] is True
    assert "client.disableDataExport" in config.get_config_options()  # a real 1.67 option


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def downloads(monkeypatch):
    """Every st.download_button's file (a deferred one is built, as a click would)."""
    files: list[tuple[str, bytes]] = []
    real = st.download_button

    def recording(label, data, *args, **kwargs):
        body = data() if callable(data) else data
        files.append(
            (kwargs.get("file_name") or label, body if isinstance(body, bytes) else body.encode())
        )
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return files


@pytest.mark.parametrize("email", [DEMO_ADMIN, DEMO_COACH, DEMO_TEACHER])
def test_no_downloaded_table_has_a_live_formula(app_db, downloads, email):
    con = db.connect(app_db)
    make_hostile(con)
    con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": email, "name": "x"}
    at.run()
    role = _role_of(at)
    visited = 0
    for path, _title, _icon, roles, _section in PAGES:
        if not any(r.value == role for r in roles):
            continue
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        for toggle in at.toggle:  # tables shown on request (Participation's people)
            toggle.set_value(True)
        if at.toggle:
            at.run()
        visited += 1
    assert visited >= 9
    csvs = [(name, body) for name, body in downloads if name.endswith(".csv")]
    assert csvs or email == DEMO_TEACHER, "no table download was offered"
    seen_hostile = False
    for name, body in csvs:
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")):
            for cell in row:
                assert not (cell.startswith(FORMULA_CHARS) and not _is_number(cell)), (name, cell)
                seen_hostile |= any(cell == "'" + f for f in FORMULA_STARTS)
    if email == DEMO_ADMIN:
        assert seen_hostile, "the hostile values never reached a download"


def _role_of(at: AppTest) -> str:
    caption = at.sidebar.markdown[0].value
    return caption.split("  \n")[1].split(" ·")[0].lower()
