"""PostgreSQL faults as a district meets them: a wrong address, a server that restarts under
a running app, two processes migrating one database at once."""

from __future__ import annotations

import socket
import threading

import pytest

from pdcore import cli, db, postgres
from tests import pgserver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_address_is_one_sentence_in_the_core_and_the_cli(capsys):
    url = f"postgresql://pd:s3cret-pw@127.0.0.1:{_free_port()}/district"
    with pytest.raises(db.DatabaseUnavailable) as caught:
        db.connect(url)
    message = str(caught.value)
    assert f"127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}/district" in message
    assert "refused" in message.lower()
    assert "s3cret-pw" not in message  # the password never reaches a screen or a log

    assert cli.main(["--db", url, "info"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: The PostgreSQL database at 127.0.0.1:")
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "s3cret-pw" not in err


def test_a_wrong_database_name_says_so(pg_server):
    url = pgserver.url_of(pg_server, "no_such_school")
    with pytest.raises(db.DatabaseUnavailable, match='database "no_such_school" does not exist'):
        db.connect(url)


def test_a_restarting_server_fails_with_a_sentence_and_recovers_by_itself():
    url, folder = pgserver.start()
    try:
        con = db.connect(pgserver.create(url))
        with db.transaction(con) as cur:
            cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
        pgserver.down(folder)
        with pytest.raises(db.DatabaseUnavailable, match="PostgreSQL database at 127.0.0.1"):
            con.execute("SELECT count(*) FROM staff").fetchone()
        with pytest.raises(db.DatabaseUnavailable), db.transaction(con) as cur:
            cur.execute("INSERT INTO staff (email, name) VALUES ('b@school.test', 'B')")
        pgserver.up(folder)
        # the same connection object: its pool replaces the broken connections itself
        assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 1
        with db.transaction(con) as cur:
            cur.execute("INSERT INTO staff (email, name) VALUES ('b@school.test', 'B')")
        assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 2
        con.close()
    finally:
        pgserver.stop(folder)


def test_two_processes_migrating_one_database_apply_each_migration_once(pg_server):
    url = pgserver.create(pg_server)  # empty: no schema yet
    start = threading.Barrier(4)
    versions, errors = [], []

    def open_it():
        try:
            start.wait()
            con = db.connect(url)  # each its own pool, as separate app processes are
            versions.append(db.schema_version(con))
            con.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    latest = db.migrations()[-1][0]
    assert versions == [latest] * 4
    con = db.connect(url)
    rows = con.execute("SELECT version, count(*) FROM schema_version GROUP BY version").fetchall()
    assert sorted(rows) == [(v, 1) for v, _ in db.migrations()]
    con.close()


def test_parameters_translate_around_quotes_and_comments():
    sql = "SELECT '?%', \"a?\", x FROM t WHERE a = ? AND $s IS NULL AND b LIKE 'x%' -- ?"
    assert postgres.translate(sql) == (
        "SELECT '?%%', \"a?\", x FROM t WHERE a = %s AND %(s)s::text IS NULL AND b LIKE 'x%%' -- ?"
    )


def test_a_write_waiting_too_long_for_the_lock_is_told_the_database_is_busy(
    pg_database, monkeypatch
):
    import psycopg

    url = pg_database("empty")
    con = db.connect(url)
    monkeypatch.setattr(postgres, "WRITE_WAIT_SECONDS", 1)
    with psycopg.connect(url, autocommit=True) as holder:  # another process mid-write
        holder.execute("SELECT pg_advisory_lock(%s)", [postgres.WRITE_LOCK_KEY])
        with (
            pytest.raises(db.DatabaseBusy, match="busy with a long change"),
            db.transaction(con) as cur,
        ):
            cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
    with db.transaction(con) as cur:  # released: writes go through again
        cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
    assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 1
    con.close()


def test_a_nested_write_transaction_fails_at_once_instead_of_waiting_on_itself(pg_database):
    con = db.connect(pg_database("empty"))
    with (
        pytest.raises(RuntimeError, match="cannot open another"),
        db.transaction(con),
        db.transaction(con),
    ):
        pass
    with db.transaction(con) as cur:  # the thread is free to write again
        cur.execute("INSERT INTO staff (email, name) VALUES ('a@school.test', 'A')")
    con.close()
