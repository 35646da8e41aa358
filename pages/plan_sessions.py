"""Plan sessions: publish and edit a day's options, see demand, mark attendance, see sign-ups."""

from datetime import timedelta

import altair as alt
import streamlit as st

from pdcore import clock, coaching, sessions, topics
from pdcore.growth import long_date
from pdcore.model import Role
from pdcore.ui import charts, session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state, people_labels, report, show_outcome

me = session.require_role(Role.COACH, Role.ADMIN)
con = session.connection()
st.title("Plan sessions")
st.caption(
    "Publish each staff-development day's options, plan from demand, mark attendance and "
    "see sign-ups across the year."
)

KIND_LABEL = sessions.LEADER_LABELS
DAY = st.column_config.DateColumn("day", format="ddd MMM D, YYYY")


def _publish() -> None:
    ss = st.session_state

    def publish():
        return sessions.publish(
            con, me, ss.get("pub_day"), ss.get("pub_title", ""), ss.get("pub_capacity"),
            ss.get("pub_kind", "coach"), ss.get("pub_leader", ""), ss.get("pub_room", ""),
            ss.get("pub_desc", ""), ss.get("pub_topic"),
        )  # fmt: skip
        for key in ("pub_title", "pub_leader", "pub_room", "pub_desc"):
            ss[key] = ""

    def published(session_id: int) -> str:
        added = sessions.option(con, session_id)
        n = len(sessions.options_for_day(con, added.day))
        return (
            f"Published {md(added.title)} for {long_date(added.day)}: teachers can sign up now. "
            f"That day now has {n} option{'s' if n != 1 else ''}."
        )

    report(publish, published)


def _edit(session_id: int) -> None:
    ss = st.session_state
    report(
        lambda: sessions.edit(
            con,
            me,
            session_id,
            ss.get(f"edit_title_{session_id}", ""),
            ss.get(f"edit_capacity_{session_id}"),
            ss.get(f"edit_kind_{session_id}", "coach"),
            ss.get(f"edit_leader_{session_id}", ""),
            ss.get(f"edit_room_{session_id}", ""),
            ss.get(f"edit_desc_{session_id}", ""),
            ss.get(f"edit_topic_{session_id}"),
        ),  # fmt: skip
        "Changes saved.",
    )


def _attendance(session_id: int) -> None:
    present = st.session_state.get(f"att_present_{session_id}", [])
    report(
        lambda: sessions.mark_attendance(con, me, session_id, present),
        lambda counts: f"Attendance saved: {counts[0]} present, {counts[1]} absent.",
    )


show_outcome()

today = clock.today()
topic_names = {t.id: t.name for t in topics.topic_list(con)}
topic_ids = [None, *topic_names]


def _topic_label(t) -> str:
    return "No topic" if t is None else topic_names.get(t, "(retired topic)")


@st.cache_data(show_spinner=False)
def _per_session(version: int, actor_id: int):
    return sessions.per_session(session.connection(), actor_id)


@st.cache_data(show_spinner=False)
def _per_teacher(version: int, actor_id: int):
    return sessions.per_teacher(session.connection(), actor_id)


@st.cache_data(show_spinner=False)
def _demand(version: int, actor_id: int):
    con = session.connection()
    return (
        sessions.topic_demand(con, actor_id),
        sessions.expert_requests(con, actor_id),
        coaching.plc_needs(con),
    )


tab_publish, tab_demand, tab_attend, tab_signups = st.tabs(
    ["Publish and edit", "Demand", "Attendance", "Sign-ups"],
    key="plan_sessions_tab",
    on_change="rerun",
)

with tab_publish:
    st.subheader("Publish an option")
    next_wed = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    with st.form("publish_form"):
        c1, c2 = st.columns(2)
        c1.date_input("Day", value=next_wed, key="pub_day", format="YYYY-MM-DD")
        c2.text_input("Title", key="pub_title", placeholder="e.g. Writing intervention plans")
        c1.selectbox("Led by", sessions.LEADER_KINDS, format_func=KIND_LABEL.get, key="pub_kind")
        c2.text_input("Leader's name (optional)", key="pub_leader")
        c1.text_input("Room", key="pub_room")
        c2.number_input("Capacity", value=30, step=1, key="pub_capacity")
        st.selectbox("Topic (optional)", topic_ids, format_func=_topic_label, key="pub_topic")
        st.text_area("Description (optional)", key="pub_desc", height=80)
        st.form_submit_button("Publish", key="pub_save", type="primary", on_click=_publish)

    st.subheader("A day's options")
    days = sessions.session_days(con)
    if not days:
        empty_state("Nothing is published yet.", "Publish the first option above.")
    else:
        upcoming = [d for d in days if d >= today]
        default = days.index(upcoming[0]) if upcoming else len(days) - 1
        day = st.selectbox("Day", days, index=default, format_func=long_date, key="edit_day")
        options = sessions.options_for_day(con, day)
        tables.show(
            [
                {
                    "title": o.title,
                    "led by": o.leader(),
                    "room": o.room,
                    "signed up": o.taken,
                    "capacity": o.capacity,
                    "seats left": o.seats_left,
                }
                for o in options
            ],
            hide_index=True,
            key="day_table",
        )
        by_id = {o.id: o for o in options}
        pick = st.selectbox(
            "Edit an option",
            list(by_id),
            format_func=lambda i: by_id[i].title,
            index=None,
            placeholder="Pick an option to edit",
            key="edit_pick",
        )
        if pick is not None:
            o = by_id[pick]
            with st.form(f"edit_form_{o.id}"):
                c1, c2 = st.columns(2)
                c1.text_input("Title", value=o.title, key=f"edit_title_{o.id}")
                c2.selectbox(
                    "Led by",
                    sessions.LEADER_KINDS,
                    index=sessions.LEADER_KINDS.index(o.leader_kind),
                    format_func=KIND_LABEL.get,
                    key=f"edit_kind_{o.id}",
                )
                c1.text_input("Leader's name", value=o.leader_name, key=f"edit_leader_{o.id}")
                c2.text_input("Room", value=o.room, key=f"edit_room_{o.id}")
                c1.number_input("Capacity", value=o.capacity, step=1, key=f"edit_capacity_{o.id}")
                c2.selectbox(
                    "Topic",
                    topic_ids,
                    index=topic_ids.index(o.topic_id) if o.topic_id in topic_ids else 0,
                    format_func=_topic_label,
                    key=f"edit_topic_{o.id}",
                )
                st.text_area("Description", value=o.description, key=f"edit_desc_{o.id}")
                st.form_submit_button("Save changes", key="edit_save", on_click=_edit, args=(o.id,))

