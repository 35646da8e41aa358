"""End-of-season survey: how valuable the cohort was, what got in the way, and continue or not."""

import streamlit as st

from pdcore import clock, feedback, settings
from pdcore.model import ValidationError
from pdcore.ui import session
from pdcore.ui.text import md

me = session.require_any()
con = session.connection()
st.title("End-of-season survey")
st.caption(
    "Five questions, once a season: they decide whether the school stays on this path and "
    "what it refines."
)

mine = feedback.my_answer(con, me.id)
school = settings.load(con)
today = clock.today()
if mine:
    st.success(
        f"Thank you: you answered on {mine['submitted_at']:%B %-d}. "
        f"You rated your cohort {mine['value']} out of 5 and voted "
        f"**{mine['continue_vote']}** on continuing.",
        icon=":material/check_circle:",
    )
    if mine["obstacles"]:
        st.markdown("What got in the way: " + md(mine["obstacles"], lines=True))
elif not feedback.is_open(school, today):
    opens = feedback.opens_on(school)
    if today < opens:
        st.info(
            f"The survey opens on **{opens:%A, %B %-d, %Y}**, two weeks before the season ends. "
            "Until then, keep logging meetings and reflections in My cohort.",
            icon=":material/event_upcoming:",
        )
    else:
        st.info("The survey for this season has closed.", icon=":material/event_busy:")
else:
    with st.form("season_survey"):
        value = st.radio(
            "How valuable was your cohort (or project) this season?",
            [1, 2, 3, 4, 5],
            index=None,
            horizontal=True,
            format_func=lambda v: {1: "1 - not at all", 5: "5 - very"}.get(v, str(v)),
            key="fb_value",
        )
        obstacles = st.multiselect(
            "What got in the way? (choose any)", feedback.OBSTACLES, key="fb_obstacles"
        )
        other = st.text_input("Something else got in the way", key="fb_other", max_chars=200)
        vote = st.radio(
            "Should the school continue cohorts next year?",
            ["yes", "no"],
            index=None,
            horizontal=True,
            format_func=str.title,
            key="fb_vote",
        )
        comment = st.text_area(
            "Anything else? (optional)", key="fb_comment", max_chars=feedback.MAX_COMMENT
        )
        if st.form_submit_button("Send my answers", type="primary"):
            try:
                if value is None or vote is None:
                    raise ValidationError("Please rate your cohort and vote on continuing.")
                feedback.submit(
                    con, me, value, [*obstacles, other], vote, today=today, comment=comment
                )
            except ValidationError as exc:
                st.error(md(str(exc)))
            else:
                st.rerun()
