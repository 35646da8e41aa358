"""Unmatched staff: active staff with no cohort and no individual project, and what to do for each."""

import pandas as pd
import streamlit as st

from pdcore import clock, coaching, cohorts, db, formation, roster, topics
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import session
from pdcore.ui.widgets import csv_download, empty_state, label_of, person_picker

PAGE_SIZE = 50

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Unmatched staff")
st.caption("Active staff with no cohort and no individual project, and what to do for each.")


@st.cache_resource(show_spinner="Asking the matching engine...", max_entries=4)
def _unmatched(version, today):  # today: days waiting grow at midnight
    """The list as a table, and the names of active cohorts (for suggestions)."""
    c = session.connection()
    people = formation.unmatched(c, today)
    frame = pd.DataFrame(
        [
            {
                "staff_id": u.staff_id,
                "name": u.name,
                "email": u.email,
                "department": u.department,
                "days_waiting": u.days_waiting,
                "choices": "; ".join(u.choices),
                "asked_to_be_placed": u.place_me,
                "reason": u.reason,
                "suggestion": "; ".join(u.suggestions),
            }
            for u in people
        ],
        columns=[
            "staff_id",
            "name",
            "email",
            "department",
            "days_waiting",
            "choices",
            "asked_to_be_placed",
            "reason",
            "suggestion",
        ],
    ).sort_values(["asked_to_be_placed", "days_waiting"], ascending=False, kind="stable")
    names = {k.id: k.name for k in cohorts.active_cohorts(c)}
    offered = {t.id: t.name for t in topics.offered(c)}
    coaches = {p.id: p.name for p in roster.active_staff(c, Role.COACH)}
    return frame, names, offered, coaches


@st.cache_resource(show_spinner=False, max_entries=64)
def _suggestions(version, staff_id, topic_id):
    fits = formation.suggestions_for(session.connection(), staff_id, topic_id)
    return [f for f in fits if f.open_seats > 0]


def _done(message: str) -> None:
    st.session_state["unmatched_done"] = message
    st.session_state.pop("formation_plan", None)
    st.rerun()


if message := st.session_state.pop("unmatched_done", None):
    st.success(message, icon=":material/check_circle:")

frame, cohort_names, offered, coaches = _unmatched(db.data_version(), clock.today())
if frame.empty:
    empty_state(
        "Everyone is in a cohort or on an individual project.",
        "New staff and anyone who leaves a cohort will show up here.",
    )
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Unmatched", len(frame))
c2.metric("Asked to be placed", int(frame["asked_to_be_placed"].sum()))
c3.metric("Longest wait", f"{int(frame['days_waiting'].max())} days")
c4.metric("No survey answer", int((frame["choices"] == "").sum()))

pages = max(1, -(-len(frame) // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="unmatched_page") if pages > 1 else 1
window = frame.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
st.dataframe(
    window.drop(columns=["staff_id"]),
    hide_index=True,
    column_config={
        "reason": st.column_config.TextColumn(width="medium"),
        "suggestion": st.column_config.TextColumn(width="large"),
    },
)
csv_download(frame.drop(columns=["staff_id"]), "unmatched.csv")
st.page_link("pages/data.py", label="Push this list to the school's Google Sheet (Data and sync)")

st.subheader("Help one person")
person = person_picker(window, key="unmatched_person")
if person is not None:
    row = window[window["staff_id"] == person].iloc[0]
    st.markdown(
        f"**{row['name']}** ({row['department']}), waiting {row['days_waiting']} days. "
        f"Chose: {row['choices'] or 'nothing yet'}. The engine says: {row['reason']}."
    )
    place, coach = st.columns(2)
    with place:
        st.markdown("**Place in a cohort**")
        first = next((t for t, n in offered.items() if n == row["choices"].split("; ")[0]), None)
        topic_ids = list(offered)
        topic_id = st.selectbox(
            "Topic",
            topic_ids,
            index=topic_ids.index(first) if first in topic_ids else None,
            format_func=label_of(offered),
            placeholder="Pick a topic",
            key=f"unmatched_topic_{person}",  # per person: each gets their own default
        )
        fits = _suggestions(db.data_version(), int(person), topic_id) if topic_id else []
        if topic_id and not fits:
            st.caption("No cohort of this topic has an open seat; try auto-formation below.")
        fit = st.selectbox(
            "Cohort (best fit first)",
            fits,
            index=None,
            format_func=label_of(
                {
                    f: f"{cohort_names.get(f.cohort_id, f.cohort_id)}: {f.sentence()} "
                    f"({f.open_seats} seats)"
                    for f in fits
                }
            ),
            placeholder="Pick a cohort",
            key=f"unmatched_cohort_{person}",
        )
        if st.button("Place", key="unmatched_place", type="primary", disabled=fit is None):
            try:
                cohorts.join(con, int(person), fit.cohort_id, actor_id=me.id)
            except (ValidationError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                _done(f"Placed {row['name']} in {cohort_names.get(fit.cohort_id)}.")
    with coach:
        st.markdown("**Assign to a coach**")
        coach_id = st.selectbox(
            "Coach",
            list(coaches),
            index=None,
            format_func=label_of(coaches),
            placeholder="Pick a coach",
            key="unmatched_coach",
        )
        if st.button("Assign", key="unmatched_assign", disabled=coach_id is None):
            try:
                coaching.assign(con, int(person), coach_id, "assigned", me.id)
            except (ValidationError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                _done(f"{coaches[coach_id]} is now {row['name']}'s coach.")

st.subheader("Auto-formation for everyone")
st.caption(
    "Fills open seats first, then forms new cohorts of people who share a topic and a free "
    "slot. Preview first: nothing is written until you apply."
)
if st.button("Preview auto-formation", key="formation_preview"):
    st.session_state["formation_plan"] = formation.preview(con)
plan = st.session_state.get("formation_plan")
if plan is not None:
    st.info(plan.summary(), icon=":material/preview:")
    proposed = plan.table()
    if proposed.empty:
        empty_state("The plan places nobody.", "See the reasons below for each person.")
    else:
        st.dataframe(proposed, hide_index=True)
        csv_download(proposed, "formation-preview.csv", "Download CSV (plan)")
    left_out = plan.unplaced_table()
    if not left_out.empty:
        with st.expander(f"Still unplaced after the plan ({len(left_out)})"):
            st.dataframe(left_out, hide_index=True)
    a, b = st.columns(2)
    if a.button("Apply this plan", key="formation_apply", type="primary", disabled=proposed.empty):
        try:
            result = formation.apply(con, plan, me.id)
        except (ValidationError, PermissionDenied) as exc:
            st.error(str(exc))
        else:
            _done(result.summary())
    if b.button("Discard the plan", key="formation_discard"):
        st.session_state.pop("formation_plan", None)
        st.rerun()
