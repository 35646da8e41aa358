"""Home: where each person starts; their status in a sentence and the next thing to do."""

import streamlit as st

from pdcore import home
from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.text import md, md_short

me = session.require_any()
con = session.connection()
st.title(f"Welcome, {md_short(me.first_name, 40)}", anchor=False)  # no #anchor from a name

if me.role != Role.ADMIN:
    status = home.teacher_status(con, me.id)
    st.subheader("My learning this season")
    if status.cohort_name:
        st.success(
            f"You are in **{md(status.cohort_name)}** ({md(status.topic)}).",
            icon=":material/groups:",
        )
        st.page_link("pages/my_cohort.py", label="Open my cohort", icon=":material/arrow_forward:")
    elif status.place_me_open:
        st.info(
            "You asked to be placed. A coach will be in touch; nobody else can see that you asked.",
            icon=":material/hourglass_top:",
        )
    elif status.answered_survey:
        st.info("You have not joined a cohort yet.", icon=":material/group_add:")
        st.page_link("pages/find_group.py", label="Find a group", icon=":material/arrow_forward:")
    else:
        st.info(
            "Start with the interest survey: it takes two minutes.", icon=":material/checklist:"
        )
        st.page_link("pages/survey.py", label="Take the survey", icon=":material/arrow_forward:")
    if status.season_survey_due:
        st.info(
            "The end-of-season survey is open: five questions, and your vote decides next year.",
            icon=":material/rate_review:",
        )
        st.page_link(
            "pages/season_survey.py", label="Answer it now", icon=":material/arrow_forward:"
        )

if me.role in (Role.COACH, Role.ADMIN):
    counts = home.staff_overview(con)
    st.subheader("The school at a glance")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Active teachers", counts.active_staff)
    c2.metric("In a cohort or project", counts.placed)
    c3.metric("Without a group", counts.unplaced)
    c4.metric("Open 'place me' requests", counts.place_me_open)
    if me.role == Role.COACH:
        from pdcore.watchlist import open_case_count

        cases = open_case_count(con, me.id)
        st.page_link(
            "pages/watchlist.py",
            label=f"Open the watchlist: {cases} open case(s) assigned to you",
            icon=":material/visibility:",
        )
    else:
        st.page_link(
            "pages/participation.py", label="Open participation", icon=":material/monitoring:"
        )
