"""Watchlist: staff who may be isolated, with the reason, and your follow-up log."""

import streamlit as st

from pdcore import clock, followups, watchlist
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import forms, session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state, person_picker

PAGE_SIZE = 50

me = session.require_role(Role.COACH, Role.ADMIN)
con = session.connection()
st.title("Watchlist")
st.caption("Staff who may be isolated, with the reason, and your follow-up log.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _lists(version, today):  # today: days waiting grow at midnight
    c = session.connection()
    watch = watchlist.watchlist_frame(c, today)
    return watch, watchlist.caseload_frame(c, watch=watch)


def _my_lists(version, today):
    """The watchlist and caseload of my school, with the notes I may read."""
    watch, caseload = _lists(version, today)
    return watchlist.for_viewer(watch, me), watchlist.coaches_for(caseload, me)


@st.cache_resource(show_spinner=False, max_entries=16)
def _history(version, staff_id):
    return followups.history(session.connection(), me, staff_id)


if message := st.session_state.pop("watchlist_done", None):
    st.success(message, icon=":material/check_circle:")

frame, caseload = _my_lists(session.data_version(), clock.today())
if frame.empty:
    empty_state(
        "Nobody is on the watchlist right now.",
        "People appear here when they have no group some days into the season, ask privately "
        "to be placed, miss their cohort's meetings, or never answered the survey.",
    )
else:
    mine = frame[frame["coach_id"] == me.id]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Open cases", len(frame))
    c2.metric("Nobody has followed up", int((frame["status"] == "new").sum()))
    c3.metric("In progress", int((frame["status"] == "in progress").sum()))
    c4.metric("Assigned to you", len(mine))

    f1, f2 = st.columns([1, 2])
    only_mine = f1.toggle("Only people assigned to me", key="watch_mine")
    reasons = f2.multiselect(
        "Reason",
        list(watchlist.REASON_LABELS),
        format_func=watchlist.REASON_LABELS.get,
        key="watch_reasons",
    )
    shown = mine if only_mine else frame
    if reasons:
        shown = shown[shown["reason_codes"].map(lambda c: bool(set(c.split(",")) & set(reasons)))]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="watch_page") if pages > 1 else 1
    window = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if window.empty:
        empty_state("Nobody matches these filters.", "Clear a filter to see the whole list.")
    tables.show(
        window[
            [
                "name",
                "department",
                "reasons",
                "place_me_note",
                "coach",
                "last_contact",
                "next_step",
                "status",
            ]
        ],
        hide_index=True,
        column_config={"reasons": st.column_config.TextColumn(width="large")},
    )
    csv_download(shown.drop(columns=["reason_codes", "coach_id", "next_step_by"]), "watchlist.csv")

    st.subheader("Follow up")
    st.caption(
        "Coaching stays between coach and teacher: a follow-up's note and next step are read "
        "by the teacher and the coaches working with them. Admins see who followed up and when."
    )
    person = person_picker(window, key="watch_person")
    if person is not None:
        row = window[window["staff_id"] == person].iloc[0]
        st.markdown(f"**{md(row['name'])}** ({md(row['department'])}): {md(row['reasons'])}")
        if row["place_me_note"]:
            with st.container(border=True):
                st.caption("Their note when they asked to be placed (private)")
                st.text(row["place_me_note"])  # their words, shown as plain text
        try:
            past = _history(session.data_version(), int(person))
        except PermissionDenied as exc:
            st.error(md(str(exc)))
            st.stop()
        if past.empty:
            st.caption("No follow-ups yet.")
        else:
            tables.show(past, hide_index=True)
        forms.start(
            "followup", {"followup_note": "", "followup_next": "", "followup_resolved": False}
        )
        with st.form("followup"):
            when = st.date_input("Contacted on", clock.today(), key="followup_date")
            note = st.text_area(
                "Note (the teacher and their coaches can read it)", key="followup_note"
            )
            step = st.text_input("Next step", key="followup_next")
            resolved = st.checkbox("Resolved: no follow-up needed now", key="followup_resolved")
            if st.form_submit_button("Save follow-up", type="primary", key="followup_save"):
                try:
                    followups.log(con, me, int(person), when, note, step, resolved)
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
                else:
                    st.session_state["watchlist_done"] = f"Saved a follow-up for {md(row['name'])}."
                    forms.clear("followup")  # a fresh form for the next one
                    st.rerun()

st.subheader("Caseload by coach")
if caseload.empty:
    empty_state("No coaches on the roster.", "Add coaches to the roster on the Data page.")
else:
    tables.show(caseload.drop(columns=["coach_id"]), hide_index=True)
    csv_download(
        caseload.drop(columns=["coach_id"]), "coach-caseload.csv", "Download CSV (caseload)"
    )
