"""The Google Sheets adapter, driven through a real gspread.Client whose HTTP is answered
offline from recorded traffic and fixtures of the same wire shape: errors, quota, write-back."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pdcore import authz, db, imports, sheets
from pdcore.sheets import SheetsError
from tests.fixtures.sheets.replay import (
    HERE,
    RECORDED,
    RESPONSES_TITLE,
    ROSTER_TITLE,
    SCHOOL_KEY,
    UnrecordedRequest,
    batch_get,
    batch_get_uri,
    batch_update_uri,
    csv_rows,
    error,
    load_cassette,
    metadata,
    metadata_uri,
    network_down,
    offline_client,
    school_sheet,
    write_back,
)

ROSTER = csv_rows(HERE / "roster.csv")
RESPONSES = csv_rows(HERE / "responses.csv")
WORKSHEETS = {ROSTER_TITLE: (1000, 26), RESPONSES_TITLE: (1000, 12)}
BOTH = {ROSTER_TITLE: ROSTER, RESPONSES_TITLE: RESPONSES}
SA_EMAIL = "pd-cohorts@riverside-pd.iam.gserviceaccount.com"


@pytest.fixture
def school(con, make):
    make.slots()
    for name in ("Project Based Learning", "Writing and Literacy", "Web Tools"):
        make.topic(name)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    return con


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def staff_count(con) -> int:
    return db.read(con).execute("SELECT count(*) FROM staff").fetchone()[0]


def last_run(con):
    return db.read(con).execute("SELECT status, message FROM sync_runs ORDER BY id DESC").fetchone()


def test_the_harness_serves_real_recorded_traffic_to_gspread():
    recorded = load_cassette(RECORDED / "WorksheetTest.test_get_all_records.json")
    client, replay = offline_client(recorded)
    key = "1M2mlIn8G_4hZYnBE1oh10QU9qUFp9KhiIxBT9oTCKOI"
    values = client.open_by_key(key).sheet1.get_all_values()
    assert values[0] == ["A1", "B1", "", "D1"] and values[1][:3] == ["1", "b2", "1.45"]
    with pytest.raises(UnrecordedRequest):
        client.open_by_key("someone-elses-spreadsheet-key-000000")
    assert replay.count("GET") == 4


def test_recorded_404_reads_as_one_sentence():
    client, _ = offline_client(
        load_cassette(RECORDED / "ClientTest.test_access_non_existing_spreadsheet.json")
    )
    with pytest.raises(SheetsError, match="has no spreadsheet with that key") as caught:
        sheets.read_worksheets(client, "test", {"roster": "Roster"}, sleep=Sleeps())
    assert caught.value.__cause__.response.status_code == 404


def test_a_sync_reads_everything_with_two_requests(school):
    client, replay = offline_client(school_sheet(ROSTER, RESPONSES))
    result = imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())
    assert replay.count() == 2
    assert [r[0] for r in replay.requests] == ["GET", "GET"]
    assert "values:batchGet" in replay.requests[1][1]
    assert result.rows_read == 19 and result.source == "sheets"


def test_values_that_look_like_numbers_stay_text(school):
    roster = [ROSTER[0], ["dana.admin@school.test", "Dana", "007", "admin", "yes", "0042"]]
    client, _ = offline_client(school_sheet(roster, RESPONSES[:1]))
    imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())
    row = db.read(school).execute("SELECT department, school FROM staff").fetchone()
    assert row == ("007", "0042")


def test_403_says_whom_to_share_the_sheet_with(school):
    client, _ = offline_client([error(403, "GET", metadata_uri(SCHOOL_KEY))])
    with pytest.raises(SheetsError, match=f"share it with {SA_EMAIL}"):
        imports.sync_sheets(
            school,
            authz.COMMAND_LINE,
            client=client,
            info={"client_email": SA_EMAIL},
            sleep=Sleeps(),
        )
    assert staff_count(school) == 0
    status, message = last_run(school)
    assert status == "failed" and "share it with" in message


def test_404_on_sync_is_logged_and_writes_nothing(school):
    client, _ = offline_client([error(404, "GET", metadata_uri(SCHOOL_KEY))])
    with pytest.raises(SheetsError, match="no spreadsheet with that key"):
        imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())
    assert staff_count(school) == 0 and last_run(school)[0] == "failed"


def test_429_then_success_backs_off_briefly_and_imports(school):
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", WORKSHEETS),
            error(429, "GET", batch_get_uri(SCHOOL_KEY, list(BOTH))),
            error(429, "GET", batch_get_uri(SCHOOL_KEY, list(BOTH))),
            batch_get(SCHOOL_KEY, BOTH),
        ]
    )
    sleeps = Sleeps()
    result = imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=sleeps)
    assert sleeps == [1.0, 2.0]
    assert replay.count() == 4 and result.roster.added == 9


def test_quota_that_does_not_clear_gives_up_quickly_with_a_clear_message(school):
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", WORKSHEETS),
            error(429, "GET", batch_get_uri(SCHOOL_KEY, list(BOTH))),
        ]
    )
    sleeps = Sleeps()
    with pytest.raises(SheetsError, match="rate-limiting .* wait a minute"):
        imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=sleeps)
    assert len(sleeps) == 3 and sum(sleeps) <= 10  # bounded: never freezes a page for long
    assert replay.count() == 1 + 4
    assert staff_count(school) == 0 and last_run(school)[0] == "failed"


def test_network_down_is_one_sentence(school):
    client, _ = offline_client([network_down("GET", metadata_uri(SCHOOL_KEY))])
    with pytest.raises(SheetsError, match="Could not reach Google Sheets"):
        imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())
    assert last_run(school)[0] == "failed"


def test_a_missing_worksheet_is_named_with_the_ones_that_exist(school):
    client, _ = offline_client([metadata(SCHOOL_KEY, "Riverside PD", {"Sheet1": (1000, 26)})])
    with pytest.raises(SheetsError, match="no worksheet named 'Roster'.*'Sheet1'"):
        imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())


def test_an_empty_worksheet_is_a_whole_source_problem(school):
    client, _ = offline_client(school_sheet(ROSTER, []))
    with pytest.raises(imports.SourceProblem, match="form responses is empty"):
        imports.sync_sheets(school, authz.COMMAND_LINE, client=client, sleep=Sleeps())
    assert staff_count(school) == 0


def test_without_a_connected_spreadsheet_sync_says_what_to_do(con):
    with pytest.raises(imports.SourceProblem, match="No spreadsheet is connected"):
        imports.sync_sheets(con, authz.COMMAND_LINE, info={"client_email": SA_EMAIL})


def test_push_replaces_a_worksheet_with_inert_values(school, monkeypatch):
    frame = pd.DataFrame(
        {
            "cohort_id": [1, 2],
            "cohort_name": ['=HYPERLINK("http://x")', "PBL, Wed lunch"],
            "email": ["ana.ruiz@school.test", "+1 555"],
        }
    )
    monkeypatch.setattr(imports, "export_frame", lambda con, what: frame)
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", {**WORKSHEETS, "Cohorts": (1000, 26)}),
            *write_back(SCHOOL_KEY, "Cohorts", 3, 3),
        ]
    )
    title, written = imports.push_to_sheet(
        school, authz.COMMAND_LINE, "cohorts", client=client, sleep=Sleeps()
    )
    assert (title, written) == ("Cohorts", 2)
    # One write request: the resize and every cell together (Google applies it whole).
    assert [m for m, _u, _b in replay.requests] == ["GET", "POST"]
    resize, cells = json.loads(replay.requests[1][2])["requests"]
    assert resize["updateSheetProperties"]["properties"]["gridProperties"] == {
        "rowCount": 3,
        "columnCount": 3,
    }
    update = cells["updateCells"]
    assert update["range"] == {
        "sheetId": 2,
        "startRowIndex": 0,
        "endRowIndex": 3,
        "startColumnIndex": 0,
        "endColumnIndex": 3,
    }
    assert update["fields"] == "userEnteredValue"  # cells not written are cleared
    sent = [
        [next(iter(c["userEnteredValue"].values())) for c in r["values"]] for r in update["rows"]
    ]
    assert sent == [
        ["cohort_id", "cohort_name", "email"],
        [1, '\'=HYPERLINK("http://x")', "ana.ruiz@school.test"],
        [2, "PBL, Wed lunch", "'+1 555"],
    ]
    assert "formulaValue" not in replay.requests[1][2].decode()
    audit = db.read(school).execute("SELECT action FROM audit_log ORDER BY id DESC").fetchone()
    assert audit[0] == "data.push"


def test_push_adds_the_worksheet_when_it_is_missing(school, monkeypatch):
    frame = pd.DataFrame({"email": ["a@school.test"], "reason": ["no slot in common"]})
    monkeypatch.setattr(imports, "export_frame", lambda con, what: frame)
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", WORKSHEETS),
            *write_back(SCHOOL_KEY, "Unmatched", 2, 2, exists=False),
        ]
    )
    imports.push_to_sheet(school, authz.COMMAND_LINE, "unmatched", client=client, sleep=Sleeps())
    add, cells = json.loads(replay.requests[1][2])["requests"]
    added = add["addSheet"]["properties"]
    assert added["title"] == "Unmatched"
    assert cells["updateCells"]["range"]["sheetId"] == added["sheetId"] == 2  # a new id


def test_push_to_a_sheet_shared_read_only_says_so(school, monkeypatch):
    monkeypatch.setattr(imports, "export_frame", lambda con, what: pd.DataFrame({"a": [1]}))
    client, _ = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", {**WORKSHEETS, "Cohorts": (1000, 26)}),
            error(403, "POST", batch_update_uri(SCHOOL_KEY)),
        ]
    )
    with pytest.raises(SheetsError, match="Editor to push.*left as it was"):
        imports.push_to_sheet(school, authz.COMMAND_LINE, "cohorts", client=client, sleep=Sleeps())


def test_a_push_that_fails_leaves_the_old_contents_and_says_so(school, monkeypatch):
    monkeypatch.setattr(imports, "export_frame", lambda con, what: pd.DataFrame({"a": [1]}))
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", {**WORKSHEETS, "Cohorts": (1000, 26)}),
            error(500, "POST", batch_update_uri(SCHOOL_KEY)),
        ]
    )
    with pytest.raises(SheetsError) as caught:
        imports.push_to_sheet(school, authz.COMMAND_LINE, "cohorts", client=client, sleep=Sleeps())
    message = str(caught.value)
    # A 5xx may come after Google applied the write: the message does not claim either way.
    assert "holds either its old contents or the new ones, never a mix" in message
    assert "nothing was changed" not in message.lower()
    # Nothing was cleared first, and the write was sent once (never twice after a 5xx).
    assert [(m, u) for m, u, _b in replay.requests if m != "GET"] == [
        ("POST", batch_update_uri(SCHOOL_KEY))
    ]


def test_a_push_refused_by_quota_is_retried_then_says_the_sheet_was_left(school, monkeypatch):
    monkeypatch.setattr(imports, "export_frame", lambda con, what: pd.DataFrame({"a": [1]}))
    client, replay = offline_client(
        [
            metadata(SCHOOL_KEY, "Riverside PD", {**WORKSHEETS, "Cohorts": (1000, 26)}),
            error(429, "POST", batch_update_uri(SCHOOL_KEY)),
        ]
    )
    with pytest.raises(SheetsError, match="rate-limiting.*'Cohorts' worksheet was left as it was"):
        imports.push_to_sheet(school, authz.COMMAND_LINE, "cohorts", client=client, sleep=Sleeps())
    assert replay.count("POST") == 4  # a 429 was not applied: safe to try again


def test_credentials_come_from_secrets_then_environment(tmp_path):
    info = {"type": "service_account", "client_email": SA_EMAIL}
    assert sheets.credentials_info({"gcp_service_account": info}, env={}) == info
    assert sheets.credentials_info({}, env={sheets.ENV_JSON: json.dumps(info)}) == info
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(info))
    assert sheets.credentials_info(None, env={sheets.ENV_FILE: str(key_file)}) == info
    assert sheets.credentials_info({}, env={}) is None
    assert sheets.service_account_email(info) == SA_EMAIL
    with pytest.raises(SheetsError, match="not valid JSON"):
        sheets.credentials_info({}, env={sheets.ENV_JSON: "{oops"})
    with pytest.raises(SheetsError, match="incomplete"):
        sheets.client_for({"client_email": SA_EMAIL})


def test_spreadsheet_key_from_a_link_or_a_bare_key():
    url = f"https://docs.google.com/spreadsheets/d/{SCHOOL_KEY}/edit?usp=sharing#gid=0"
    assert sheets.spreadsheet_key(url) == SCHOOL_KEY
    assert sheets.spreadsheet_key(f"  {SCHOOL_KEY} ") == SCHOOL_KEY
    with pytest.raises(SheetsError):
        sheets.spreadsheet_key("Riverside PD sheet")


def test_the_schedule_syncs_when_due_and_not_before(school, monkeypatch):
    from datetime import timedelta

    from pdcore import clock, settings
    from pdcore.ui import sync_schedule

    monkeypatch.setattr(
        sheets, "client_for", lambda info: offline_client(school_sheet(ROSTER, RESPONSES))[0]
    )
    assert sync_schedule.run_if_due(school, None) is None  # no service account: never
    first = sync_schedule.run_if_due(school, {"client_email": SA_EMAIL})
    assert first is not None and first.roster.added == 9
    assert sync_schedule.run_if_due(school, {"client_email": SA_EMAIL}) is None  # just ran
    later = clock.now() + timedelta(minutes=16)
    assert sync_schedule.run_if_due(school, {"client_email": SA_EMAIL}, now=later) is not None
    settings.save(school, authz.COMMAND_LINE, sync_every_minutes=0)
    far = clock.now() + timedelta(days=1)
    assert sync_schedule.run_if_due(school, {"client_email": SA_EMAIL}, now=far) is None


def test_a_failing_scheduled_sync_is_logged_and_waits_for_the_interval(school, monkeypatch):
    from pdcore.ui import sync_schedule

    monkeypatch.setattr(
        sheets,
        "client_for",
        lambda info: offline_client([error(404, "GET", metadata_uri(SCHOOL_KEY))])[0],
    )
    assert sync_schedule.run_if_due(school, {"client_email": SA_EMAIL}) is None
    assert last_run(school)[0] == "failed"
    assert not sync_schedule.due(school)  # a broken link does not hammer the quota


def test_two_app_processes_on_one_postgresql_run_one_scheduled_sync(pg_database, caplog):
    """Every process of a district ticks; the one holding the sync lock syncs, the other skips
    its tick (and says so in the log), and the school is synced once."""
    import logging
    import threading
    from datetime import timedelta

    from pdcore import clock
    from pdcore.ui import sync_schedule
    from tests.conftest import Factory

    url = pg_database("empty")
    first, second = db.connect(url), db.connect(url)  # two processes' own pools
    try:
        factory = Factory(first)
        factory.slots()
        for name in ("Project Based Learning", "Writing and Literacy", "Web Tools"):
            factory.topic(name)
        imports.save_source_config(first, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)

        syncing, release = threading.Event(), threading.Event()

        def client_for(info):  # the first sync to reach Google stays there until released
            if not syncing.is_set():
                syncing.set()
                assert release.wait(timeout=30)
            return offline_client(school_sheet(ROSTER, RESPONSES))[0]

        sheets_info = {"client_email": SA_EMAIL}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sheets, "client_for", client_for)
            results = {}
            one = threading.Thread(
                target=lambda: results.update(one=sync_schedule.run_if_due(first, sheets_info))
            )
            one.start()
            try:
                assert syncing.wait(timeout=30)
                with caplog.at_level(logging.INFO, logger=sync_schedule.log.name):
                    results["other"] = sync_schedule.run_if_due(second, sheets_info)
            finally:
                release.set()
                one.join(timeout=60)
        assert results["one"] is not None and results["one"].roster.added == 9
        assert results["other"] is None
        assert "another app process is running it" in caplog.text
        runs = first.execute("SELECT count(*) FROM sync_runs WHERE source = 'sheets'").fetchone()
        assert runs[0] == 1
        assert staff_count(second) == 9
        # The lock went with the run: the next due tick syncs, in whichever process it is.
        patch_client = offline_client(school_sheet(ROSTER, RESPONSES))[0]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sheets, "client_for", lambda info: patch_client)
            later = clock.now() + timedelta(minutes=16)
            assert sync_schedule.run_if_due(second, sheets_info, now=later) is not None
    finally:
        first.close()
        second.close()
