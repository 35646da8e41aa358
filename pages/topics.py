"""Pick a topic: the offered topics, how many colleagues chose each, their cohorts with open
seats, how to learn (cohort, individual project, expert-led), and "a short list for me"."""

import altair as alt
import pandas as pd
import streamlit as st

from pdcore import cohorts, help_requests, settings, shortlist, survey, topics
from pdcore.model import PermissionDenied, ValidationError
from pdcore.ui import charts, session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import empty_state

me = session.require_role()
con = session.connection()
st.title("Pick a topic")
st.caption(
    "See the offered topics, how many colleagues chose each, and their cohorts with open seats."
)


@st.cache_data(show_spinner=False)
def _catalogue(version: int, school: str) -> tuple[list, pd.DataFrame]:
    """Offered topics and their active cohorts in one school (open seats, slot, size)."""
    connection = session.connection()
    offered = topics.offered(connection)
    max_size = settings.load(connection).max_size
    rows = [
        {
            "topic_id": c.topic_id,
            "cohort_id": c.id,
            "Cohort": c.name,
            "Meets": c.slot_label or "not set",
            "Members": c.size,
            "Open seats": max(0, max_size - c.size),
        }
        for c in cohorts.active_cohorts(connection, school=school)
        if c.kind == "cohort"
    ]
    frame = pd.DataFrame(
        rows, columns=["topic_id", "cohort_id", "Cohort", "Meets", "Members", "Open seats"]
    )
    return offered, frame


def _flash() -> None:
    message = st.session_state.pop("topics_flash", None)
    if message:
        st.success(message, icon=":material/task_alt:")
    problem = st.session_state.pop("topics_problem", None)
    if problem:
        st.warning(problem)


def _join(staff_id: int, cohort_id: int, name: str) -> None:
    """Join from a callback, so a cohort that filled up since the list was drawn is reported."""
    try:
        cohorts.join(session.connection(), staff_id, cohort_id)
        st.session_state["topics_flash"] = f"You joined {md(name)}. See My cohort for its goal."
        st.session_state.pop("shortlist_open", None)
    except cohorts.CohortFull:
        st.session_state["topics_problem"] = (
            f"{md(name)} just filled up. Here is a fresh short list; Find a group shows more."
        )
    except (ValidationError, PermissionDenied) as exc:
        st.session_state["topics_problem"] = md(str(exc))


def _choose(topic_id: int, mode: str) -> None:
    """Carry a short-list pick down to 'Choose how to learn'."""
    st.session_state["pick_topic"] = topic_id
    st.session_state["pick_mode"] = mode


offered, cohort_table = _catalogue(session.data_version(), me.school)
current = cohorts.current_cohort(con, me.id)
_flash()
if current:
    st.info(
        f"You are in **{md(current.name)}** ({md(current.topic)}). See **My cohort** for its "
        "goal, "
        "meetings and reflections.",
        icon=":material/groups:",
    )
    st.page_link("pages/my_cohort.py", label="Open My cohort", icon=":material/groups:")

if not offered:
    empty_state(
        "No topics are offered yet.",
        "Answer the interest survey: topics many colleagues choose become the year's topics.",
    )
    st.stop()

# --- a short list for people who would rather not read the whole catalogue
st.subheader("Too many choices?")
if st.button("A short list for me", icon=":material/checklist:", key="shortlist_button"):
    st.session_state["shortlist_open"] = True
if st.session_state.get("shortlist_open"):
    picks = shortlist.short_list(con, me.id)
    if not picks:
        empty_state(
            "Nothing to suggest yet.",
            "Answer the interest survey (topics and when you are free), then ask again.",
        )
    for n, s in enumerate(picks, start=1):
        with st.container(border=True):
            st.markdown(f"**{n}. {md(s.title)}**")
            st.markdown(md(s.why))
            if current:
                continue
            if s.kind == "join":
                st.button(
                    "Join",
                    key=f"short_join_{s.cohort_id}",
                    on_click=_join,
                    args=(me.id, s.cohort_id, s.title.removeprefix("Join ")),
                )
            else:
                st.button(
                    "Choose this",
                    key=f"short_{s.kind}_{s.topic_id}",
                    on_click=_choose,
                    args=(s.topic_id, {"start": "cohort"}.get(s.kind, s.kind)),
                )

