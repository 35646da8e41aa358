"""Cohort health: one row per cohort: cadence, attendance, goals, evidence and contact hours."""

import pandas as pd
import streamlit as st

from pdcore import authz, clock, formation, health, meetings, settings
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import charts, session, tables, year_over_year
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state

PAGE_SIZE = 100
LIGHT_ICONS = {"green": "🟢", "amber": "🟡", "red": "🔴"}

me = session.require_role(Role.ADMIN)
st.title("Cohort health")
st.caption("One row per cohort: cadence, attendance, goals, evidence and contact hours.")


def _label(names: dict):
    """A selectbox label for an id; a label passed back (as tests do) stays itself."""
    return lambda value: names.get(value, value)


@st.cache_resource(show_spinner=False, max_entries=4)
def _health(version, today, school):  # today: cadence and recency change at midnight
    con = session.connection()
    frame = health.health_table(con, today, school)
    frame.insert(6, "status", frame["light"].map(LIGHT_ICONS) + " " + frame["light"])
    rules = settings.load(con)
    spec = charts.to_spec(charts.lights_by_topic_chart(frame)) if len(frame) else None
    return frame, rules, spec


@st.cache_resource(show_spinner=False, max_entries=4)
def _mid_year(version, school):
    return formation.mid_year_suggestions(session.connection(), school=school)


@st.cache_resource(show_spinner=False, max_entries=16)
def _detail(version, cohort_id):
    return health.cohort_detail(session.connection(), cohort_id)


@st.cache_resource(show_spinner=False, max_entries=2)
def _by_season(version, school):
    per_season = health.by_season(session.connection(), school)
    return per_season, year_over_year.spec_for(per_season, "attendance", "Meetings attended", ".0%")


def _year_over_year() -> None:
    year_over_year.show(
        *_by_season(session.data_version(), authz.scope(me)),
        key="health_seasons",
        columns={"cohorts": "Cohorts", "meetings_per_cohort": "Meetings per cohort",
                 "attendance": st.column_config.NumberColumn("Attended", format="percent"),
                 "contact_hours_per_member": "Contact hours per member"},
    )  # fmt: skip


frame, rules, spec = _health(session.data_version(), clock.today(), authz.scope(me))
if frame.empty:
    empty_state(
        "No cohorts are running yet.",
        "Cohorts appear here once teachers join or are placed in one (see Unmatched staff).",
    )
    _year_over_year()
    st.stop()

counts = health.light_counts(frame)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Cohorts and projects", len(frame))
c2.metric("🟢 Green", counts["green"])
c3.metric("🟡 Amber", counts["amber"])
c4.metric("🔴 Red", counts["red"])

with st.expander("How the score is built", icon=":material/calculate:"):
    weights = pd.DataFrame(
        [(k, float(w)) for k, w in rules.health_weights.items()], columns=["measure", "weight"]
    )
    tables.show(weights, hide_index=True, width="content")
    st.markdown(
        f"Green at **{rules.health_green:.0%}** or more, amber from **{rules.health_amber:.0%}**, "
        f"red below. Cadence expects **{rules.meetings_per_month}** meeting(s) a month from "
        f"{rules.season_start:%B %-d}; size counts inside **{rules.min_size}-{rules.max_size}**. "
        f"A measure not due yet (no meeting expected, no second meeting) is left out. Contact "
        f"hours are information, not a grade: a note shows when a cohort will end the season "
        f"under **{rules.contact_hours_target:g} h** per member."
    )
    st.page_link("pages/settings.py", label="Change weights and thresholds in Settings")

# The chart at full width: topic names are long, and a narrow column squeezed the bars.
st.subheader("Lights by topic")
charts.render(spec)
st.subheader("Cohorts, weakest first")
f1, f2, f3 = st.columns(3)
lights = f1.multiselect("Light", list(LIGHT_ICONS), key="health_light")
topics = f2.multiselect("Topic", sorted(frame["topic"].unique()), key="health_topic")
kinds = f3.multiselect("Kind", sorted(frame["kind"].unique()), key="health_kind")
shown = frame
if lights:
    shown = shown[shown["light"].isin(lights)]
if topics:
    shown = shown[shown["topic"].isin(topics)]
if kinds:
    shown = shown[shown["kind"].isin(kinds)]
