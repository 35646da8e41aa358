"""Fixtures the integration tests share. Every test that takes a database (`con`, `make`,
`demo_con`, `school_db`) runs twice: on DuckDB and on PostgreSQL (a throwaway server)."""

from __future__ import annotations

import shutil

import pytest

from pdcore import db, sheets

BACKENDS = ["duckdb", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def con(backend, request):
    """A fresh, empty database with the current schema, on each backend."""
    if backend == "duckdb":
        connection = db.connect(db.MEMORY)
    else:
        connection = db.connect(request.getfixturevalue("pg_database")("empty"))
    yield connection
    connection.close()


@pytest.fixture
def demo_con(backend, demo_file, tmp_path, request):
    """A private, writable copy of the demo school, on each backend."""
    if backend == "duckdb":
        path = tmp_path / "demo-copy.duckdb"
        shutil.copy(demo_file, path)
        connection = db.connect(path)
    else:
        connection = db.connect(request.getfixturevalue("pg_database")("demo"))
    yield connection
    connection.close()


@pytest.fixture
def school_db(backend, demo_file, tmp_path, monkeypatch, request):
    """A private copy of the demo school (260 active staff): a file in a folder of its own
    (DuckDB) or a database URL (PostgreSQL), with no Sheets credentials around (no
    .streamlit/secrets.toml, no key in the environment)."""
    monkeypatch.chdir(tmp_path)
    for name in (sheets.ENV_JSON, sheets.ENV_FILE):
        monkeypatch.delenv(name, raising=False)
    if backend == "postgresql":
        return request.getfixturevalue("pg_database")("demo")
    path = tmp_path / "school.duckdb"
    shutil.copy(demo_file, path)
    return path


def query(path, sql, params=()):
    """Rows of one query on a database file, opened and closed around it."""
    con = db.connect(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
