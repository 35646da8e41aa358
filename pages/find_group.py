"""Find a group: say what matters (WHO or WHEN, free slots, colleagues, department), then join
a ranked cohort of your topic, start a new one, or quietly ask to be placed."""

import streamlit as st

from pdcore import cohorts, formation, help_requests, roster, survey, topics
from pdcore.model import PermissionDenied, ValidationError
from pdcore.ui import session
from pdcore.ui.preferences import preferences_form
from pdcore.ui.text import md, md_short
from pdcore.ui.widgets import empty_state

me = session.require_role()
con = session.connection()
st.title("Find a group")
st.caption(
    "Find a cohort that fits who you want to work with or when you can meet, start one, "
    "or ask to be placed quietly."
)

flash = st.session_state.pop("fg_flash", None)
if flash:
    st.success(flash, icon=":material/task_alt:")

current = cohorts.current_cohort(con, me.id)
if current:
    st.info(
        f"You are in **{md(current.name)}** ({md(current.topic)}). Leave it on My cohort first "
        "if you "
        "want a different group.",
        icon=":material/groups:",
    )
    st.page_link("pages/my_cohort.py", label="Open My cohort", icon=":material/groups:")
    st.stop()

waiting = help_requests.open_place_me(con, me.id)
if waiting:
    with st.container(border=True):
        st.markdown("**You asked to be placed.**")
        st.write(
            md(waiting.describe())
            + " A coach or the school's cohort formation will place you in a group of your "
            "topic. Only coaches and admins see who asked."
        )
        if st.button("Withdraw my request", key="place_me_withdraw"):
            try:
                help_requests.withdraw(con, me, waiting.id)
                st.session_state["fg_flash"] = "Your request to be placed is withdrawn."
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))

offered = topics.offered(con)
if not offered:
    empty_state(
        "No topics are offered yet.",
        "Answer the interest survey; an admin offers the topics many colleagues chose.",
    )
    st.stop()
by_id = {t.id: t for t in offered}
ids = list(by_id)
answer = survey.answer(con, me.id)
if st.session_state.get("fg_topic") not in by_id:
    st.session_state["fg_topic"] = next(
        (c for c in (answer.choices if answer else ()) if c in by_id), ids[0]
    )
topic_id = st.selectbox("Topic", ids, format_func=lambda i: by_id[i].name, key="fg_topic")

# --- 1. what matters
prefs_saved = survey.preferences(con, me.id).saved
with st.expander("1. What matters to you", expanded=not prefs_saved):
    preferences_form(
        con,
        me,
        key="fg_prefs",
        submit_label="Update my matches",
        saved_message="Saved. The cohorts below are ranked with your answers.",
        with_mode=False,
    )

# --- 2. ranked cohorts


def _join(staff_id: int, cohort_id: int, name: str) -> None:
    """Join from a callback: it runs even when the list redrawn after the click no longer
    shows the cohort (it filled up meanwhile), so the person is told instead of ignored."""
    try:
        cohorts.join(session.connection(), staff_id, cohort_id)
        st.session_state["fg_flash"] = (
            f"You joined {md(name)}. Say hello at the next meeting; its goal and calendar are on "
            "My cohort."
        )
    except cohorts.CohortFull:
        st.session_state["fg_filled"] = name
    except (ValidationError, PermissionDenied) as exc:
        st.session_state["fg_error"] = md(str(exc))


st.subheader(f"2. Cohorts of {md_short(by_id[topic_id].name)}", anchor=False)
fits = formation.suggestions_for(con, me.id, topic_id)
if not survey.preferences(con, me.id).slot_ids:
    st.caption(
        "You have not said when you are free: add your free times in 1. to see which cohorts "
        "meet when you can."
    )
open_fits = [f for f in fits if f.open_seats > 0]
filled_up = st.session_state.pop("fg_filled", None)
if filled_up:
    st.warning(
        f"{md(filled_up)} just filled up: someone took the last seat a moment ago. "
        "Here are the next-best cohorts with open seats.",
        icon=":material/event_busy:",
    )
if not open_fits:
    empty_state(
        "No cohort of this topic has an open seat yet.",
        "Start one below, or ask to be placed and we will find you a group.",
    )
names = {c.id: c for c in cohorts.active_cohorts(con, school=me.school, topic_id=topic_id)}
for rank, fit in enumerate(open_fits[:8], start=1):
    info = names.get(fit.cohort_id)
    if info is None:
        continue
    with st.container(border=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            f"**{rank}. {md(info.name)}**  \n{md(fit.sentence() or 'Open to anyone on this topic.')}"
        )
        left.caption(
            f"{info.size} member{'s' if info.size != 1 else ''} · "
            f"{fit.open_seats} open seat{'s' if fit.open_seats != 1 else ''}"
        )
        right.button(
            "Join",
            key=f"join_{fit.cohort_id}",
            type="primary" if rank == 1 else "secondary",
            on_click=_join,
            args=(me.id, fit.cohort_id, info.name),
        )
fg_error = st.session_state.pop("fg_error", None)
if fg_error:
    st.error(fg_error)

# --- 3. start a new cohort
st.subheader("3. Or start a new cohort")
slot_label = roster.slot_choices(con)
with st.form("start_form"):
    name = st.text_input(
        "Cohort name",
        max_chars=cohorts.NAME_MAX,
        placeholder=f"e.g. {by_id[topic_id].name}, Wed lunch",
        key="start_name",
    )
    slot_id = st.selectbox(
        "Meeting slot",
        list(slot_label),
        index=None,
        format_func=slot_label.get,
        placeholder="When will you meet?",
        key="start_slot",
    )
    goal = st.text_area(
        "First goal",
        max_chars=cohorts.GOAL_MAX,
        placeholder="What do you want to get out of the time together? You can revise it later.",
        key="start_goal",
    )
    if st.form_submit_button("Start this cohort", key="start_submit"):
        try:
            cohorts.start_cohort(con, me, topic_id=topic_id, name=name, slot_id=slot_id, goal=goal)
            st.session_state["fg_flash"] = (
                f"{md(name.strip())} has started; colleagues can now find and join it."
            )
            st.rerun()
        except (ValidationError, PermissionDenied) as exc:
            st.error(md(str(exc)))

# --- 4. place me
st.subheader("4. Or ask to be placed")
if waiting:
    st.caption("Your request is in (see above).")
else:
    st.write(
        "Rather not approach a group? Ask to be placed. It is private: colleagues never see "
        "who asked; only coaches and admins do, and they place you in a group of your topic."
    )
    with st.form("place_me_form"):
        note = st.text_area(
            "Anything that would help (optional)",
            max_chars=help_requests.NOTE_MAX,
            placeholder="e.g. I can only meet in the school day.",
            key="place_me_note",
        )
        if st.form_submit_button("Place me", type="primary", key="place_me_submit"):
            try:
                help_requests.ask(con, me, "place_me", topic_id, note)
                st.session_state["fg_flash"] = (
                    "Your request to be placed is in. You will see its status here."
                )
                st.rerun()
            except ValidationError as exc:
                st.error(md(str(exc)))
