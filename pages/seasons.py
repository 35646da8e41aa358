"""Seasons: close the current season into history (carrying over the cohorts that voted to
continue) and open the next one with its interest survey."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from pdcore import clock, seasons, settings
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import session, tables
from pdcore.ui.text import md, md_short

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Seasons")
st.caption(
    "A season is one school year of cohorts. Open next season while this one runs, so its "
    "interest survey can open; close this season when it ends: it becomes read-only history."
)

if message := st.session_state.pop("seasons_done", None):
    st.success(message, icon=":material/check_circle:")
if problem := st.session_state.pop("seasons_problem", None):
    st.error(problem)


def _a_year_later(day):
    """The same day next year (February 29 becomes the 28th)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


every = seasons.all_seasons(con)
if every:
    tables.show(
        pd.DataFrame(
            [
                {
                    "season": s.label,
                    "starts": s.starts_on,
                    "ends": s.ends_on,
                    "interest survey closes": s.survey_close,
                    "status": s.status,
                }
                for s in every
            ]
        ),
        hide_index=True,
        width="stretch",
    )

now = seasons.current(con)
nxt = seasons.upcoming(con)

# --- open the next season
st.subheader("Open next season")
if nxt is not None:
    st.info(
        f"Season {nxt.label} is open for next year ({nxt.starts_on:%B %-d, %Y} to "
        f"{nxt.ends_on:%B %-d, %Y}); its interest survey closes "
        + (f"on {nxt.survey_close:%B %-d, %Y}." if nxt.survey_close else "when you set a date."),
        icon=":material/event_available:",
    )
else:
    # A year after this season, else this school year's November to April.
    if now:
        start, end = _a_year_later(now.starts_on), _a_year_later(now.ends_on)
    else:
        start, end = settings.current_season(clock.today())
    with st.form("open_season"):
        a, b = st.columns(2)
        starts = a.date_input("Starts", start, key="season_new_start", format="YYYY-MM-DD")
        ends = b.date_input("Ends", end, key="season_new_end", format="YYYY-MM-DD")
        c, d = st.columns(2)
        opens = c.date_input(
            "Interest survey opens",
            now.ends_on - timedelta(days=21) if now else start - timedelta(days=60),
            key="season_new_survey_opens",
            format="YYYY-MM-DD",
        )
        closes = d.date_input(
            "Interest survey closes",
            start - timedelta(days=17),
            key="season_new_survey_close",
            format="YYYY-MM-DD",
        )
        if st.form_submit_button("Open next season", key="season_open"):
            try:
                made = seasons.open_next(con, me, starts, ends, opens, closes)
            except (ValidationError, PermissionDenied) as exc:
                st.session_state["seasons_problem"] = md(str(exc))
            else:
                st.session_state["seasons_done"] = (
                    f"Season {made.label} is open; teachers can answer its interest survey."
                )
            st.rerun()

# --- close the current season
st.subheader("Close this season")
if now is None or now.status != "current":
    st.info("There is no season running to close.", icon=":material/info:")
    st.stop()
st.markdown(
    f"Season **{now.label}** runs {now.starts_on:%B %-d, %Y} to {now.ends_on:%B %-d, %Y}. "
    "Closing ends every membership and keeps the cohorts, meetings, goals, reflections and "
    "feedback as history; coaches keep their caseload; topics and merges stay."
)
offers = seasons.carry_over_offers(con, now.id)
carry = []
if offers:
    st.markdown("**Carry over** the cohorts that voted to continue, with the members who said yes:")
    for o in offers:
        if st.checkbox(
            f"{md_short(o.name)} · {len(o.staying)} of {o.members} staying "
            f"({md(', '.join(o.staying_names))})",
            value=True,
            key=f"season_carry_{o.cohort_id}",
        ):
            carry.append(o.cohort_id)
    if nxt is None:
        st.caption("Open next season first to carry cohorts over.")
else:
    st.caption("No cohort has members who voted to continue (end-of-season survey).")
concerns = seasons.close_concerns(con)
for concern in concerns:
    st.warning(concern)
confirm = st.checkbox("Close the season anyway", key="season_close_confirm") if concerns else False
if st.button("Close season " + now.label, key="season_close", type="primary"):
    try:
        result = seasons.close(con, me, carry if nxt is not None else [], confirm=confirm)
    except (ValidationError, PermissionDenied) as exc:
        st.session_state["seasons_problem"] = md(str(exc))
    else:
        st.session_state["seasons_done"] = result.sentence()
    st.rerun()
