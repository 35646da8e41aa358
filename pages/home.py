"""Home: where each person starts; their status in a sentence and the next thing to do."""

import streamlit as st

from pdcore import authz, clock, home, meetings, notices
from pdcore.model import PermissionDenied, Role
from pdcore.ui import session
from pdcore.ui.text import md, md_short


def _day(day) -> str:
    return f"{day:%a %b} {day.day}"


def cohort_card(mine: home.Week) -> None:
    """The cohort: its next meeting (agenda, calendar file) and its goal."""
    info = mine.cohort
    with st.container(border=True):
        st.markdown(f"**{md(info.name)}** · {md(info.topic)}")
        nxt = mine.next_meeting
        if nxt:
            st.markdown(
                f"Next meeting: **{_day(nxt.on)}**, {md(nxt.slot_label) or 'time not set'} · "
                f"{nxt.agenda_label}"
            )
            st.download_button(
                "Add to my calendar (.ics)",
                lambda: meetings.calendar_file(con, info.id, info.name, since=nxt.on),
                file_name="cohort-meetings.ics",
                mime="text/calendar",
                icon=":material/calendar_add_on:",
                key="home_ics",
            )
        else:
            st.markdown("No next meeting planned yet: plan it on My cohort.")
        if mine.goal:
            st.caption("Our goal")
            st.text(mine.goal)  # the cohort's own words, as plain text
        else:
            st.caption("No goal yet: set one together on My cohort.")
        st.page_link("pages/my_cohort.py", label="Open my cohort", icon=":material/arrow_forward:")


def this_week(mine: home.Week, with_coaching: bool) -> None:
    """This week's staff-development choice and (for a teacher) their coaching."""
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**Staff development**")
        sd = mine.staff_development
        if sd is None:
            st.caption("No staff-development day in the next week.")
        elif sd.choice:
            st.markdown(
                f"{_day(sd.day)}: you {'lead' if sd.leads else 'are in'} **{md(sd.choice)}**"
                + (f" ({md(sd.room)})" if sd.room else "")
            )
        elif sd.open_for_signup:
            st.markdown(f"{_day(sd.day)}: you have not chosen a session yet.")
        else:
            st.markdown(f"{_day(sd.day)}: sign-ups are closed.")
        st.page_link("pages/sessions.py", label="Staff development", icon=":material/event:")
    if not with_coaching:
        return
    with right.container(border=True):
        st.markdown("**Coaching**")
        coaching = mine.coaching
        if coaching.coach:
            st.markdown(
                f"Your coach: **{md(coaching.coach)}**"
                + (
                    f" · last one-on-one {_day(coaching.last_session)}"
                    if coaching.last_session
                    else " · no one-on-one yet"
                )
            )
        else:
            st.markdown("No coach yet: choose one or leave it to the coaches.")
        if coaching.request_open:
            st.caption("Your request for one-on-one coaching is with the coaches.")
        st.page_link("pages/growth.py", label="Growth plan", icon=":material/trending_up:")


def next_step(status: home.TeacherStatus) -> None:
    """For a teacher with no group yet: the one thing to do next."""
    if status.place_me_open:
        st.info(
            "You asked to be placed. A coach will be in touch; nobody else can see that you asked.",
            icon=":material/hourglass_top:",
        )
    elif status.answered_survey:
        st.info("You have not joined a cohort yet.", icon=":material/group_add:")
        st.page_link("pages/find_group.py", label="Find a group", icon=":material/arrow_forward:")
    elif status.survey_open:
        st.info(
            "Start with the interest survey: it takes two minutes.", icon=":material/checklist:"
        )
        st.page_link("pages/survey.py", label="Take the survey", icon=":material/arrow_forward:")
    else:
        st.info(
            "The interest survey has closed, but it is not too late: choose a topic and say when "
            "you are free, then find a group (or ask to be placed).",
            icon=":material/checklist:",
        )
        st.page_link("pages/survey.py", label="Choose a topic", icon=":material/arrow_forward:")


@st.cache_data(show_spinner=False, max_entries=512)
def _mine(version, today, staff_id: int, role: Role):
    """One person's notices, status and week, read once per data version and day (each
    new session of theirs, and each rerun, would otherwise ask the same dozen queries)."""
    connection = session.connection()
    unread = tuple(notices.unread(connection, staff_id))
    if role == Role.ADMIN:
        return unread, None, None
    return unread, home.teacher_status(connection, staff_id), home.week(connection, staff_id, today)


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(version, school):
    return home.staff_overview(session.connection(), school)


me = session.require_any()
con = session.connection()
unread, status, mine = _mine(session.data_version(), clock.today(), me.id, me.role)
st.title(f"Welcome, {md_short(me.first_name, 40)}", anchor=False)  # no #anchor from a name

# What happened to me that I should know (placed in a cohort, asked to move, a split decided).
for notice in unread:
    with st.container(border=True):
        text, dismiss = st.columns([6, 1], vertical_alignment="center")
        text.text(notice.text)
        if dismiss.button("Dismiss", key=f"notice_{notice.id}"):
            try:
                notices.dismiss(con, me, notice.id)
            except PermissionDenied as exc:
                st.error(md(str(exc)))
            else:
                st.rerun()

if me.role != Role.ADMIN:
    st.subheader("My learning this season")
    if mine.cohort:
        cohort_card(mine)
    elif me.role == Role.TEACHER:  # coaches are not nudged to join a group
        next_step(status)
    this_week(mine, with_coaching=me.role == Role.TEACHER)
    if mine.reflection_due:
        st.info(
            f"You met on {_day(mine.reflection_due)}: add a short reflection on what you "
            "learned or tried.",
            icon=":material/edit_note:",
        )
        st.page_link(
            "pages/my_cohort.py", label="Add a reflection", icon=":material/arrow_forward:"
        )
    if status.season_survey_due:
        st.info(
            "The end-of-season survey is open: five questions, and your vote decides next year.",
            icon=":material/rate_review:",
        )
        st.page_link(
            "pages/season_survey.py", label="Answer it now", icon=":material/arrow_forward:"
        )

if me.role in (Role.COACH, Role.ADMIN):
    counts = _overview(session.data_version(), authz.scope(me))
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
