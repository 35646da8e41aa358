"""Data and sync: the roster and survey answers in (Google Sheets or CSV), results out."""

from pathlib import Path

import pandas as pd
import streamlit as st

from pdcore import authz, db, imports, settings
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import session, sync_schedule, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state

DEMO_FILES = Path(__file__).resolve().parent.parent / "data"
EXPORT_LABELS = {
    "cohorts": "Cohorts (one row per member)",
    "unmatched": "Unmatched staff",
    "health": "Cohort health",
    "participation": "Participation",
}

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Data and sync")
st.caption(
    "Bring in the roster and survey answers from Google Sheets or CSV files, see what changed "
    "and what was skipped, and send cohorts and unmatched staff back out."
)
info, secrets_problem = sync_schedule.service_account()
sync_schedule.start(con)
config = imports.source_config(con)


@st.cache_data(show_spinner=False)
def _history(version: int):
    return imports.sync_history(session.connection())


@st.cache_data(show_spinner=False)
def _export(what: str, version: int, school: str | None):
    return imports.export_frame(session.connection(), what, school)


def run_import(action, **kwargs):
    """Run an import or sync; its result, or None after saying why nothing was written."""
    try:
        return action(**kwargs)
    except imports.ShrinkHeld:
        st.rerun()  # the held run is in the history: the confirmation box shows it
    except ValidationError as exc:
        text = str(exc)
        st.error(md(text if "nothing was" in text.lower() else f"{text} Nothing was changed."))
    except Exception as exc:  # logged in the history; say it plainly, keep the page
        st.error(md(f"The import stopped on an unexpected error ({exc}). Nothing was changed."))
    return None


def show_result(result: imports.ImportResult) -> None:
    """The counts, who was added, changed and deactivated, notes and problem rows."""
    if result.problems:
        n = len(result.problems)
        st.warning(
            f"Done; {n} row{'s' if n != 1 else ''} skipped (see below). {md(result.summary())}",
            icon=":material/rule:",
        )
    else:
        st.success(f"Done. {md(result.summary())}", icon=":material/check_circle:")
    for line in result.people():
        st.markdown(md(line))
    cols = st.columns(5)
    for col, (label, value) in zip(
        cols,
        (
            ("Rows read", result.rows_read),
            ("Added", result.added),
            ("Updated", result.updated),
            ("Unchanged", result.unchanged),
            ("Deactivated", result.deactivated),
        ),
        strict=True,
    ):
        col.metric(label, value)
    for note in result.notes:
        st.info(md(note), icon=":material/new_releases:")
    if result.problems:
        st.markdown(
            f"**{len(result.problems)} problem rows** (row numbers as the sheet shows them)"
        )
        tables.show(result.problem_table(), hide_index=True, key="result_problems")


def uploaded(key: str):
    return st.session_state.get(key)


def import_uploads(confirm=False):
    roster_file, responses_file = uploaded("roster_file"), uploaded("responses_file")
    return run_import(
        imports.import_files,
        con=con,
        roster_csv=roster_file.getvalue() if roster_file else None,
        responses_csv=responses_file.getvalue() if responses_file else None,
        actor=me,
        label=", ".join(f.name for f in (roster_file, responses_file) if f),
        confirm_deactivate=confirm,
    )


pending = imports.pending_confirmation(con)
if pending:
    run_id, pending_source, leaving, pending_message = pending
    with st.container(border=True, key="pending_box"):
        st.warning(
            f"**{len(leaving)} people would be deactivated and wait for your confirmation.** "
            + md(pending_message),
            icon=":material/person_remove:",
        )
        tables.show(
            pd.DataFrame(leaving, columns=["email", "name"]),
            hide_index=True,
            key="pending_people",
        )
        have_files = bool(uploaded("roster_file"))
        if pending_source == "csv" and not have_files:
            st.caption("Upload the same roster file again (Upload CSV files), then confirm here.")
        if st.button(
            f"Confirm: deactivate these {len(leaving)} people",
            key="confirm_deactivate",
            type="primary",
            icon=":material/how_to_reg:",
            disabled=pending_source == "csv" and not have_files,
        ):
            emails = [e for e, _n in leaving]
            if pending_source == "sheets":
                confirmed = run_import(
                    imports.sync_sheets,
                    con=con,
                    info=info,
                    actor=me,
                    confirm_deactivate=emails,
                )
            else:
                confirmed = import_uploads(confirm=emails)
            if confirmed:
                show_result(confirmed)

answers = imports.unmapped_slot_answers(con)
if answers:
    with st.expander(
        f"{len(answers)} meeting time{'s' if len(answers) != 1 else ''} from the form match "
        "no slot",
        expanded=True,
    ):
        st.caption(
            "Choose the slot each answer means, or add it as a new slot; the next sync or "
            "import then reads it that way."
        )
        slot_rows = (
            db.read(con)
            .execute("SELECT id, label FROM meeting_slots ORDER BY sort_order, id")
            .fetchall()
        )
        choices = {None: "Add as a new slot", **{sid: label for sid, label in slot_rows}}
        for i, answer in enumerate(answers[:20]):
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            pick = left.selectbox(
                md(f"'{answer}' means"),
                list(choices),
                format_func=choices.get,
                key=f"slot_answer_{i}",
            )
            if right.button("Apply", key=f"slot_answer_apply_{i}"):
                try:
                    label = imports.map_slot_answer(con, me, answer, pick)
                    st.success(md(f"'{answer}' now reads as {label}. Sync or import again."))
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))

