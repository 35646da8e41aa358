"""Unmatched staff: active staff with no cohort and no individual project, and what to do for each."""

import pandas as pd
import streamlit as st

from pdcore import authz, clock, coaching, cohorts, formation, help_requests, roster, topics
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import session, tables
from pdcore.ui.text import md, md_short
from pdcore.ui.widgets import csv_download, empty_state, label_of, person_picker

PAGE_SIZE = 50

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Unmatched staff")
st.caption("Active staff with no cohort and no individual project, and what to do for each.")


@st.cache_resource(show_spinner="Asking the matching engine...", max_entries=4)
def _unmatched(version, today, school):  # today: days waiting grow at midnight
    """The list as a table, and the names of active cohorts (for suggestions)."""
    c = session.connection()
    people = formation.unmatched(c, today, school)
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
    requests = help_requests.open_requests(c, "place_me", school)
    notes = dict(zip(requests["staff_id"], requests["note"], strict=True))
    frame["place_me_note"] = [notes.get(sid, "") for sid in frame["staff_id"]]
    names = {k.id: k.name for k in cohorts.active_cohorts(c, school)}
    offered = {t.id: t.name for t in topics.offered(c)}
    coaches = {
        p.id: p.name
        for p in roster.active_staff(c, Role.COACH)
        if school is None or p.school == school
    }
    return frame, names, offered, coaches


@st.cache_resource(show_spinner=False, max_entries=64)
def _suggestions(version, staff_id, topic_id):
    fits = formation.suggestions_for(session.connection(), staff_id, topic_id)
    return [f for f in fits if f.open_seats > 0]


@st.cache_resource(show_spinner=False, max_entries=4)
def _mid_year(version, school):
    return formation.mid_year_suggestions(session.connection(), school=school)


def _done(message: str) -> None:
    st.session_state["unmatched_done"] = message
    st.session_state.pop("formation_plan", None)
    st.rerun()


if message := st.session_state.pop("unmatched_done", None):
    st.success(message, icon=":material/check_circle:")

frame, cohort_names, offered, coaches = _unmatched(
    session.data_version(), clock.today(), authz.scope(me)
)
mid_year = _mid_year(session.data_version(), authz.scope(me))
lone = [m for m in mid_year if m.kind == "seat"]
if mid_year:
    with st.expander(
        f"Thinned-out cohorts: {len(mid_year)} suggestion(s)", icon=":material/group_off:"
    ):
        tables.show(
            pd.DataFrame({"suggestion": [m.text for m in mid_year]}),
            hide_index=True,
            column_config={"suggestion": st.column_config.TextColumn("Suggestion", width="large")},
        )
        for m in lone:
            name = cohort_names.get(m.cohort_ids[1], "the cohort")
            if st.button(
                f"Seat them in {md_short(name)}",
                key=f"mid_year_seat_{m.cohort_ids[0]}_{m.staff_id}",
            ):
                try:
                    done = formation.seat_lone_member(con, me, m)
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
                else:
                    _done(md(done))
if frame.empty:
    empty_state(
        "Everyone is in a cohort or on an individual project.",
        "New staff and anyone who leaves a cohort will show up here.",
    )
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Unmatched", len(frame))
c2.metric("Asked to be placed", int(frame["asked_to_be_placed"].sum()))
c3.metric(
    "Longest wait",
    f"{int(frame['days_waiting'].max())} days",
    help="Days without a group: since the season began, or since they joined the school or "
    "left a cohort, whichever is later.",
)
c4.metric("No survey answer", int((frame["choices"] == "").sum()))

