"""Coaching: plans to claim, your caseload, one-on-one logs and PLC notes; coverage for admins."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from pdcore import clock, coaching, growth, pathways, roster, settings
from pdcore.model import Role, ValidationError
from pdcore.ui import charts, session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state, report, show_outcome

me = session.require_role(Role.COACH, Role.ADMIN)
con = session.connection()
st.title("Coaching")
st.caption(
    "Growth plans to claim, your caseload, one-on-one coaching logs and PLC notes"
    + ("; coaching coverage across the school." if me.role == Role.ADMIN else ".")
)


def _claim() -> None:
    pick = st.session_state.get("claim_pick")

    def claim():
        if pick is None:
            raise ValidationError("Pick a teacher to claim first.")
        coaching.claim(con, me, pick)
        return roster.by_id(con, pick)

    report(
        claim,
        lambda person: (
            f"{md(person.name)} is on your caseload now: their plan is under My caseload."
        ),
    )


def _log_session() -> None:
    ss = st.session_state

    def log():
        if ss.get("log_teacher") is None:
            raise ValidationError("Pick the teacher you coached.")
        coaching.log_session(
            con, me, ss["log_teacher"], ss.get("log_date"), ss.get("log_minutes"),
            ss.get("log_focus", ""), ss.get("log_next", ""),
        )  # fmt: skip
        ss["log_focus"], ss["log_next"] = "", ""

    report(log, "Session logged.")


def _add_plc() -> None:
    ss = st.session_state

    def add():
        coaching.add_plc_note(
            con, me, ss.get("plc_date"), ss.get("plc_notes", ""), ss.get("plc_needs", "")
        )
        ss["plc_notes"], ss["plc_needs"] = "", ""

    report(add, "PLC notes saved; the needs now show on Plan sessions.")


def _add_pathway() -> None:
    ss = st.session_state

    def add():
        pathways.add_pathway(
            con, me, ss.get("pw_name", ""), ss.get("pw_link", ""), ss.get("pw_desc", ""),
            (ss.get("pw_steps") or "").splitlines(),
        )  # fmt: skip
        for key in ("pw_name", "pw_link", "pw_desc", "pw_steps"):
            ss[key] = ""

    report(add, "Pathway listed: teachers can follow it on their Growth plan page.")


show_outcome()


@st.cache_data(show_spinner=False)
def _coverage(version: int, viewer_id: int, today: date):
    con = session.connection()
    frame = coaching.coverage_frame(con, viewer_id, today)
    by_dept = (
        frame.groupby("department")[["has_plan", "has_coach", "met_this_month"]]
        .mean()
        .reset_index()
        .melt("department", var_name="measure", value_name="share")
    )
    by_dept["measure"] = by_dept["measure"].map(
        {"has_plan": "with a plan", "has_coach": "with a coach", "met_this_month": "met coach"}
    )
    return frame, by_dept


COVERAGE_MEASURES = ["with a plan", "with a coach", "met coach"]


def coverage_section() -> None:
    st.subheader("Coaching coverage")
    today = clock.today()
    frame, by_dept = _coverage(session.data_version(), me.id, today)
    if frame.empty:
        empty_state("There are no active teachers on the roster.", "Sync the roster on Data.")
        return
    n = len(frame)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Teachers", n)
    for col, field, label in (
        (c2, "has_plan", "With a growth plan"),
        (c3, "has_coach", "With a coach"),
        (c4, "met_this_month", f"Met their coach in {today:%B}"),
    ):
        k = int(frame[field].sum())
        col.metric(label, k, delta=f"{k / n:.0%} of teachers", delta_color="off", delta_arrow="off")
    chart = (
        alt.Chart(by_dept)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of teachers"),
            y=alt.Y("department:N", title=None),
            yOffset=alt.YOffset("measure:N", sort=COVERAGE_MEASURES),
            color=alt.Color(
                "measure:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(domain=COVERAGE_MEASURES, range=["#4c78a8", "#72b7b2", "#54a24b"]),
            ),
            tooltip=["department", "measure", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=alt.Step(9))
    )
    st.altair_chart(charts.whole_labels(chart), width="stretch")
    show = st.segmented_control(
        "Show",
        ["Everyone", "No plan", "No coach", "Not met this month"],
        default="Everyone",
        key="coverage_filter",
    )
    masks = {
        "No plan": ~frame["has_plan"],
        "No coach": ~frame["has_coach"],
        "Not met this month": frame["has_coach"] & ~frame["met_this_month"],
    }
    view = frame[masks[show]] if show in masks else frame
    tables.show(
        view.drop(columns=["staff_id"]),
        hide_index=True,
        key="coverage_table",
        column_config={
            "has_plan": st.column_config.CheckboxColumn("plan"),
            "has_coach": st.column_config.CheckboxColumn("has a coach"),
            "met_this_month": st.column_config.CheckboxColumn("met this month"),
        },
    )
    csv_download(view.drop(columns=["staff_id"]), "coaching-coverage.csv")


def claim_section() -> None:
    st.subheader("Growth plans without a coach")
    plans = coaching.unassigned_plans(con, me.id)
    if plans.empty:
        empty_state(
            "Every growth plan in your school has a coach.",
            "New plans appear here when a teacher leaves the choice to the coaches.",
        )
        return
    matching = plans[plans["matches"] != ""]
    st.caption(
        f"{len(plans)} plans have no coach; {len(matching)} share words with your focus "
        f"(\u201c{md(me.coach_focus or 'no focus set')}\u201d) and are listed first."
    )
    only = st.toggle("Only plans that match my focus", key="claim_match_only", value=False)
    view = matching if only and len(matching) else plans
    tables.show(
        view.drop(columns=["staff_id"]),
        hide_index=True,
        key="claim_table",
        column_config={"matches": st.column_config.TextColumn("matches my focus")},
    )
    names = dict(zip(view["staff_id"], view["name"] + " · " + view["focus"], strict=True))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox(
        "Teacher to claim",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Pick a teacher",
        key="claim_pick",
    )
    right.button("Claim", key="claim_btn", type="primary", on_click=_claim)
    pick = st.session_state.get("claim_pick")
    if pick is not None and pick in names:
        show_plan(pick)


def caseload_section() -> pd.DataFrame:
    st.subheader("My caseload")
    load = coaching.caseload(con, me.id)
    if load.empty:
        empty_state("Nobody is on your caseload yet.", "Claim a plan above, or wait to be chosen.")
        return load
    c1, c2, c3 = st.columns(3)
    c1.metric("Teachers", len(load))
    c2.metric("Never contacted", int(load["last_contact"].isna().sum()))
    c3.metric("Asking for coaching", int(load["open_request"].sum()))
    tables.show(
        load.drop(columns=["staff_id"]),
        hide_index=True,
        key="caseload_table",
        column_config={
            "how": st.column_config.TextColumn("coach by"),
            "focus": st.column_config.TextColumn(width="medium"),
            "open_request": st.column_config.CheckboxColumn("asking for coaching"),
            "last_contact": st.column_config.DateColumn("last contact"),
        },
    )
    names = dict(zip(load["staff_id"], load["name"], strict=True))
    pick = st.selectbox(
        "Read a plan",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Pick a teacher on your caseload",
        key="caseload_pick",
    )
    if pick is not None:
        show_plan(pick)
    return load


def show_plan(staff_id: int) -> None:
    plan = growth.plan_for(con, me.id, staff_id)
    if plan is None:
        empty_state("No growth plan yet this year.", "A one-on-one could start one together.")
    else:
        st.markdown(f"**Focus:** {md(plan.focus)}" + (f" · {md(plan.topic)}" if plan.topic else ""))
        for g in plan.goals:
            st.markdown(f"{g.position}\\. {md(g.goal)}  \n   _How they will know:_ {md(g.measure)}")
        st.caption(
            f"{len(plan.evidence)} pieces of evidence"
            + ("; year-end reflection written." if plan.reflection else ".")
        )
    held = coaching.sessions_for(con, me.id, staff_id)
    if len(held) and "focus" not in held:
        st.caption(
            "Session notes stay between the coach and the teacher: you see who met, when "
            "and for how long."
        )
    if len(held):
        tables.show(
            held,
            hide_index=True,
            key=f"held_{staff_id}",
            column_config={"held_on": st.column_config.DateColumn("date")},
        )


def log_section(load: pd.DataFrame) -> None:
    st.subheader("Log a one-on-one session")
    requests = coaching.open_requests(con, me.id)
    unassigned = coaching.unassigned_plans(con, me.id)
    people = {}
    for frame in (load, requests, unassigned):
        if len(frame):
            people.update(zip(frame["staff_id"], frame["name"], strict=True))
    if not people:
        empty_state("There is nobody you can log a session with yet.", "Claim a teacher first.")
        return
    with st.form("log_form"):
        st.selectbox(
            "Teacher",
            sorted(people, key=people.get),
            format_func=people.get,
            index=None,
            placeholder="Pick a teacher",
            key="log_teacher",
        )
        c1, c2 = st.columns(2)
        c1.date_input("Date", value=clock.today(), key="log_date", format="YYYY-MM-DD")
        c2.number_input("Minutes", value=30, step=5, key="log_minutes")
        st.text_input("Focus", key="log_focus", placeholder="e.g. Conferring during work time")
        st.text_input("Next step", key="log_next", placeholder="e.g. Try a conference log")
        st.form_submit_button("Log session", key="log_save", type="primary", on_click=_log_session)
    if len(requests):
        st.markdown("**Open requests for one-on-one coaching**")
        tables.show(
            requests[
                ["name", "department", "topic", "preferred_slots", "note", "asked_on", "coach"]
            ],
            hide_index=True,
            key="requests_table",
            column_config={"asked_on": st.column_config.DateColumn("asked on")},
        )


def plc_section() -> None:
    st.subheader("PLC notes")
    if me.role == Role.COACH:
        with st.form("plc_form"):
            st.date_input("Met on", value=clock.today(), key="plc_date", format="YYYY-MM-DD")
            st.text_area("Notes", key="plc_notes", height=100)
            st.text_area(
                "School-wide needs we identified (one per line)", key="plc_needs", height=80
            )
            st.form_submit_button("Save PLC notes", key="plc_save", on_click=_add_plc)
    notes = coaching.plc_notes(con)
    if notes.empty:
        empty_state("No PLC notes yet.", "Coaches record each Friday's PLC here.")
    else:
        tables.show(
            notes,
            hide_index=True,
            key="plc_table",
            column_config={"met_on": st.column_config.DateColumn("met on")},
        )


def pathways_section() -> None:
    st.subheader("Online pathways")
    listed = pathways.uptake(con)
    if listed.empty:
        empty_state("No pathways are listed yet.", "List one below: a course and its steps.")
    else:
        tables.show(
            listed,
            hide_index=True,
            key="pathways_table",
            column_config={"link": st.column_config.LinkColumn("link")},
        )
    with st.expander("List a pathway"), st.form("pathway_form", border=False):
        st.text_input("Name", key="pw_name", placeholder="e.g. Google Certified Educator Level 2")
        st.text_input("Link", key="pw_link", placeholder="https://...")
        st.text_area("Description (optional)", key="pw_desc", height=68)
        st.text_area("Steps, one per line", key="pw_steps", height=120)
        st.form_submit_button("List pathway", key="pw_save", on_click=_add_pathway)


if me.role == Role.ADMIN:
    coverage_section()
    with st.expander("Open requests for one-on-one coaching"):
        requests = coaching.open_requests(con, me.id)
        if requests.empty:
            empty_state("No open requests.")
        else:
            tables.show(requests.drop(columns=["request_id", "staff_id"]), hide_index=True)
    plc_section()
    pathways_section()
else:
    tab_claim, tab_load, tab_log, tab_plc, tab_paths = st.tabs(
        ["Plans to claim", "My caseload", "Log a session", "PLC notes", "Pathways"],
        key="coaching_tab",
        on_change="rerun",
    )
    with tab_claim:
        claim_section()
    with tab_load:
        load = caseload_section()
    with tab_log:
        log_section(load)
    with tab_plc:
        plc_section()
    with tab_paths:
        pathways_section()
    st.caption(
        f"Growth plans are private: you see your caseload's and the unassigned plans of "
        f"{md(me.school or 'your school')} ({growth.school_year_label(settings.load(con))})."
    )