sheets_tab, files_tab, export_tab, history_tab = st.tabs(
    ["Google Sheets", "Upload CSV files", "Export", "History"], key="data_tab", on_change="rerun"
)

with sheets_tab:
    if info:
        email = info.get("client_email", "")
        st.markdown(
            "Share the spreadsheet with this service account (Viewer to sync, Editor to push "
            "results back):"
        )
        st.code(email, language=None)
    else:
        if secrets_problem:
            st.error(secrets_problem)
        empty_state(
            "Google Sheets is not set up yet, so only CSV files can be imported.",
            "Create a service account in Google Cloud, download its JSON key, and paste it "
            "into `.streamlit/secrets.toml` under a `[gcp_service_account]` section (or set "
            "PDCORE_SERVICE_ACCOUNT_JSON). Restart the app: its email appears here.",
        )
    with st.form("sheet_source"):
        url = st.text_input(
            "Spreadsheet link or key",
            value=config.spreadsheet,
            placeholder="https://docs.google.com/spreadsheets/d/.../edit",
            key="sheet_url",
        )
        c1, c2 = st.columns(2)
        roster_ws = c1.text_input(
            "Roster worksheet", value=config.roster_worksheet, key="roster_ws"
        )
        responses_ws = c2.text_input(
            "Form responses worksheet", value=config.responses_worksheet, key="responses_ws"
        )
        c3, c4 = st.columns(2)
        cohorts_ws = c3.text_input(
            "Push cohorts to worksheet", value=config.cohorts_worksheet, key="cohorts_ws"
        )
        unmatched_ws = c4.text_input(
            "Push unmatched staff to worksheet",
            value=config.unmatched_worksheet,
            key="unmatched_ws",
        )
        every_input = st.number_input(
            "Sync every ... minutes while the app is up (0 turns scheduled syncs off)",
            min_value=0,
            max_value=24 * 60,
            value=settings.load(con).sync_every_minutes,
            step=5,
            key="sync_every",
        )
        with st.expander("Column mapping (only if your headers differ from the defaults)"):
            st.caption(
                "Headers match ignoring case and surrounding spaces. Leave blank for the default."
            )
            roster_map, response_map = {}, {}
            left, right = st.columns(2)
            left.markdown("**Roster**")
            for field_name, (default, required) in imports.ROSTER_FIELDS.items():
                roster_map[field_name] = left.text_input(
                    f"{default}{' (required)' if required else ''}",
                    value=config.roster_columns.get(field_name, ""),
                    placeholder=default,
                    key=f"map_roster_{field_name}",
                )
            right.markdown("**Form responses**")
            for field_name, (default, required) in imports.RESPONSE_FIELDS.items():
                response_map[field_name] = right.text_input(
                    f"{default}{' (required)' if required else ''}",
                    value=config.response_columns.get(field_name, ""),
                    placeholder=default,
                    key=f"map_responses_{field_name}",
                )
        save = st.form_submit_button("Save", icon=":material/save:")
    if save:
        try:
            config = imports.save_source_config(
                con,
                me,
                spreadsheet=url,
                roster_worksheet=roster_ws,
                responses_worksheet=responses_ws,
                cohorts_worksheet=cohorts_ws,
                unmatched_worksheet=unmatched_ws,
                roster_columns=roster_map,
                response_columns=response_map,
            )
            if int(every_input) != settings.load(con).sync_every_minutes:
                settings.save(con, me, sync_every_minutes=int(every_input))
            st.success("Saved. The next sync uses these settings.")
        except (ValidationError, PermissionDenied) as exc:
            st.error(md(str(exc)))

    plan = sync_schedule.state(con)
    schedule = (
        f"Syncs run every {plan.every_minutes} minutes while the app is up"
        + (f"; the next one at {plan.next_run:%b %d, %H:%M}." if plan.next_run else ".")
        if plan.every_minutes > 0
        else "Scheduled syncs are off (set a number of minutes above to turn them on)."
    )
    when = (
        f"Last sync: {plan.last_run:%b %d, %H:%M} ({plan.last_status})."
        if plan.last_run
        else "No sync has run yet."
    )
    st.caption(f"{when} {schedule}")
    if plan.last_error:
        st.error(md(f"The last sync failed: {plan.last_error}"), icon=":material/sync_problem:")
    ready = bool(info) and bool(config.spreadsheet)
    if st.button(
        "Sync now",
        key="sync_now",
        type="primary",
        icon=":material/sync:",
        disabled=not ready,
        help=None if ready else "Set up the service account and save the spreadsheet link first.",
    ):
        with st.status("Syncing from Google Sheets...", expanded=True) as status:
            result = run_import(
                imports.sync_sheets, con=con, info=info, actor=me, progress=status.write
            )
            if result:
                status.update(label="Sync finished", state="complete", expanded=False)
            else:
                status.update(label="Sync failed: nothing was changed", state="error")
        if result:
            show_result(result)