# --- the catalogue
st.subheader("This year's topics")
demand = pd.DataFrame(
    [{"Topic": t.name, "First choice": t.first_choice, "Any choice": t.any_rank} for t in offered]
)
chart = (
    alt.Chart(demand)
    .mark_bar()
    .encode(
        x=alt.X("Any choice:Q", title="Colleagues who chose it", axis=charts.COUNT_AXIS),
        y=alt.Y("Topic:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=["Topic", "First choice", "Any choice"],
    )
)
labels = chart.mark_text(align="left", dx=3).encode(text="Any choice:Q")
st.altair_chart(charts.whole_labels(chart + labels), width="stretch")

for t in offered:
    with st.container(border=True):
        st.markdown(f"**{md(t.name)}**" + ("  · expert-led option" if t.expert_led else ""))
        if t.description:
            st.markdown(md(t.description, lines=True))
        st.caption(
            f"{t.any_rank} colleague{'s' if t.any_rank != 1 else ''} chose it "
            f"({t.first_choice} as first choice)."
        )
        open_here = cohort_table[
            (cohort_table["topic_id"] == t.id) & (cohort_table["Open seats"] > 0)
        ]
        if open_here.empty:
            st.caption("No cohort with open seats yet: start one on Find a group.")
        else:
            tables.show(
                open_here[["Cohort", "Meets", "Members", "Open seats"]],
                hide_index=True,
                width="stretch",
            )

# --- how to learn
st.subheader("Choose how to learn")
ids = [t.id for t in offered]
by_id = {t.id: t for t in offered}
answer = survey.answer(con, me.id)
first = next((c for c in (answer.choices if answer else ()) if c in by_id), ids[0])
if st.session_state.get("pick_topic") not in by_id:
    st.session_state["pick_topic"] = first
topic_id = st.selectbox("Topic", ids, format_func=lambda i: by_id[i].name, key="pick_topic")
topic = by_id[topic_id]
modes = ["cohort", "individual"] + (["expert"] if topic.expert_led else [])
if st.session_state.get("pick_mode") not in modes:
    st.session_state["pick_mode"] = "cohort"
mode = st.radio(
    "How",
    modes,
    format_func={
        "cohort": "With a cohort of colleagues",
        "individual": "An individual project (my own goal, same meeting and reflection log)",
        "expert": "The expert-led option",
    }.get,
    key="pick_mode",
)
if mode == "cohort":
    st.write("Find a cohort of this topic that fits when you are free and who you work with.")
    if st.button("Find a group for this topic", type="primary", key="pick_find_group"):
        st.session_state["fg_topic"] = topic_id
        st.switch_page("pages/find_group.py")
elif mode == "individual":
    with st.form("individual_form"):
        goal = st.text_area(
            "Your goal for the project",
            max_chars=cohorts.GOAL_MAX,
            placeholder="e.g. Redesign one unit as a project with a public product by March.",
            key="individual_goal",
        )
        if st.form_submit_button(
            "Start my individual project", type="primary", key="individual_submit"
        ):
            if current:
                st.error(f"You are already in {md(current.name)}. Leave it first on My cohort.")
            else:
                try:
                    cohorts.start_individual(con, me, topic_id=topic_id, goal=goal)
                    survey.save_preferences(con, me, mode="individual")
                    st.session_state["topics_flash"] = (
                        f"Your individual project on {md(topic.name)} has started. "
                        "Log meetings and reflections on My cohort."
                    )
                    st.rerun()
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
else:
    asked = [
        r
        for r in help_requests.my_requests(con, me.id)
        if r.kind == "expert" and r.topic_id == topic_id and r.status == "open"
    ]
    if asked:
        st.info(md(asked[0].describe()), icon=":material/hourglass_top:")
    else:
        with st.form("expert_form"):
            note = st.text_area(
                "Anything the organisers should know (optional)",
                max_chars=help_requests.NOTE_MAX,
                key="expert_note",
            )
            if st.form_submit_button(
                "Ask for the expert-led option", type="primary", key="expert_submit"
            ):
                try:
                    help_requests.ask(con, me, "expert", topic_id, note)
                    survey.save_preferences(con, me, mode="expert")
                    st.session_state["topics_flash"] = (
                        f"Asked for the expert-led option in {md(topic.name)}. "
                        "An admin will be in touch."
                    )
                    st.rerun()
                except ValidationError as exc:
                    st.error(md(str(exc)))