pages = max(1, -(-len(shown) // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="health_page") if pages > 1 else 1
window = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

percent = st.column_config.NumberColumn(format="percent")
tables.show(
    window.drop(columns=["cohort_id", "light", *[c for c in frame if c.startswith("part_")]]),
    hide_index=True,
    column_config={
        "score": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent"),
        "attendance": percent,
        "in_school_day": percent,
        "contact_hours": st.column_config.NumberColumn("contact h/member", format="%.1f"),
        "projected_hours": st.column_config.NumberColumn("projected h", format="%.1f"),
        "notes": st.column_config.TextColumn(width="large"),
    },
)
csv_download(shown.drop(columns=["status"]), "cohort-health.csv")
st.page_link(
    "pages/data.py", label="Push the cohort lists to the school's Google Sheet (Data and sync)"
)


def delete_a_meeting(cohort_id: int) -> None:
    """An admin deletes a meeting logged by mistake (a double submit); audited."""
    if done := st.session_state.pop("health_deleted", None):
        st.success(done, icon=":material/check_circle:")
    con = session.connection()
    held = meetings.held_meetings(con, cohort_id)
    if held.empty:
        return
    with st.expander("Delete a meeting logged by mistake"):
        days = {
            int(m.id): f"{m.held_on:%a %b} {m.held_on.day}: {m.attended} attended, {m.minutes} min"
            for m in held.itertuples()
        }
        chosen = st.selectbox(
            "Meeting", list(days), format_func=days.get, key=f"health_delete_{cohort_id}"
        )
        sure = st.checkbox("Yes, delete this meeting", key=f"health_delete_sure_{chosen}")
        if st.button("Delete", key="health_delete_button"):
            try:
                if not sure:
                    raise ValidationError("Tick 'Yes, delete this meeting' to confirm.")
                meetings.delete_meeting(con, me, chosen)
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
            else:
                st.session_state["health_deleted"] = (
                    f"Deleted the meeting of {days[chosen]}; the audit log keeps it."
                )
                st.rerun()


mid_year = _mid_year(session.data_version(), authz.scope(me))
if mid_year:
    st.subheader("Thinned-out cohorts")
    st.caption(
        "A cohort down to one member scores red. These are suggestions: nothing changes "
        "until you act (seat a lone member from Unmatched staff)."
    )
    tables.show(
        pd.DataFrame({"suggestion": [m.text for m in mid_year]}),
        hide_index=True,
        column_config={"suggestion": st.column_config.TextColumn("Suggestion", width="large")},
        key="health_mid_year",
    )

st.subheader("Drill down")
pick = st.selectbox(
    "Cohort",
    list(window["cohort_id"]),
    index=None,
    format_func=_label(dict(zip(window["cohort_id"], window["cohort"], strict=True))),
    placeholder="Pick a cohort to see its meetings, attendance, goals and reflections",
    key="health_cohort",
)
if pick is not None:
    row = window[window["cohort_id"] == pick].iloc[0]
    st.markdown(
        f"**{md(row['cohort'])}** · {md(row['topic'])} · {row['status']} ({row['score']:.0%})"
    )
    parts = pd.DataFrame(
        [
            (c, row[f"part_{c}"], float(rules.health_weights.get(c, 0)))
            for c in health.COMPONENTS
            if pd.notna(row[f"part_{c}"])
        ],
        columns=["measure", "part", "weight"],
    )
    tables.show(
        parts,
        hide_index=True,
        width="content",
        column_config={
            "part": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")
        },
    )
    if row["notes"]:
        st.caption(md(row["notes"]))
    detail = _detail(session.data_version(), int(pick))
    tabs = st.tabs(
        ["Meetings", "Attendance", "Goals", "Reflections"], key="health_tab", on_change="rerun"
    )
    for tab, (name, table) in zip(
        tabs,
        (
            ("meetings", detail.meetings),
            ("attendance", detail.attendance),
            ("goals", detail.goals),
            ("reflections", detail.reflections),
        ),
        strict=True,
    ):
        with tab:
            if table.empty:
                empty_state(f"No {name} recorded yet.", "Members add them on their My cohort page.")
            else:
                tables.show(table, hide_index=True)
                csv_download(table, f"cohort-{pick}-{name}.csv", f"Download CSV ({name})")
            if name == "meetings":
                delete_a_meeting(int(pick))

_year_over_year()