with files_tab:
    st.markdown(
        "Upload the roster, the form responses, or both. They go through the same checks as a "
        "sync: one transaction, nothing half-written, problem rows listed."
    )
    c1, c2 = st.columns(2)
    roster_file = c1.file_uploader("Roster CSV", type=["csv"], key="roster_file")
    responses_file = c2.file_uploader("Form responses CSV", type=["csv"], key="responses_file")
    c1.caption("Columns: " + ", ".join(d for d, _r in imports.ROSTER_FIELDS.values()))
    c2.caption("Columns: " + ", ".join(d for d, _r in imports.RESPONSE_FIELDS.values()))
    day_first = settings.load(con).ambiguous_dates_day_first
    order = st.radio(
        "When every date in a file could be either (such as 03/11/2026), read it as",
        ["month first (March 11)", "day first (3 November)"],
        index=int(day_first),
        horizontal=True,
        key="ambiguous_dates",
        help="A file with a 13th or later in the first place is read day first anyway; "
        "Google Sheets syncs follow the spreadsheet's locale.",
    )
    if order.startswith("day") != day_first:
        settings.save(con, me, ambiguous_dates_day_first=order.startswith("day"))
    if st.button("Import files", key="import_files", type="primary", icon=":material/upload:"):
        if not roster_file and not responses_file:
            st.error("Choose a roster file, a form responses file, or both, then import.")
        else:
            result = import_uploads()
            if result:
                show_result(result)
    if session.demo_school():  # a real school is never offered the demo roster to import
        with st.expander("Try it with the demo files"):
            st.caption(
                "A copy of the demo school's roster with a few changes (two new teachers, one who "
                "left, one who moved department) and a handful of new survey answers."
            )
            for name in ("demo_roster.csv", "demo_responses.csv"):
                path = DEMO_FILES / name
                if path.is_file():
                    st.download_button(
                        f"Download {name}",
                        path.read_bytes(),
                        file_name=name,
                        mime="text/csv",
                        key=f"demo_{name}",
                        icon=":material/download:",
                    )

with export_tab:
    what = st.radio(
        "Table",
        imports.EXPORTS,
        format_func=EXPORT_LABELS.get,
        horizontal=True,
        key="export_what",
    )
    try:
        frame = _export(what, session.data_version(), authz.scope(me))
    except Exception as exc:  # another module's table failed: say so, keep the page usable
        frame = None
        st.error(f"The {EXPORT_LABELS[what].lower()} table could not be built: {md(exc)}")
    if frame is not None and frame.empty:
        empty_state(
            f"The {EXPORT_LABELS[what].lower()} table is empty.",
            "Import a roster and survey answers, then form cohorts.",
        )
    elif frame is not None:
        st.caption(f"{len(frame)} rows. Values starting with = + - @ are made inert.")
        tables.show(frame.head(200), hide_index=True, key="export_preview")
        csv_download(frame, f"{what}.csv", label=f"Download {what}.csv")
        if what in ("cohorts", "unmatched"):
            target = config.worksheet_for(what)
            if st.button(
                f"Push to the '{md(target)}' worksheet",
                key=f"push_{what}",
                icon=":material/cloud_upload:",
                disabled=not (info and config.spreadsheet),
                help="Replaces that worksheet's contents. Needs Editor access for the account.",
            ):
                try:
                    with st.spinner("Writing to Google Sheets..."):
                        title, rows = imports.push_to_sheet(con, me, what, info=info)
                    st.success(md(f"Wrote {rows} rows to the '{title}' worksheet."))
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
                except Exception as exc:  # e.g. an auth library error: one sentence, page kept
                    st.error(md(f"The push stopped on an unexpected error ({exc})."))

with history_tab:
    history = _history(session.data_version())
    if history.empty:
        empty_state("No syncs or imports have run yet.", "Sync from Google Sheets or upload files.")
    else:
        failed = int((history["status"] == "failed").sum())
        st.caption(f"The latest {len(history)} runs, newest first; {failed} failed.")
        tables.show(
            history.drop(columns=["id"]),
            hide_index=True,
            key="history_table",
            column_config={
                "started_at": st.column_config.DatetimeColumn("Started", format="MMM D, HH:mm"),
                "message": st.column_config.TextColumn("Outcome", width="large"),
            },
        )
        labels = {
            r.id: f"{r.started_at:%b %d %H:%M}, {r.source}, {r.status}, {r.problems} problems"
            for r in history.itertuples()
        }
        runs = list(labels)
        with_problems = [r.id for r in history.itertuples() if r.problems]
        pick = st.selectbox(
            "Problem rows of a run",
            runs,
            # The newest run with problems; a new run starts the pick afresh (key per newest).
            index=runs.index(with_problems[0]) if with_problems else 0,
            format_func=labels.get,
            key=f"history_run_{runs[0]}",
        )
        problems = imports.run_problems(con, pick)
        if problems.empty:
            st.caption("That run skipped no rows.")
        else:
            tables.show(problems, hide_index=True, key="history_problems")
