"""Participation: who is in, who is not: the participation funnel by department and topic."""

import streamlit as st

from pdcore import authz, clock, participation
from pdcore.model import Role
from pdcore.ui import charts, session, tables, year_over_year
from pdcore.ui.widgets import csv_download, empty_state

PAGE_SIZE = 50
STAGE_COLUMNS = [label for _col, label in participation.STAGES[1:]]

me = session.require_role(Role.ADMIN)
st.title("Participation")
st.caption("Who is in, who is not: the participation funnel by department and topic.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _table(version, today, school):  # today: who is waiting and for how long changes at midnight
    frame = participation.participation_table(session.connection(), today, school)
    departments = sorted(frame["department"].unique())
    topics = sorted(t for t in frame["topic"].unique() if t)
    return frame, departments, topics


@st.cache_resource(show_spinner=False, max_entries=32)
def _view(version, today, school, departments, topics, roles):
    """The filtered table and its summaries, with chart specs built once per data version."""
    frame = participation.filter_frame(
        _table(version, today, school)[0], list(departments), list(topics), list(roles)
    )
    funnel = participation.funnel(frame)
    by_dept = participation.by_group(frame, "department")
    by_topic = participation.by_group(frame, "topic")
    return {
        "frame": frame,
        "funnel": funnel,
        "by_dept": by_dept,
        "by_topic": by_topic,
        "funnel_spec": charts.to_spec(charts.funnel_chart(funnel)) if len(frame) else None,
        "dept_spec": charts.to_spec(charts.share_heatmap(by_dept, "department", STAGE_COLUMNS))
        if len(frame)
        else None,
        "topic_spec": charts.to_spec(charts.share_heatmap(by_topic, "topic", STAGE_COLUMNS))
        if len(frame)
        else None,
    }


every = st.segmented_control(
    "Refresh",
    [0, 15, 30, 60],
    default=30,
    format_func=lambda s: "Off" if s == 0 else f"every {s} s",
    key="participation_refresh",
)


@st.fragment(run_every=every or None)
def dashboard():
    full, department_options, topic_options = _table(
        session.data_version(), clock.today(), authz.scope(me)
    )
    if full.empty:
        empty_state(
            "Nobody is on the roster yet.",
            "Import the roster on the Data and sync page, then come back here.",
        )
        return
    c1, c2, c3 = st.columns(3)
    departments = c1.multiselect("Department", department_options, key="participation_department")
    topics = c2.multiselect("Topic", topic_options, key="participation_topic")
    roles = c3.multiselect(
        "Role", ["teacher", "coach", "admin"], default=["teacher"], key="participation_role"
    )
    view = _view(
        session.data_version(),
        clock.today(),
        authz.scope(me),
        tuple(departments),
        tuple(topics),
        tuple(roles),
    )
    frame = view["frame"]
    st.caption(
        f"Updated {clock.now():%H:%M:%S}"
        + (f"; refreshes every {every} s while this page is open." if every else ".")
    )
    if frame.empty:
        empty_state("Nobody matches these filters.", "Clear a filter to see more people.")
        return

    funnel = view["funnel"]
    cols = st.columns(len(funnel))
    for col, row in zip(cols, funnel.itertuples(), strict=True):
        col.metric(row.stage, row.people, f"{row.share:.0%}", delta_color="off", delta_arrow="off")

    left, right = st.columns([2, 3])
    with left:
        st.subheader("The funnel")
        charts.render(view["funnel_spec"])
        csv_download(funnel, "participation-funnel.csv")
    with right:
        st.subheader("Share at each stage")
        # On request: each chart costs every new visit ~25 ms of server time (benchmarks/).
        by = st.segmented_control(
            "Break down by",
            ["department", "topic"],
            default=None,
            key="participation_breakdown",
        )
        if by is None:
            st.caption("Pick department or topic to see each group's share at every stage.")
        else:
            short = "dept" if by == "department" else "topic"
            charts.render(view[f"{short}_spec"])
            csv_download(
                view[f"by_{short}"], f"participation-by-{by}.csv", f"Download CSV (by {by})"
            )

    # The list of people is on request: most visits want the numbers, not 50 names.
    if not st.toggle("Show the people", key="participation_people"):
        csv_download(frame, "participation.csv", f"Download CSV ({len(frame)} people)")
        return
    waiting = st.toggle(
        "Only people not yet in a cohort or project", value=True, key="participation_waiting"
    )
    people = frame[~frame["in_group"]] if waiting else frame
    pages = max(1, -(-len(people) // PAGE_SIZE))
    page = st.number_input(
        f"Page (of {pages}, {PAGE_SIZE} a page)", 1, pages, 1, key="participation_page"
    )
    shown = people.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    tables.show(
        shown[
            [
                "name",
                "email",
                "department",
                "role",
                "topic",
                "cohort",
                *[c for c, _ in participation.STAGES[1:]],
            ]
        ],
        hide_index=True,
    )
    csv_download(people, "participation.csv", f"Download CSV ({len(people)} people)")


dashboard()


@st.cache_resource(show_spinner=False, max_entries=2)
def _by_season(version, school):
    frame = participation.by_season(session.connection(), school)
    return frame, year_over_year.spec_for(
        frame, "share_in_group", "Teachers in a cohort or project", ".0%"
    )


year_over_year.show(
    *_by_season(session.data_version(), authz.scope(me)),
    key="participation_seasons",
    columns={"teachers": "Teachers", "in_group": "In a cohort or project",
             "share_in_group": st.column_config.NumberColumn("Share", format="percent"),
             "met_once": "Met at least once"},
)  # fmt: skip
