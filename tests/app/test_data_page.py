"""The admin's Data page: connect a sheet, sync, upload files, read problems, export."""

from __future__ import annotations

import pytest

from pdcore import authz, db, imports, settings, sheets
from pdcore.ui import sync_schedule
from tests.conftest import DEMO_ADMIN, ROOT, shown
from tests.fixtures.sheets.replay import (
    SCHOOL_KEY,
    csv_rows,
    error,
    metadata_uri,
    offline_client,
    school_sheet,
)

PAGE = "pages/data.py"
DEMO_ROSTER = (ROOT / "data" / "demo_roster.csv").read_bytes()
DEMO_RESPONSES = (ROOT / "data" / "demo_responses.csv").read_bytes()
SA = {"client_email": "pd-cohorts@riverside-pd.iam.gserviceaccount.com"}


@pytest.fixture
def no_scheduler(monkeypatch):
    """Pages call sync_schedule.start; keep background threads out of page tests."""
    monkeypatch.setattr(sync_schedule, "start", lambda con: False)


def tab(at, label: str):
    return next(t for t in at.tabs if t.label == label)


def history(at):
    return tab(at, "History").dataframe[0].value


def texts(at) -> str:
    """Every message on the page, as a person reads it (markdown escapes removed)."""
    parts = [e.value for kind in (at.info, at.success, at.warning, at.error) for e in kind]
    return "\n".join(shown(p) for p in parts)


