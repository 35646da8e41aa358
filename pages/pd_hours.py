"""PD hours: a teacher's hours on record per season, with a printable record to hand in; for
admins, every teacher's hours as a table and CSV, and anyone's record."""

import streamlit as st

from pdcore import hours, roster, seasons
from pdcore.model import PermissionDenied, Role
from pdcore.ui import session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import csv_download, empty_state

me = session.require_any()
con = session.connection()
st.title("PD hours")
st.caption(
    "Hours from the work itself: cohort meetings you attended (their length), staff-development "
    "sessions you attended, and one-on-one coaching."
)

every = [s for s in seasons.all_seasons(con) if s.status != "upcoming"]
if not every:
    empty_state("There is no season yet.", "An administrator opens one on the Seasons page.")
    st.stop()
labels = {s.id: s.label + (" (closed)" if s.is_closed else " (this season)") for s in every}
season_id = st.selectbox(
    "Season", list(labels), format_func=lambda i: labels.get(i, i), key="hours_season"
)

person = me
if me.role == Role.ADMIN:
    table = hours.hours_table(con, me.id, season_id)
    st.subheader("Every teacher")
    tables.show(
        table.drop(columns=["staff_id"]),
        hide_index=True,
        width="stretch",
        column_config={
            "cohort_hours": "Cohort meetings",
            "session_hours": "Staff development",
            "coaching_hours": "Coaching",
            "total_hours": "Total hours",
        },
    )
    csv_download(table, f"pd-hours-{labels[season_id].split()[0]}.csv")
    names = {int(r.staff_id): f"{r.name} ({r.email})" for r in table.itertuples()}
    pick = st.selectbox(
        "Record for", [None, *names], format_func=lambda i: "Me" if i is None else names.get(i, i),
        key="hours_person",
    )  # fmt: skip
    if pick is not None:
        person = roster.by_id(con, int(pick))

try:
    record = hours.record(con, me.id, person.id, season_id)
except PermissionDenied as exc:
    st.error(md(str(exc)))
    st.stop()
st.subheader(f"{md(person.name)}: {record.total_hours:g} hours in {record.season.label}")
cols = st.columns(len(hours.KINDS))
for col, (label, value) in zip(cols, record.hours_by_kind().items(), strict=True):
    col.metric(label, f"{value:g} h")
if record.lines.empty:
    empty_state("No hours on record this season yet.", "Hours appear as meetings are logged.")
else:
    tables.show(
        record.lines.assign(hours=(record.lines["minutes"] / 60).round(2)).drop(
            columns=["minutes"]
        ),
        hide_index=True,
        width="stretch",
    )
st.download_button(
    "Printable record (opens in your browser; print or save as PDF)",
    hours.record_html(record),
    file_name=f"pd-hours-{record.season.label}-{person.email.split('@')[0]}.html",
    mime="text/html",
    icon=":material/print:",
    key="hours_print",
)
