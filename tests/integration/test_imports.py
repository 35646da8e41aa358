"""Importing the roster and form responses: the same checks whether the rows come from a
CSV file or from a Google Sheet (a real gspread client answered offline)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from pdcore import authz, db, imports, settings
from pdcore.imports import SourceProblem, parse_timestamp
from tests.fixtures.sheets.replay import HERE, SCHOOL_KEY, csv_rows, offline_client, school_sheet

ROSTER = csv_rows(HERE / "roster.csv")
RESPONSES = csv_rows(HERE / "responses.csv")
TOPICS = ("Project Based Learning", "Writing and Literacy", "Web Tools")
SNAPSHOT_TABLES = (
    "staff",
    "topics",
    "meeting_slots",
    "survey_responses",
    "interests",
    "learning_prefs",
    "availability",
    "colleague_requests",
)


@pytest.fixture
def school(con, make):
    """An empty school with the default slots, three offered topics and a connected sheet."""
    make.slots()
    for name in TOPICS:
        make.topic(name)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    return con


def as_csv(rows: list[list[str]]) -> bytes:
    """Rows as a spreadsheet exports them: every row as wide as the header."""
    width = len(rows[0]) if rows else 0
    out = io.StringIO()
    csv.writer(out).writerows([r + [""] * (width - len(r)) if r else r for r in rows])
    return out.getvalue().encode("utf-8")


def run(con, roster_rows, response_rows, via: str):
    """One import of these rows, from a CSV file or from the Sheet."""
    if via == "csv":
        return imports.import_files(
            con,
            authz.COMMAND_LINE,
            None if roster_rows is None else as_csv(roster_rows),
            None if response_rows is None else as_csv(response_rows),
        )
    client, _replay = offline_client(school_sheet(roster_rows, response_rows))
    return imports.sync_sheets(con, authz.COMMAND_LINE, client=client, sleep=lambda _s: None)


def snapshot(con) -> dict:
    cur = db.read(con)
    return {
        t: sorted(map(repr, cur.execute(f"SELECT * FROM {t}").fetchall())) for t in SNAPSHOT_TABLES
    }


def person(con, email):
    return (
        db.read(con)
        .execute(
            "SELECT id, name, department, role, active, deactivated_at FROM staff WHERE email = ?",
            [email],
        )
        .fetchone()
    )


def interests_of(con, email) -> list[str]:
    return [
        r[0]
        for r in db.read(con)
        .execute(
            "SELECT t.name FROM interests i JOIN staff s ON s.id = i.staff_id "
            "JOIN topics t ON t.id = i.topic_id WHERE s.email = ? ORDER BY i.rank",
            [email],
        )
        .fetchall()
    ]


def runs(con):
    return db.read(con).execute("SELECT status, message FROM sync_runs ORDER BY id").fetchall()


VIA = pytest.mark.parametrize("via", ["csv", "sheet"])


@VIA
def test_happy_path_imports_people_answers_slots_and_write_ins(school, via):
    result = run(school, ROSTER, RESPONSES, via)

    assert (result.roster.rows_read, result.roster.added, result.roster.deactivated) == (10, 9, 0)
    assert (result.responses.rows_read, result.responses.added) == (9, 5)
    problems = [str(p) for p in result.problems]
    assert "row 6, Email Address: 'not-an-email' is not an email address; the row was skipped" in (
        problems
    )
    assert [(p.source, p.row, p.column) for p in result.problems] == [
        ("roster", 7, "Email"),
        ("roster", 9, "Role"),
        ("responses", 4, "Colleagues I'd like to work with"),
        ("responses", 4, "When I can meet"),
        ("responses", 6, "Email Address"),
        ("responses", 8, "How I want to learn"),
        ("responses", 9, "Timestamp"),
        ("responses", 10, "Email Address"),
    ]
    # Emails are stored trimmed and lower-case; an unknown role falls back to teacher.
    assert person(school, "maya.coach@school.test")[3] == "coach"
    assert person(school, "carla.patel@school.test")[1] == "Carla Patel"
    assert person(school, "dev.novak@school.test")[3] == "teacher"
    assert person(school, "elena.haddad@school.test")[4] is False
    # Ana answered twice: the later submission (row 7) wins, in its own order.
    assert interests_of(school, "ana.ruiz@school.test") == [
        "Writing and Literacy",
        "Project Based Learning",
    ]
    mode = db.read(school).execute(
        "SELECT mode FROM learning_prefs p JOIN staff s ON s.id = p.staff_id WHERE s.email = ?",
        ["ana.ruiz@school.test"],
    )
    assert mode.fetchone()[0] == "expert"
    # A slot the school's list lacks is a problem for an admin to map, never a silent new
    # slot; a topic nobody offered is a proposed write-in.
    labels = [r[0] for r in db.read(school).execute("SELECT label FROM meeting_slots").fetchall()]
    assert "Friday lunch" not in labels and len(labels) == 10
    assert imports.unmapped_slot_answers(school) == ["Friday lunch"]
    write_in = db.read(school).execute(
        "SELECT status, is_write_in FROM topics WHERE name = 'Restorative Practices'"
    )
    assert write_in.fetchone() == ("proposed", True)
    assert interests_of(school, "carla.patel@school.test") == ["Web Tools", "Restorative Practices"]
    assert any("'Friday lunch'" in n for n in result.notes)
    assert runs(school)[-1][0] == "ok"


@VIA
def test_second_run_is_a_no_op(school, via):
    run(school, ROSTER, RESPONSES, via)
    before = snapshot(school)
    again = run(school, ROSTER, RESPONSES, via)
    assert snapshot(school) == before
    assert (again.added, again.updated, again.deactivated) == (0, 0, 0)
    assert again.roster.unchanged == 9 and again.responses.unchanged == 5


@VIA
def test_duplicate_submissions_latest_timestamp_wins_whatever_the_row_order(school, via):
    header, *rows = RESPONSES
    run(school, ROSTER, [header, *reversed(rows)], via)  # the later answer now comes first
    assert interests_of(school, "ana.ruiz@school.test")[0] == "Writing and Literacy"


@VIA
def test_an_answer_given_in_the_app_since_the_form_is_kept(school, via):
    run(school, ROSTER, RESPONSES, via)
    with db.transaction(school) as cur:
        cur.execute(
            "UPDATE survey_responses SET submitted_at = ? WHERE staff_id = "
            "(SELECT id FROM staff WHERE email = 'ben.chen@school.test')",
            [datetime(2026, 11, 20, 9, 0)],
        )
        cur.execute(
            "UPDATE interests SET topic_id = (SELECT id FROM topics WHERE name = 'Web Tools') "
            "WHERE staff_id = (SELECT id FROM staff WHERE email = 'ben.chen@school.test')"
        )
    run(school, ROSTER, RESPONSES, via)
    assert interests_of(school, "ben.chen@school.test") == ["Web Tools"]


@VIA
def test_mixed_case_emails_are_one_person(school, via):
    roster = [ROSTER[0], ["dana.admin@school.test", "Dana", "", "admin"]]
    roster.append(["  Maya.Coach@School.TEST ", "Maya Coach", "Coaching", "coach"])
    responses = [RESPONSES[0], ["11/2/2026 8:00:00", "MAYA.COACH@school.test", "Web Tools"]]
    result = run(school, roster, responses, via)
    assert result.problems == []
    assert interests_of(school, "maya.coach@school.test") == ["Web Tools"]
    count = db.read(school).execute("SELECT count(*) FROM staff WHERE email LIKE 'maya%'")
    assert count.fetchone()[0] == 1


@VIA
def test_blank_rows_are_neither_read_nor_problems(school, via):
    roster = [ROSTER[0], [], ["", " ", ""], ["dana.admin@school.test", "Dana", "", "admin"], []]
    result = run(school, roster, [RESPONSES[0], ["", ""]], via)
    assert result.roster.rows_read == 1 and result.responses.rows_read == 0
    assert result.problems == []


@VIA
def test_duplicated_header_writes_nothing_and_says_which(school, via):
    before = snapshot(school)
    header = [*ROSTER[0][:3], "email"]
    with pytest.raises(SourceProblem, match=r"two columns named 'Email' \(columns A and D\)"):
        run(school, [header, *ROSTER[1:]], RESPONSES, via)
    assert snapshot(school) == before
    status, message = runs(school)[-1]
    assert status == "failed" and "two columns named" in message


@VIA
def test_missing_column_writes_nothing_and_names_it(school, via):
    before = snapshot(school)
    header = ["Timestamp", "Email", *RESPONSES[0][2:]]  # not "Email Address"
    with pytest.raises(SourceProblem, match="no 'Email Address' column"):
        run(school, ROSTER, [header, *RESPONSES[1:]], via)
    assert snapshot(school) == before  # the roster, though fine, was not imported either
    assert runs(school)[-1][0] == "failed"


@VIA
def test_empty_roster_is_refused_rather_than_deactivating_everyone(school, via):
    run(school, ROSTER, RESPONSES, via)
    before = snapshot(school)
    with pytest.raises(SourceProblem, match="roster is empty"):
        run(school, [], RESPONSES, via)
    assert snapshot(school) == before


@VIA
def test_a_failure_in_the_middle_leaves_the_database_unchanged(school, via, monkeypatch):
    before = snapshot(school)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The roster is applied first; the responses step then fails inside the same transaction.
    monkeypatch.setattr(imports, "_apply_responses", broken)
    with pytest.raises(RuntimeError):
        run(school, ROSTER, RESPONSES, via)
    assert snapshot(school) == before
    status, message = runs(school)[-1]
    assert status == "failed" and "disk full" in message


@VIA
def test_removal_from_the_roster_deactivates_and_keeps_history(school, via):
    run(school, ROSTER, RESPONSES, via)
    clean = [r for r in ROSTER if "not-an-email" not in "".join(r)]
    run(school, clean, RESPONSES[:1], via)
    without_ana = [r for r in clean if "ana.ruiz" not in "".join(r)]
    result = run(school, without_ana, RESPONSES[:1], via)
    assert result.roster.deactivated == 1 and result.roster.added == 0
    sid, _name, _dept, _role, active, deactivated_at = person(school, "ana.ruiz@school.test")
    assert active is False and deactivated_at is not None
    assert interests_of(school, "ana.ruiz@school.test")  # her answers are still there
    back = run(school, clean, RESPONSES[:1], via)
    assert back.roster.updated == 1
    assert person(school, "ana.ruiz@school.test")[4:] == (True, None)


@VIA
def test_a_roster_without_any_admin_is_refused(school, via):
    roster = [r for r in ROSTER if "dana.admin" not in "".join(r)]
    with pytest.raises(SourceProblem, match="no active admin"):
        run(school, roster, RESPONSES, via)
    assert db.read(school).execute("SELECT count(*) FROM staff").fetchone()[0] == 0


@VIA
def test_column_mapping_in_settings_overrides_the_default_headers(school, via):
    imports.save_source_config(
        school,
        authz.COMMAND_LINE,
        roster_columns={"email": "E-mail", "department": " Dept "},
    )
    assert settings.load(school).column_map["roster"] == {"email": "E-mail", "department": "Dept"}
    roster = [
        ["e-mail ", "NAME", "dept", "Role"],
        ["dana.admin@school.test", "Dana", "Office", "admin"],
    ]
    result = run(school, roster, RESPONSES[:1], via)
    assert result.roster.added == 1
    assert person(school, "dana.admin@school.test")[2] == "Office"


def test_every_run_is_logged_with_counts_and_problems(school):
    result = imports.import_files(school, authz.COMMAND_LINE, as_csv(ROSTER), as_csv(RESPONSES))
    row = (
        db.read(school)
        .execute(
            "SELECT source, status, rows_read, added, problems FROM sync_runs WHERE id = ?",
            [result.run_id],
        )
        .fetchone()
    )
    assert row[:4] == ("csv", "ok", 19, 14)
    logged = json.loads(row[4])
    assert logged[0] == {
        "sheet": "roster",
        "row": 7,
        "column": "Email",
        "problem": "'not-an-email' is not an email address; the row was skipped",
    }
    history = imports.sync_history(school)
    assert history.loc[0, "problems"] == 8 and history.loc[0, "status"] == "ok"


def test_a_file_that_is_not_csv_is_refused_in_one_sentence(school):
    workbook = b"PK\x03\x04" + b"\x00" * 100
    with pytest.raises(SourceProblem, match="Excel workbook, not CSV"):
        imports.import_files(school, authz.COMMAND_LINE, workbook)
    with pytest.raises(SourceProblem, match="not a CSV file"):
        imports.import_files(school, authz.COMMAND_LINE, b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert [r[0] for r in runs(school)] == ["failed", "failed"]


def test_csv_from_excel_with_semicolons_and_a_bom_reads_the_same(school):
    text = "\ufeff" + "\n".join(";".join(r) for r in ROSTER[:5] if r) + "\n"
    result = imports.import_files(school, authz.COMMAND_LINE, text.encode("utf-8"))
    assert result.roster.added == 4 and result.problems == []


def test_responses_alone_leave_the_roster_alone(school):
    imports.import_files(school, authz.COMMAND_LINE, as_csv(ROSTER), None)
    result = imports.import_files(school, authz.COMMAND_LINE, None, as_csv(RESPONSES))
    assert result.roster is None and result.responses.added == 5
    assert db.read(school).execute("SELECT count(*) FROM staff WHERE active").fetchone()[0] == 8


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("11/5/2026 16:20:00", False, datetime(2026, 11, 5, 16, 20)),
        ("11/5/2026 16:20:00", True, datetime(2026, 5, 11, 16, 20)),
        ("25/11/2026 8:05", True, datetime(2026, 11, 25, 8, 5)),
        ("25/11/2026 8:05", False, None),  # the order is the file's, never guessed per value
        # The CSV Google Forms downloads (the school's zone is America/New_York here).
        ("2026/11/18 7:52:14 AM GMT-5", False, datetime(2026, 11, 18, 7, 52, 14)),
        ("2026/11/18 12:05:00 AM GMT-5", True, datetime(2026, 11, 18, 0, 5)),
        ("2026/11/18 7:52:14 PM GMT-6", False, datetime(2026, 11, 18, 20, 52, 14)),
        ("18.11.2026 19:52:14", True, datetime(2026, 11, 18, 19, 52, 14)),  # de_DE
        ("11/5/2026 4:20:00 PM", False, datetime(2026, 11, 5, 16, 20)),
        ("2026-11-03 10:00:00", False, datetime(2026, 11, 3, 10, 0)),
        ("2026-11-03T10:00:00Z", False, datetime(2026, 11, 3, 5, 0)),  # UTC -> the school
        ("yesterday", False, None),
        ("13/13/2026", False, None),
    ],
)
def test_form_timestamps(text, day_first, expected, monkeypatch):
    monkeypatch.setenv("PDCORE_TIMEZONE", "America/New_York")
    assert parse_timestamp(text, day_first) == expected


def test_saving_a_sheet_link_keeps_the_key_and_refuses_overwriting_the_data(school):
    url = f"https://docs.google.com/spreadsheets/d/{SCHOOL_KEY}/edit#gid=0"
    saved = imports.save_source_config(
        school, authz.COMMAND_LINE, spreadsheet=url, cohorts_worksheet="Groups"
    )
    assert saved.spreadsheet == SCHOOL_KEY and saved.cohorts_worksheet == "Groups"
    with pytest.raises(ValueError, match="overwrite your data"):
        imports.save_source_config(school, authz.COMMAND_LINE, unmatched_worksheet="Roster")
    with pytest.raises(ValueError, match="not a Google Sheets link"):
        imports.save_source_config(school, authz.COMMAND_LINE, spreadsheet="my sheet")


def test_the_header_line_decides_the_separator():
    text = 'Email,Name\n"a@x.org; b@x.org; c@x.org; d@x.org",Ana\n'
    assert imports.csv_rows(text)[1] == ["a@x.org; b@x.org; c@x.org; d@x.org", "Ana"]
    assert imports.csv_rows("Email;Name\na@x.org;Ana, B.\n")[1] == ["a@x.org", "Ana, B."]
    assert imports.csv_rows("Email\tName\na@x.org\tAna\n")[1] == ["a@x.org", "Ana"]