def test_without_sheets_the_page_says_how_to_set_them_up(open_app, no_scheduler):
    at = open_app(DEMO_ADMIN, page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Data and sync"
    assert "Google Sheets is not set up yet" in texts(at)
    assert at.button(key="sync_now").disabled
    # The demo school's October roster import is in the history already.
    assert history(at)["status"].tolist() == ["ok"]


def test_uploading_the_demo_files_shows_counts_problems_and_history(open_app, no_scheduler):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.file_uploader(key="roster_file").set_value(("demo_roster.csv", DEMO_ROSTER, "text/csv"))
    at.file_uploader(key="responses_file").set_value(
        ("demo_responses.csv", DEMO_RESPONSES, "text/csv")
    )
    at.button(key="import_files").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Added"] == "6" and metrics["Deactivated"] == "1"
    assert "Fri lunch" in texts(at)
    problems = tab(at, "Upload CSV files").dataframe[0].value
    # A meeting time the school has no slot for, a colleague who just left (deactivated by
    # this roster) and one who never worked here.
    assert problems["row"].tolist() == [3, 7, 7]
    assert "'Fri lunch' is not one of the school's meeting slots" in problems["problem"].iloc[0]
    assert "kofi.hart@demo-school.org" in problems["problem"].iloc[1]
    assert "someone@elsewhere.org" in problems["problem"].iloc[2]
    assert "Deactivated: Kofi Hart." in " ".join(m.value for m in at.markdown).replace("\\", "")
    runs = history(at)
    assert len(runs) == 2 and runs["added"].iloc[0] == 6


def test_a_bad_file_changes_nothing_and_says_why(open_app, no_scheduler, app_db):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.file_uploader(key="roster_file").set_value(
        ("people.csv", b"Mail,Name\ndana.whitfield@demo-school.org,Dana\n", "text/csv")
    )
    at.button(key="import_files").click().run()
    assert not at.exception
    assert "has no 'Email' column" in texts(at) and "Nothing was changed" in texts(at)
    at.button(key="import_files").click().run()  # the run is logged as failed
    assert "failed" in history(at)["status"].tolist()


def test_import_without_files_asks_for_one(open_app, no_scheduler):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.button(key="import_files").click().run()
    assert "Choose a roster file" in texts(at)


def test_saving_a_sheet_link_keeps_what_was_typed_when_it_is_wrong(open_app, no_scheduler, app_db):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.text_input(key="sheet_url").input("our PD sheet")
    at.button(key="FormSubmitter:sheet_source-Save").click().run()
    assert "not a Google Sheets link" in texts(at)
    assert at.text_input(key="sheet_url").value == "our PD sheet"
    url = f"https://docs.google.com/spreadsheets/d/{SCHOOL_KEY}/edit#gid=0"
    at.text_input(key="sheet_url").input(url)
    at.text_input(key="map_roster_email").input("E-mail")
    at.number_input(key="sync_every").set_value(30)
    at.button(key="FormSubmitter:sheet_source-Save").click().run()
    assert "Saved" in texts(at)
    con = db.connect(app_db)  # the same in-process database the app holds
    saved = imports.source_config(con)
    assert saved.spreadsheet == SCHOOL_KEY and saved.roster_columns == {"email": "E-mail"}
    assert settings.load(con).sync_every_minutes == 30
    assert "Syncs run every 30 minutes" in " ".join(c.value for c in at.caption)


@pytest.fixture
def sheets_ready(open_app, app_db, monkeypatch, no_scheduler):
    """The demo school with a service account and a connected (offline) spreadsheet."""
    con = db.connect(app_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    con.close()
    replays = []

    def offline(interactions):
        def client_for(info):
            client, replay = offline_client(interactions)
            replays.append(replay)
            return client

        monkeypatch.setattr(sheets, "client_for", client_for)

    def _open():
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.secrets["gcp_service_account"] = SA
        at.user = {"is_logged_in": True, "email": DEMO_ADMIN, "name": "dana"}
        at.run()
        at.switch_page(PAGE).run()
        return at

    return _open, offline, replays


def test_sync_now_shows_the_service_account_and_the_result(sheets_ready):
    open_page, offline, replays = sheets_ready
    roster = csv_rows(ROOT / "data" / "demo_roster.csv")
    responses = csv_rows(ROOT / "data" / "demo_responses.csv")
    offline(school_sheet(roster, responses))
    at = open_page()
    assert SA["client_email"] in [c.value for c in at.code]
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rows read"] == "268"
    assert replays[0].count() == 2


def test_sync_now_with_an_unshared_sheet_says_whom_to_share_with(sheets_ready):
    open_page, offline, _ = sheets_ready
    offline([error(403, "GET", metadata_uri(SCHOOL_KEY))])
    at = open_page()
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert f"share it with {SA['client_email']}" in texts(at)
    assert "failed" in history(at)["status"].tolist()


def test_exports_preview_and_download(open_app, no_scheduler):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.radio(key="export_what").set_value("unmatched").run()
    assert not at.exception
    preview = tab(at, "Export").dataframe[0].value
    assert {"email", "reason"} <= set(preview.columns) and len(preview) > 0
    assert any(b.label == "Download unmatched.csv" for b in at.get("download_button"))


def active_count(app_db) -> int:
    con = db.connect(app_db)
    try:
        return con.execute("SELECT count(*) FROM staff WHERE active").fetchone()[0]
    finally:
        con.close()


def test_a_held_sync_shows_who_would_go_and_confirm_deactivates_them(sheets_ready, app_db):
    open_page, offline, _ = sheets_ready
    roster = csv_rows(ROOT / "data" / "demo_roster.csv")
    offline(school_sheet(roster[:11], [csv_rows(ROOT / "data" / "demo_responses.csv")[0]]))
    before = active_count(app_db)
    at = open_page()
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert active_count(app_db) == before  # nothing written
    assert f"{before - 10} people would be deactivated" in texts(at)
    people = next(d.value for d in at.dataframe if list(d.value.columns) == ["email", "name"])
    assert len(people) == before - 10 and "kofi.hart@demo-school.org" in set(people["email"])
    assert "held" in history(at)["status"].tolist()

    at.button(key="confirm_deactivate").click().run()
    assert not at.exception
    assert active_count(app_db) == 10
    assert {m.label: m.value for m in at.metric}["Deactivated"] == str(before - 10)
    at.run()
    assert not any(b.key == "confirm_deactivate" for b in at.button)  # nothing waits now


def test_a_held_csv_import_is_confirmed_with_the_same_file(open_app, no_scheduler, app_db):
    rows = DEMO_ROSTER.decode().splitlines()
    short = ("\n".join(rows[:11]) + "\n").encode()
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.file_uploader(key="roster_file").set_value(("filtered.csv", short, "text/csv"))
    at.button(key="import_files").click().run()
    assert not at.exception
    assert "would deactivate" in texts(at) and active_count(app_db) > 10
    at.button(key="confirm_deactivate").click().run()
    assert not at.exception
    assert active_count(app_db) == 10


def test_a_meeting_time_the_school_lacks_is_mapped_on_the_page(open_app, no_scheduler, app_db):
    at = open_app(DEMO_ADMIN, page=PAGE)
    at.file_uploader(key="roster_file").set_value(("demo_roster.csv", DEMO_ROSTER, "text/csv"))
    at.file_uploader(key="responses_file").set_value(
        ("demo_responses.csv", DEMO_RESPONSES, "text/csv")
    )
    at.button(key="import_files").click().run()
    assert "Meeting times the school has no slot for: 'Fri lunch'" in texts(at)
    at.run()
    assert at.selectbox(key="slot_answer_0").value is None  # "Add as a new slot"
    at.button(key="slot_answer_apply_0").click().run()
    assert not at.exception
    assert "'Fri lunch' now reads as Fri lunch" in texts(at)
    con = db.connect(app_db)
    assert imports.unmapped_slot_answers(con) == []
    assert con.execute("SELECT count(*) FROM meeting_slots WHERE label = 'Fri lunch'").fetchone()
    con.close()


def test_the_page_shows_the_schedule_and_the_last_error(sheets_ready):
    open_page, offline, _ = sheets_ready
    offline([error(403, "GET", metadata_uri(SCHOOL_KEY))])
    at = open_page()
    at.button(key="sync_now").click().run()
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "Last sync: " in captions and "(failed)" in captions and "the next one at" in captions
    assert "The last sync failed: The service account may not open this spreadsheet" in texts(at)


def test_a_database_file_that_cannot_be_opened_is_one_sentence(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    broken = tmp_path / "pd.duckdb"
    broken.write_bytes(b"not a database at all" * 10)
    monkeypatch.setenv("PDCORE_DB", str(broken))
    monkeypatch.setenv("PDCORE_DEMO", "1")  # demo mode opens the file to see whose it is
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.user = {"is_logged_in": True, "email": DEMO_ADMIN, "name": "dana"}
    at.run()
    st.cache_resource.clear()
    assert not at.exception
    assert f"The file {broken} is not a PD Cohorts database" in texts(at)


def test_a_revoked_key_is_one_sentence_on_the_page_and_in_the_history(
    open_app, app_db, monkeypatch, no_scheduler
):
    from streamlit.testing.v1 import AppTest

    from tests.fixtures.sheets.replay import mount_offline, service_account_info, token_refused

    con = db.connect(app_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    con.close()
    real_client_for = sheets.client_for

    def client_for(info):
        client = real_client_for(info)  # a real service-account sign-in, answered offline
        mount_offline(client, [token_refused()])
        return client

    monkeypatch.setattr(sheets, "client_for", client_for)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["gcp_service_account"] = service_account_info()
    at.user = {"is_logged_in": True, "email": DEMO_ADMIN, "name": "dana"}
    at.run()
    at.switch_page(PAGE).run()
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert "Google refused the service account's key" in texts(at)
    runs = history(at)
    assert runs["status"].iloc[0] == "failed"
    assert "Google refused the service account's key" in runs["message"].iloc[0]
