"""A teacher's past seasons and PD hours, shown on My cohort and Growth plan."""

from __future__ import annotations

import streamlit as st

from pdcore import history, hours
from pdcore.model import StaffMember
from pdcore.ui.text import md


def hours_line(con, me: StaffMember) -> None:
    """This season's PD hours in one line, with the way to the printable record."""
    record = hours.record(con, me.id, me.id)
    kinds = ", ".join(f"{label.lower()} {h:g}" for label, h in record.hours_by_kind().items() if h)
    st.markdown(
        f"**PD hours this season ({record.season.label}):** {record.total_hours:g}"
        + (f" ({kinds})" if kinds else "")
    )
    st.page_link("pages/pd_hours.py", label="Your PD hours record", icon=":material/print:")


def past_seasons(con, me: StaffMember) -> None:
    """Every closed season the person took part in: cohorts, goals, reflections, plan, hours."""
    past = history.past_seasons(con, me.id, me.id)
    st.subheader("Past seasons")
    if not past:
        st.caption("Nothing yet: once a season closes, its cohorts, goals and hours stay here.")
        return
    for n, p in enumerate(past):
        title = f"Season {p.season.label}" + (" (last season)" if n == 0 else "")
        with st.expander(f"{title} · {p.hours:g} PD hours", expanded=n == 0):
            for c in p.cohorts:
                st.markdown(f"**{md(c.name)}** · {md(c.topic)}")
                st.caption(
                    f"You came to {c.meetings_attended} meetings"
                    + ("; the cohort carried on into the next season." if c.carried_on else ".")
                )
                if c.goals:
                    st.text("Goal: " + c.goals[-1])
                    if len(c.goals) > 1:
                        st.caption(f"The goal had {len(c.goals)} versions; it started as:")
                        st.text(c.goals[0])
                for note in c.reflections:
                    st.text("Your reflection: " + note)
            if p.plan_focus:
                st.markdown("**Growth plan**")
                st.text(p.plan_focus)
                for goal in p.plan_goals:
                    st.text("- " + goal)
                if p.plan_reflection:
                    st.text("Year-end reflection: " + p.plan_reflection)