with tab_demand:
    demand, experts, needs = _demand(session.data_version(), me.id)
    st.caption(
        "What people asked for: the survey's topic demand, requests to learn from an expert, "
        "and the school-wide needs coaches noted in PLC meetings."
    )
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Survey demand and expert requests, by topic**")
        if demand.empty:
            empty_state("No survey answers yet.", "Demand appears as people answer the survey.")
        else:
            long = demand.melt(
                "topic",
                ["first_choice", "expert_requests"],
                var_name="measure",
                value_name="people",
            )
            long["measure"] = long["measure"].map(
                {"first_choice": "first choice in survey", "expert_requests": "expert requests"}
            )
            chart = (
                alt.Chart(long)
                .mark_bar()
                .encode(
                    x=alt.X("people:Q", title="people"),
                    y=alt.Y("topic:N", sort="-x", title=None),
                    yOffset="measure:N",
                    color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top")),
                    tooltip=["topic", "measure", "people"],
                )
            )
            st.altair_chart(charts.whole_labels(chart), width="stretch")
            tables.show(demand, hide_index=True, key="demand_table")
    with right:
        st.markdown("**PLC needs**")
        if needs.empty:
            empty_state("No needs noted yet.", "Coaches add them with their PLC notes (Coaching).")
        else:
            tables.show(needs, hide_index=True, key="needs_table")
        st.markdown("**Expert requests**")
        if experts.empty:
            empty_state("No open expert requests.", "Teachers ask on Staff development.")
        else:
            tables.show(experts, hide_index=True, key="experts_table")

with tab_attend:
    st.subheader("Mark attendance")
    past = [d for d in sessions.session_days(con) if d <= today]
    if not past:
        empty_state("No session day has come yet.", "Attendance opens on the day itself.")
    else:
        day = st.selectbox("Day", list(reversed(past)), format_func=long_date, key="att_day")
        options = {o.id: o for o in sessions.options_for_day(con, day)}
        sid = st.selectbox(
            "Option",
            list(options),
            format_func=lambda i: f"{options[i].title} ({options[i].taken} signed up)",
            key="att_session",
        )
        people = sessions.attendees(con, me.id, sid)
        if people.empty:
            empty_state("Nobody signed up for this option.")
        else:
            names = people_labels(people)
            marked = people["attended"].notna().any()
            default = (
                people.loc[people["attended"].fillna(False).astype(bool), "staff_id"].tolist()
                if marked
                else list(names)
            )
            st.caption(
                "Already marked; change and save again if needed."
                if marked
                else "Not marked yet: everyone signed up is ticked; remove who did not come."
            )
            st.multiselect(
                "Present", list(names), default=default, format_func=names.get,
                key=f"att_present_{sid}",
            )  # fmt: skip
            st.button(
                "Save attendance",
                key="att_save",
                type="primary",
                on_click=_attendance,
                args=(sid,),
            )

with tab_signups:
    per_session = _per_session(session.data_version(), me.id)
    if per_session.empty:
        empty_state("No sessions yet.", "Publish options and sign-ups appear here.")
    else:
        st.subheader("Per session")
        by_day = per_session.groupby("day")[["attended", "absent", "unmarked"]].sum()
        by_day.index = [f"{d:%b} {d.day}" for d in by_day.index]
        stacked = by_day.rename(columns={"unmarked": "not marked yet"}).reset_index(names="day")
        chart = (
            alt.Chart(stacked.melt("day", var_name="measure", value_name="people"))
            .mark_bar()
            .encode(
                x=alt.X("day:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("people:Q", title="people signed up"),
                color=alt.Color(
                    "measure:N",
                    title=None,
                    legend=alt.Legend(orient="top"),
                    scale=alt.Scale(
                        domain=["attended", "absent", "not marked yet"],
                        range=["#54a24b", "#e45756", "#bab0ac"],
                    ),
                ),
                order=alt.Order("measure:N"),
                tooltip=["day", "measure", "people"],
            )
            .properties(height=220)
        )
        st.altair_chart(charts.whole_labels(chart), width="stretch")
        tables.show(
            per_session.drop(columns=["session_id"]),
            hide_index=True,
            key="per_session",
            column_config={"day": DAY},
        )
        csv_download(
            per_session.drop(columns=["session_id"]),
            "sessions-per-session.csv",
            "Download per-session CSV",
        )
        st.subheader("Per teacher")
        per_teacher = _per_teacher(session.data_version(), me.id)
        tables.show(per_teacher.drop(columns=["staff_id"]), hide_index=True, key="per_teacher")
        csv_download(
            per_teacher.drop(columns=["staff_id"]),
            "sessions-per-teacher.csv",
            "Download per-teacher CSV",
        )