pages = max(1, -(-len(frame) // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="unmatched_page") if pages > 1 else 1
window = frame.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
tables.show(
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
        f"**{md(row['name'])}** ({md(row['department'])}), waiting {row['days_waiting']} days. "
        f"Chose: {md(row['choices'] or 'nothing yet')}. The engine says: {md(row['reason'])}."
    )
    if row["place_me_note"]:
        with st.container(border=True):
            st.caption("Their note when they asked to be placed (private)")
            st.text(row["place_me_note"])  # their words, shown as plain text
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
        fits = _suggestions(session.data_version(), int(person), topic_id) if topic_id else []
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
                cohorts.join(con, me, fit.cohort_id, staff_id=int(person))
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
            else:
                _done(f"Placed {md(row['name'])} in {md(cohort_names.get(fit.cohort_id))}.")
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
                coaching.assign(con, me, int(person), coach_id)
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
            else:
                _done(f"{md(coaches[coach_id])} is now {md(row['name'])}'s coach.")


def _keep(new_plan) -> None:
    st.session_state["formation_plan"] = new_plan
    st.rerun()


def _steer(plan) -> None:
    """Quality cards, moves, locks, never-together pairs, re-run and undo on the preview."""
    st.markdown("**Steer the plan** (nothing is written until you apply)")
    f = plan.formation
    seats = [("new", k) for k in range(len(f.new_cohorts))]
    seats += sorted({("join", c) for c, _ in f.joins})
    names = {pid: plan.data.staff.get(pid, ("?",))[0] for pid in plan.data.staff}
    card, tools = st.columns([3, 2])
    with card:
        seat = st.selectbox(
            "Quality card",
            seats,
            index=0 if seats else None,
            format_func=plan.seat_label,
            key="steer_card",
        )
        if seat is not None:
            tables.show(plan.card(seat), hide_index=True, key="steer_card_table")
    with tools:
        movable = sorted(
            f.placed_ids() | {u.person_id for u in f.unplaced if u.person_id in plan.data.people},
            key=lambda pid: names.get(pid, ""),
        )
        who = st.selectbox(
            "Person in the plan",
            movable,
            index=None,
            format_func=label_of(names),
            placeholder="Pick someone in the plan",
            key="steer_person",
        )
        if who is not None:
            here = plan.seat_of(who)
            st.caption(
                f"Now: {md(plan.seat_label(here)) if here else 'unplaced'}"
                + (" · locked" if who in plan.locked else "")
            )
            to = st.selectbox(
                "Move to",
                plan.seats_for(who),
                index=None,
                format_func=plan.seat_label,
                placeholder="A cohort on their topics, at a time they can make",
                key="steer_target",
            )
            m, lk = st.columns(2)
            if m.button("Move", key="steer_move", disabled=to is None):
                try:
                    _keep(plan.move(who, to))
                except ValidationError as exc:
                    st.error(md(str(exc)))
            if lk.button("Unlock" if who in plan.locked else "Lock", key="steer_lock"):
                _keep(plan.toggle_lock(who))
        pair = st.multiselect(
            "Never together",
            movable,
            max_selections=2,
            format_func=label_of(names),
            key="steer_pair",
        )
        if st.button("Keep these two apart", key="steer_apart", disabled=len(pair) != 2):
            _keep(plan.never_together(*pair))
        if plan.apart:
            st.caption(
                "Kept apart: "
                + "; ".join(
                    f"{md(names.get(a, a))} and {md(names.get(b, b))}"
                    for a, b in sorted(plan.apart)
                )
            )
    r, u = st.columns(2)
    if r.button(f"Re-run around {len(plan.locked)} lock(s)", key="steer_rerun"):
        _keep(plan.rerun())
    if u.button("Undo", key="steer_undo", disabled=plan.previous is None):
        _keep(plan.undo())


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
        empty_state("The plan places nobody.", "Each person's reason is in the list above.")
    else:
        tables.show(proposed, hide_index=True)
        csv_download(proposed, "formation-preview.csv", "Download CSV (plan)")
    left_out = plan.unplaced_table()
    if not left_out.empty:
        with st.expander(f"Still unplaced after the plan ({len(left_out)})"):
            tables.show(left_out, hide_index=True)
    _steer(plan)
    a, b = st.columns(2)
    if a.button("Apply this plan", key="formation_apply", type="primary", disabled=proposed.empty):
        try:
            result = formation.apply(con, me, plan)
        except (ValidationError, PermissionDenied) as exc:
            st.error(md(str(exc)))
        else:
            _done(result.summary())
    if b.button("Discard the plan", key="formation_discard"):
        st.session_state.pop("formation_plan", None)
        st.rerun()
