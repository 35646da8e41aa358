"""The edges a real school hits (issue 12), each through the real command line or a real
gspread client answered offline: damaged and filtered rosters, Google's own date formats,
checkbox answers, write-ins, Google sign-in failures, concurrent imports, new database files."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
from datetime import datetime

import pytest

from pdcore import authz, cli, db, imports, sheets
from pdcore.ui import sync_schedule
from tests.conftest import ROOT, under_faketime
from tests.fixtures.sheets.replay import (
    HERE,
    SCHOOL_KEY,
    TOKEN_URI,
    csv_rows,
    mount_offline,
    network_down,
    offline_client,
    school_sheet,
    service_account_info,
    token_granted,
    token_refused,
)
from tests.integration.conftest import query

DEMO_ROSTER = ROOT / "data" / "demo_roster.csv"
DEMO_RESPONSES = ROOT / "data" / "demo_responses.csv"
RESPONSE_HEADER = csv_rows(DEMO_RESPONSES)[0]
MAYA = "maya.okafor@demo-school.org"


@pytest.fixture(autouse=True)
def school_in_new_york(monkeypatch):
    """The school's zone, so Google's times (GMT-5, a Sheet's zone) convert the same anywhere."""
    monkeypatch.setenv("PDCORE_TIMEZONE", "America/New_York")


def active(path) -> int:
    return query(path, "SELECT count(*) FROM staff WHERE active")[0][0]


def pdcore(path, *args) -> int:
    return cli.main(["--db", str(path), *args])


def write(tmp_path, name: str, rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target = tmp_path / name
    target.write_text(out.getvalue(), encoding="utf-8")
    return str(target)


def roster_rows() -> list[list[str]]:
    return csv_rows(DEMO_ROSTER)


def response(stamp: str, email: str, first: str = "Web Tools", **cells) -> list[str]:
    row = dict.fromkeys(RESPONSE_HEADER, "")
    row.update({"Timestamp": stamp, "Email Address": email, "First choice": first})
    row.update(cells)
    return [row[h] for h in RESPONSE_HEADER]


def last_run(path):
    return query(path, "SELECT status, message, held FROM sync_runs ORDER BY id DESC LIMIT 1")[0]


# ---- 1. a roster can only shrink on purpose -------------------------------------------------


def test_an_unclosed_quote_is_refused_naming_its_row(school_db, tmp_path, capsys):
    lines = DEMO_ROSTER.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace(",Ana Ruiz,", ',"Ana Ruiz,')  # row 6 of the file
    bad = tmp_path / "roster.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    before = active(school_db)

    assert pdcore(school_db, "import", "--roster", str(bad)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "starting on row 6 (line 6 of the file)" in err and "closing quote" in err
    assert active(school_db) == before
    assert last_run(school_db)[0] == "failed"


def test_a_filtered_roster_writes_nothing_until_confirmed(school_db, tmp_path, capsys):
    rows = roster_rows()
    short = write(tmp_path, "filtered.csv", rows[:11])  # the header and ten people
    before = active(school_db)

    assert pdcore(school_db, "import", "--roster", short) == 1
    err = capsys.readouterr().err
    would_go = before - 10
    assert f"would deactivate {would_go} of {before} active staff" in err
    assert err.count("  would deactivate: ") == would_go
    assert "Kofi Hart <kofi.hart@demo-school.org>" in err  # named, with the address
    assert "--confirm-deactivate" in err
    assert active(school_db) == before
    status, _message, held = last_run(school_db)
    assert status == "held" and "kofi.hart@demo-school.org" in held

    assert pdcore(school_db, "import", "--roster", short, "--confirm-deactivate") == 0
    out = capsys.readouterr().out
    assert f"{would_go} deactivated" in out and "Deactivated: " in out
    assert active(school_db) == 10


def test_a_skipped_row_holds_back_every_deactivation(school_db, tmp_path, capsys):
    rows = roster_rows()
    rows[3][0] = "maya okafor@demo-school.org"  # a typo: the row is skipped
    path = write(tmp_path, "roster.csv", rows)

    assert pdcore(school_db, "import", "--roster", path) == 0
    out, err = capsys.readouterr()
    assert "row 4, Email: 'maya okafor@demo-school.org' is not an email address" in err
    assert "were NOT deactivated" in out and "Maya Okafor" in out
    assert query(school_db, "SELECT active, role FROM staff WHERE email = ?", [MAYA]) == [
        (True, "coach")
    ]
    # Kofi Hart, who really left, waits too: the admin confirms once the list is right.
    assert query(
        school_db, "SELECT active FROM staff WHERE email = 'kofi.hart@demo-school.org'"
    ) == [(True,)]
    # A responses-only import since does not make the waiting list disappear.
    assert pdcore(school_db, "import", "--responses", str(DEMO_RESPONSES)) == 0
    con = db.connect(school_db)
    pending = imports.pending_confirmation(con)
    con.close()
    assert pending and {e for e, _n in pending[2]} == {MAYA, "kofi.hart@demo-school.org"}


def test_a_short_row_keeps_what_is_on_file(school_db, tmp_path, capsys):
    rows = roster_rows()
    rows[3] = rows[3][:2]  # Maya's row stops after her name
    path = write(tmp_path, "roster.csv", rows)

    assert pdcore(school_db, "import", "--roster", path) == 0
    err = capsys.readouterr().err
    assert "row 4, Department: the row has 2 cells, fewer than the header" in err
    assert query(
        school_db, "SELECT department, role, school, active FROM staff WHERE email = ?", [MAYA]
    ) == [("Coaching", "coach", "Riverside High School", True)]


def test_the_summary_names_who_was_added_changed_and_deactivated(school_db, capsys):
    assert pdcore(school_db, "import", "--roster", str(DEMO_ROSTER)) == 0
    out = capsys.readouterr().out
    assert "Deactivated: Kofi Hart." in out
    assert "Changed: " in out and "department " in out and " -> " in out
    message = query(school_db, "SELECT message, details FROM sync_runs ORDER BY id DESC")[0]
    assert "Deactivated: Kofi Hart." in message[0] and "Added: " in message[0]
    assert '"deactivated": ["Kofi Hart"]' in message[1]


def test_a_held_sync_is_confirmed_for_exactly_the_people_shown(school_db):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    rows = roster_rows()
    sheet = school_sheet(rows[:11], [RESPONSE_HEADER])
    client, _ = offline_client(sheet)
    with pytest.raises(imports.ShrinkHeld) as held:
        imports.sync_sheets(con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None)
    shown = [e for e, _n in held.value.people]
    # Someone else also leaving since the list was shown: the confirmation does not cover them.
    client, _ = offline_client(school_sheet(rows[:10], [RESPONSE_HEADER]))
    with pytest.raises(imports.ShrinkHeld):
        imports.sync_sheets(
            con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None, confirm_deactivate=shown
        )
    client, _ = offline_client(sheet)
    result = imports.sync_sheets(
        con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None, confirm_deactivate=shown
    )
    assert result.roster.deactivated == len(shown)
    assert imports.pending_confirmation(con) is None
    con.close()


# ---- 2. damaged sources ---------------------------------------------------------------------


def test_a_cell_spanning_many_lines_is_refused(school_db, tmp_path, capsys):
    rows = [RESPONSE_HEADER]
    note = "\n".join(f"line {i}" for i in range(30))
    rows.append(response("11/18/2026 7:52:14", MAYA, **{"Other topic": note}))
    path = write(tmp_path, "responses.csv", rows)
    assert pdcore(school_db, "import", "--responses", path) == 1
    assert "row 2 (line 2 of the file) that runs for 30 lines" in capsys.readouterr().err


def test_a_response_sheet_far_shorter_than_the_last_sync_is_refused(school_db):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    emails = [r[0] for r in roster_rows()[1:]]
    many = [RESPONSE_HEADER] + [response("11/18/2026 7:52:14", e) for e in emails[:40]]
    client, _ = offline_client(school_sheet(roster_rows(), many))
    imports.sync_sheets(con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None)
    client, _ = offline_client(school_sheet(roster_rows(), many[:6]))
    with pytest.raises(imports.SourceProblem, match="5 rows where the last sync read 40"):
        imports.sync_sheets(con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None)
    con.close()


def test_when_every_row_fails_the_run_fails(school_db, tmp_path, capsys):
    rows = [
        RESPONSE_HEADER,
        response("someday", MAYA),
        response("later", "ana.ruiz@demo-school.org"),
    ]
    path = write(tmp_path, "responses.csv", rows)
    assert pdcore(school_db, "import", "--responses", path) == 1
    err = capsys.readouterr().err
    assert "Every one of the 2 rows of the form responses has a problem" in err
    assert last_run(school_db)[0] == "failed"


# ---- 3. dates as Google writes them ---------------------------------------------------------


def submitted(path, email):
    return query(
        path,
        "SELECT r.submitted_at FROM survey_responses r JOIN staff s ON s.id = r.staff_id "
        "WHERE s.email = ?",
        [email],
    )[0][0]


def first_choice(path, email):
    return query(
        path,
        "SELECT t.name FROM interests i JOIN staff s ON s.id = i.staff_id "
        "JOIN topics t ON t.id = i.topic_id WHERE s.email = ? AND i.rank = 1",
        [email],
    )[0][0]


def test_the_csv_google_forms_downloads_imports_every_row(school_db, capsys):
    path = HERE / "forms_download.csv"
    args = ("import", "--roster", str(DEMO_ROSTER), "--responses", str(path))
    assert pdcore(school_db, *args) == 0
    out, err = capsys.readouterr()
    assert "responses: 7 rows read" in out and "not a date" not in err
    stamp = submitted(school_db, "priya.ramanathan@demo-school.org")
    assert stamp == datetime(2026, 11, 18, 7, 52, 14)  # GMT-5 is the school's own zone


def test_a_day_first_file_is_read_day_first_throughout(school_db, tmp_path, capsys):
    rows = [
        RESPONSE_HEADER,
        response("03/11/2026 08:00:00", MAYA, "Project Based Learning"),  # 3 November
        response("10/04/2026 09:00:00", MAYA, "Web Tools"),  # 10 April: older
        response("18/11/2026 10:00:00", "ana.ruiz@demo-school.org"),  # only day-first fits
    ]
    assert pdcore(school_db, "import", "--responses", write(tmp_path, "r.csv", rows)) == 0
    assert first_choice(school_db, MAYA) == "Project Based Learning"
    assert submitted(school_db, MAYA) == datetime(2026, 11, 3, 8, 0)
    assert "fits both orders" not in capsys.readouterr().out


def test_an_ambiguous_file_is_reported_and_the_setting_decides(school_db, tmp_path, capsys):
    from pdcore import settings

    rows = [
        RESPONSE_HEADER,
        response("03/11/2026 08:00:00", MAYA, "Project Based Learning"),
        response("10/04/2026 09:00:00", MAYA, "Web Tools"),
    ]
    path = write(tmp_path, "r.csv", rows)
    assert pdcore(school_db, "import", "--responses", path) == 0
    out = capsys.readouterr().out
    assert "Every date in the file fits both orders (such as '03/11/2026 08:00:00')" in out
    assert "read month-first" in out
    assert first_choice(school_db, MAYA) == "Web Tools"  # October 4 is after March 11
    con = db.connect(school_db)
    settings.save(con, authz.COMMAND_LINE, ambiguous_dates_day_first=True)
    con.close()
    assert pdcore(school_db, "import", "--responses", path) == 0
    assert "read day-first" in capsys.readouterr().out
    assert first_choice(school_db, MAYA) == "Project Based Learning"


def test_a_sheet_in_a_day_first_locale_uses_its_locale_and_time_zone(school_db):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    rows = [
        RESPONSE_HEADER,
        response("03/11/2026 08:00:00", MAYA, "Project Based Learning"),
        response("10/04/2026 09:00:00", MAYA, "Web Tools"),
    ]
    client, replay = offline_client(
        school_sheet(roster_rows(), rows, locale="en_GB", time_zone="America/Chicago")
    )
    imports.sync_sheets(con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None)
    con.close()
    assert replay.count() == 2  # the metadata (locale, time zone) and one batchGet
    assert first_choice(school_db, MAYA) == "Project Based Learning"
    assert submitted(school_db, MAYA) == datetime(2026, 11, 3, 9, 0)  # Chicago 8:00 = NY 9:00


# ---- 4. answers parsed against what the form offers -----------------------------------------


def test_a_checkbox_option_with_commas_is_one_slot(school_db, tmp_path, capsys):
    con = db.connect(school_db)
    with db.transaction(con) as cur:
        cur.execute(
            "INSERT INTO meeting_slots (id, label, in_school_day, sort_order) "
            "SELECT max(id) + 1, 'Before school (7:00, 7:30)', false, max(sort_order) + 1 "
            "FROM meeting_slots"
        )
    slots_before = con.execute("SELECT count(*) FROM meeting_slots").fetchone()[0]
    con.close()
    rows = [
        RESPONSE_HEADER,
        response(
            "11/18/2026 7:52:14",
            MAYA,
            **{"When I can meet": "Before school (7:00, 7:30), Wed lunch"},
        ),
    ]
    assert pdcore(school_db, "import", "--responses", write(tmp_path, "r.csv", rows)) == 0
    assert "warning" not in capsys.readouterr().err
    assert query(school_db, "SELECT count(*) FROM meeting_slots")[0][0] == slots_before
    labels = query(
        school_db,
        "SELECT m.label FROM availability a JOIN meeting_slots m ON m.id = a.slot_id "
        "JOIN staff s ON s.id = a.staff_id WHERE s.email = ? ORDER BY m.label",
        [MAYA],
    )
    assert labels == [("Before school (7:00, 7:30)",), ("Wed lunch",)]


def test_an_unknown_slot_answer_waits_for_an_admin_to_map_it(school_db, tmp_path, capsys):
    from pdcore.model import PermissionDenied, Role, StaffMember

    rows = [
        RESPONSE_HEADER,
        response("11/18/2026 7:52:14", MAYA, **{"When I can meet": "Fri lunch, Wed lunch"}),
    ]
    path = write(tmp_path, "r.csv", rows)
    assert pdcore(school_db, "import", "--responses", path) == 0
    assert "'Fri lunch' is not one of the school's meeting slots" in capsys.readouterr().err
    assert query(school_db, "SELECT count(*) FROM meeting_slots WHERE label = 'Fri lunch'") == [
        (0,)
    ]
    con = db.connect(school_db)
    assert imports.unmapped_slot_answers(con) == ["Fri lunch"]
    admin_id, name = con.execute("SELECT id, name FROM staff WHERE role = 'admin'").fetchone()
    admin = StaffMember(admin_id, "dana.whitfield@demo-school.org", name, "", Role.ADMIN)
    teacher = StaffMember(5, "ana.ruiz@demo-school.org", "Ana Ruiz", "", Role.TEACHER)
    thursday = con.execute("SELECT id FROM meeting_slots WHERE label = 'Thu lunch'").fetchone()[0]
    with pytest.raises(PermissionDenied):
        imports.map_slot_answer(con, teacher, "Fri lunch", thursday)
    assert imports.map_slot_answer(con, admin, "Fri lunch", thursday) == "Thu lunch"
    assert imports.unmapped_slot_answers(con) == []
    con.close()
    assert pdcore(school_db, "import", "--responses", path) == 0
    assert "warning" not in capsys.readouterr().err
    got = query(
        school_db,
        "SELECT m.label FROM availability a JOIN meeting_slots m ON m.id = a.slot_id "
        "JOIN staff s ON s.id = a.staff_id WHERE s.email = ? ORDER BY m.label",
        [MAYA],
    )
    assert got == [("Thu lunch",), ("Wed lunch",)]


def test_write_ins_have_a_length_limit_and_na_is_no_answer(school_db, tmp_path, capsys):
    essay = "We would like time to talk about " + "many things " * 117  # 1,433 characters
    people = [r[0] for r in roster_rows()[2:8]]
    rows = [RESPONSE_HEADER]
    for email, other in zip(
        people, [essay, "NA", "n/a", "-", "none", "Restorative circles"], strict=True
    ):
        rows.append(response("11/18/2026 7:52:14", email, **{"Other topic": other}))
    topics_before = query(school_db, "SELECT count(*) FROM topics")[0][0]
    assert pdcore(school_db, "import", "--responses", write(tmp_path, "r.csv", rows)) == 0
    out, err = capsys.readouterr()
    assert f"is {len(essay.strip()):,} characters long; a topic name can be at most 100" in err
    new = query(school_db, "SELECT name FROM topics ORDER BY id")[topics_before:]
    assert new == [("Restorative circles",)]
    assert "responses: 6 rows read" in out


# ---- 5. Google errors are sentences, and the scheduler survives them ------------------------


@pytest.fixture
def signed_in_sync(school_db, tmp_path, monkeypatch):
    """`pdcore sync` with a real service-account key whose sign-in is answered offline."""
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    con.close()
    info = service_account_info()
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        "[gcp_service_account]\n" + "".join(f'{k} = """{v}"""\n' for k, v in info.items()),
        encoding="utf-8",
    )
    real_client_for = sheets.client_for
    replays = []

    def answer(interactions):
        def client_for(key):
            client = real_client_for(key)  # the real sign-in code path
            replays.append(mount_offline(client, interactions))
            return client

        monkeypatch.setattr(sheets, "client_for", client_for)

    monkeypatch.setattr(sheets, "RETRY_WAITS", ())
    return answer, replays, info


def test_a_revoked_key_is_one_sentence_from_pdcore_sync(school_db, signed_in_sync, capsys):
    answer, replays, _info = signed_in_sync
    answer([token_refused()])
    assert pdcore(school_db, "sync") == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert "Google refused the service account's key" in err
    assert replays[0].requests[0][1] == TOKEN_URI  # it did try to sign in
    status, message, _held = last_run(school_db)
    assert status == "failed" and "Google refused the service account's key" in message


def test_an_unreachable_token_server_is_one_sentence(school_db, signed_in_sync, capsys):
    answer, _replays, _info = signed_in_sync
    answer([network_down("POST", TOKEN_URI)])
    assert pdcore(school_db, "sync") == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Could not reach Google's sign-in server" in err


def test_a_signed_in_sync_reads_with_two_requests(school_db, signed_in_sync, capsys):
    answer, replays, _info = signed_in_sync
    answer([token_granted(), *school_sheet(roster_rows(), csv_rows(DEMO_RESPONSES))])
    assert pdcore(school_db, "sync") == 0
    api = [u for _m, u, _b in replays[0].requests if u != TOKEN_URI]
    assert len(api) == 2 and "values:batchGet" in api[1]


@under_faketime
def test_the_scheduler_survives_any_failure_and_shows_it(school_db, monkeypatch):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    calls = []

    def broken(info):
        calls.append(1)
        raise RuntimeError("the auth library blew up")

    monkeypatch.setattr(sheets, "client_for", broken)
    assert sync_schedule.run_if_due(con, {"client_email": "x@y.iam"}) is None  # no raise
    state = sync_schedule.state(con)
    assert state.last_status == "failed" and "the auth library blew up" in state.last_error
    assert state.next_run is not None and state.next_run > state.last_run

    # The thread keeps its schedule through failures instead of dying on the first one.
    monkeypatch.setattr(sync_schedule, "CHECK_SECONDS", 0.01)
    monkeypatch.setattr(sync_schedule, "due", lambda con, now=None: True)
    worker = sync_schedule._Worker(con, {"client_email": "x@y.iam"})
    worker.start()
    try:
        for _ in range(500):
            if len(calls) >= 4:
                break
            threading.Event().wait(0.01)
        assert worker.is_alive() and len(calls) >= 4
    finally:
        worker.stop.set()
        worker.join(5)
    con.close()


# ---- 6. one writer at a time ----------------------------------------------------------------


@under_faketime
def test_a_csv_import_during_a_sync_is_not_undone_by_it(school_db, tmp_path):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    roster = roster_rows()
    client, replay = offline_client(school_sheet(roster, [RESPONSE_HEADER]))
    reading, release = threading.Event(), threading.Event()
    send = replay.send

    def slow_send(request, **kwargs):
        if "values:batchGet" in request.url:
            reading.set()
            release.wait(10)
        return send(request, **kwargs)

    replay.send = slow_send
    results = {}

    def sync():
        results["sync"] = imports.sync_sheets(
            con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None
        )

    def csv_import():
        new = [*roster, ["new.hire@demo-school.org", "New Hire", "Science", "teacher", "yes", ""]]
        out = io.StringIO()
        csv.writer(out).writerows(new)
        results["csv"] = imports.import_files(
            con, authz.COMMAND_LINE, roster_csv=out.getvalue().encode()
        )

    syncing = threading.Thread(target=sync)
    syncing.start()
    assert reading.wait(10)  # the sync has read the metadata and is reading the values
    importing = threading.Thread(target=csv_import)
    importing.start()
    importing.join(0.5)
    assert importing.is_alive()  # it waits for the sync instead of racing it
    release.set()
    syncing.join(10)
    importing.join(10)
    assert results["sync"].roster.deactivated == 1 and results["csv"].roster.added == 1
    hire = con.execute(
        "SELECT active FROM staff WHERE email = 'new.hire@demo-school.org'"
    ).fetchone()
    assert hire == (True,)  # the CSV came after the sync, so nothing undid it
    con.close()


# ---- 8. a database file is created whole ----------------------------------------------------

CRASH_WHILE_CREATING = """
import os, sys
from pdcore import db
real = db.migrate
def crash(con):
    con.execute("CREATE TABLE half (x INTEGER)")
    os._exit(9)  # as if killed while the new file was being built
db.migrate = crash
db.connect(sys.argv[1])
"""


def test_a_crash_while_creating_a_database_leaves_no_half_file(tmp_path):
    target = tmp_path / "new.duckdb"
    done = subprocess.run(
        [sys.executable, "-c", CRASH_WHILE_CREATING, str(target)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 9
    assert not target.exists()  # never half a database at the path
    con = db.connect(target)  # and the next start builds it whole
    assert db.schema_version(con) == max(v for v, _ in db.migrations())
    con.close()


def test_a_file_that_is_not_a_database_is_one_sentence(tmp_path, capsys):
    broken = tmp_path / "pd.duckdb"
    broken.write_bytes(b"DUCK" + b"\x00" * 100)  # a torn first page
    assert cli.main(["--db", str(broken), "info"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"The file {broken} is not a PD Cohorts database" in err and "backup" in err


def test_kill_9_the_instant_a_new_database_file_appears(tmp_path):
    import os
    import signal
    import time

    for attempt in range(2):
        target = tmp_path / f"school-{attempt}.duckdb"
        child = subprocess.Popen(
            [sys.executable, "-m", "pdcore", "--db", str(target), "info"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not target.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        con = db.connect(target)  # whatever the moment, the file at the path opens
        assert db.schema_version(con) == max(v for v, _ in db.migrations())
        con.close()
