"""Season feedback: results of the end-of-season survey: value, obstacles, and the vote to continue."""

import pandas as pd
import streamlit as st

from pdcore import authz, clock, feedback, seasons, settings
from pdcore.model import Role
from pdcore.ui import charts, session, tables, year_over_year
from pdcore.ui.widgets import csv_download, empty_state

me = session.require_role(Role.ADMIN)
st.title("Season feedback")
st.caption("Results of the end-of-season survey: value, obstacles, and the vote to continue.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _results(version, today, season_id, school):  # today: the survey opens at midnight
    c = session.connection()
    s = feedback.summary(c, today, season_id, school)
    specs = {}
    if s.answers:
        votes = pd.DataFrame({"vote": list(s.votes), "answers": list(s.votes.values())})
        # The form asks yes or no; "unsure" (from an imported sheet) shows only when given.
        votes = votes[(votes["answers"] > 0) | votes["vote"].isin(["yes", "no"])]
        specs["votes"] = charts.to_spec(
            charts.counts_chart(votes, "vote", "answers", charts.VOTE_COLORS, list(votes["vote"]))
        )
        values = s.values.assign(value=s.values["value"].astype(str))
        specs["values"] = charts.to_spec(
            charts.counts_chart(values, "value", "answers", sort=["5", "4", "3", "2", "1"])
        )
        if len(s.obstacles):
            specs["obstacles"] = charts.to_spec(
                charts.counts_chart(s.obstacles, "obstacle", "people")
            )
    return (
        s,
        specs,
        feedback.opens_on(settings.load(c)),
        feedback.comments(c, today, season_id, school),
    )


@st.cache_resource(show_spinner=False, max_entries=2)
def _by_season(version, school):
    per_season = feedback.by_season(session.connection(), school)
    return per_season, year_over_year.spec_for(
        per_season, "continue_yes", "Voted to continue", ".0%"
    )


def _year_over_year() -> None:
    year_over_year.show(
        *_by_season(session.data_version(), authz.scope(me)),
        key="feedback_seasons",
        columns={"answers": "Answers", "mean_value": "Average value (1-5)",
                 "continue_yes": st.column_config.NumberColumn("Voted to continue",
                                                               format="percent")},
    )  # fmt: skip


# This season by default; a closed season's results stay readable as history.
shown = seasons.current(session.connection())
past = seasons.past(session.connection())
if past and shown is not None:
    choices = {shown.id: f"{shown.label} (this season)"} | {p.id: p.label for p in past}
    pick = st.selectbox(
        "Season", list(choices), format_func=lambda i: choices.get(i, i), key="feedback_season"
    )
    shown = seasons.by_id(session.connection(), pick) or shown
summary, specs, opens, comments = _results(
    session.data_version(), clock.today(), shown.id if shown else None, authz.scope(me)
)
if not summary.answers and shown is not None and shown.is_closed:
    empty_state(f"Nobody answered the end-of-season survey in {shown.label}.")
    _year_over_year()
    st.stop()
if not summary.answers:
    today = clock.today()
    when = (
        f"opens on **{opens:%A, %B %-d, %Y}** ({(opens - today).days} days from now)"
        if opens > today
        else f"has been open since **{opens:%B %-d}**"
    )
    empty_state(
        f"No end-of-season answers yet. The survey {when}.",
        "Each teacher answers once in the app (how valuable their cohort was, what got in the "
        "way, and whether to continue next year); results appear here as answers arrive, "
        f"out of {summary.eligible} teachers.",
    )
    _year_over_year()
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("Answers", f"{summary.answers} of {summary.eligible}")
c2.metric("Voted to continue", f"{summary.continue_share:.0%}")
c3.metric("Average value", f"{summary.mean_value:.1f} / 5")
st.markdown(summary.sentence())

left, right = st.columns(2)
with left:
    st.subheader("The vote to continue")
    charts.render(specs["votes"])
with right:
    st.subheader("How valuable was it?")
    charts.render(specs["values"])

st.subheader("What got in the way")
if "obstacles" in specs:
    charts.render(specs["obstacles"])
    csv_download(summary.obstacles, "feedback-obstacles.csv", "Download CSV (obstacles)")
else:
    st.caption("Nobody named an obstacle.")

share = st.column_config.NumberColumn(format="percent")
for title, table, name in (
    ("By topic", summary.by_topic, "topic"),
    ("By cohort health", summary.by_light, "health"),
):
    st.subheader(title)
    tables.show(table, hide_index=True, column_config={"continue_yes": share})
    csv_download(table, f"feedback-by-{name}.csv", f"Download CSV (by {name})")

_year_over_year()
st.subheader("What teachers wrote")
if comments.empty:
    st.caption("No comments yet.")
else:
    tables.show(comments, hide_index=True)
    csv_download(comments, "feedback-comments.csv", "Download CSV (comments)")
