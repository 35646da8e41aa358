"""Fixtures the integration tests share: a private file copy of the demo school."""

from __future__ import annotations

import shutil

import pytest

from pdcore import db, sheets


@pytest.fixture
def school_db(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo school (260 active staff) in a folder of its own, with no
    Sheets credentials around (no .streamlit/secrets.toml, no key in the environment)."""
    path = tmp_path / "school.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.chdir(tmp_path)
    for name in (sheets.ENV_JSON, sheets.ENV_FILE):
        monkeypatch.delenv(name, raising=False)
    return path


def query(path, sql, params=()):
    """Rows of one query on a database file, opened and closed around it."""
    con = db.connect(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
