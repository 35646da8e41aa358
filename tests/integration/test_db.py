"""The database: schema migrations keep data, transactions roll back, a held file is named."""

import subprocess
import sys

import duckdb
import pytest

from pdcore import db


def test_new_database_gets_the_whole_schema(con):
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    for needed in (
        "staff",
        "topics",
        "interests",
        "learning_prefs",
        "availability",
        "colleague_requests",
        "meeting_slots",
        "cohorts",
        "memberships",
        "goals",
        "meetings",
        "attendance",
        "reflections",
        "help_requests",
        "coach_followups",
        "growth_plans",
        "sd_sessions",
        "sd_signups",
        "settings",
        "sync_runs",
        "audit_log",
    ):
        assert needed in tables
    assert db.schema_version(con) == max(v for v, _ in db.migrations())


def test_reopening_keeps_rows_and_a_newer_migration_applies(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO staff (email, name) VALUES ('kept@school.test', 'Kept')")
    old_version = db.schema_version(con)
    con.close()

    shipped = db.migrations()
    newer = (old_version + 1, "ALTER TABLE staff ADD COLUMN pronouns VARCHAR DEFAULT '';")
    monkeypatch.setattr(db, "migrations", lambda: [*shipped, newer])
    con = db.connect(path)
    assert db.schema_version(con) == old_version + 1
    assert con.execute("SELECT name, pronouns FROM staff").fetchall() == [("Kept", "")]
    con.close()


def test_a_failed_migration_leaves_the_previous_version_and_data(tmp_path, monkeypatch):
    path = tmp_path / "f.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO staff (email, name) VALUES ('kept@school.test', 'Kept')")
    version = db.schema_version(con)
    con.close()
    broken = (version + 1, "ALTER TABLE staff ADD COLUMN x INTEGER; SELECT * FROM no_such;")
    shipped = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [*shipped, broken])
    with pytest.raises(duckdb.Error):
        db.connect(path)
    monkeypatch.setattr(db, "migrations", lambda: shipped)
    con = db.connect(path)
    assert db.schema_version(con) == version
    assert "x" not in {r[0] for r in con.execute("DESCRIBE staff").fetchall()}
    assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 1


def test_transaction_rolls_back_everything_on_error(con):
    before = db.data_version(con)
    with pytest.raises(RuntimeError), db.transaction(con) as cur:
        cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
    assert db.data_version(con) == before
    with db.transaction(con) as cur:
        cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
    assert db.data_version(con) > before  # the write moved the cache key on


def test_a_file_held_by_another_process_gets_one_clear_sentence(tmp_path):
    path = tmp_path / "held.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('ok', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(db.DatabaseBusy) as caught:
            db.connect(path)
        message = str(caught.value)
        assert str(path) in message and "in use by another process" in message
        cli = subprocess.run(
            [sys.executable, "-m", "pdcore", "--db", str(path), "info"],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 1
        assert cli.stderr.count("\n") == 1 and "in use by another process" in cli.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_the_import_guard_migration_keeps_the_run_history(tmp_path, monkeypatch):
    path = tmp_path / "before-070.duckdb"
    shipped = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in shipped if m[0] < 70])
    con = db.connect(path)
    con.execute(
        "INSERT INTO sync_runs (source, status, rows_read, message) "
        "VALUES ('csv', 'ok', 260, 'roster: 260 rows read')"
    )
    con.close()
    monkeypatch.setattr(db, "migrations", lambda: shipped)
    con = db.connect(path)
    assert con.execute("SELECT id, status, rows_read, message FROM sync_runs").fetchall() == [
        (1, "ok", 260, "roster: 260 rows read")
    ]
    new_id = con.execute(
        "INSERT INTO sync_runs (source, status, held) VALUES ('sheets', 'held', '[]') RETURNING id"
    ).fetchone()[0]
    assert new_id == 2  # the id sequence carries on
    con.close()


def test_a_new_database_file_appears_whole(tmp_path):
    target = tmp_path / "fresh.duckdb"
    con = db.connect(target)
    con.close()
    assert [p.name for p in tmp_path.iterdir()] == ["fresh.duckdb"]  # no side files left
