"""Topic demand: survey demand per topic, write-ins to merge, and which topics are offered."""

import streamlit as st

from pdcore import authz, seasons, settings, topics
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import charts, session, tables
from pdcore.ui.text import md, md_short
from pdcore.ui.widgets import csv_download, empty_state

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Topic demand")
st.caption("Survey demand per topic, write-ins to merge, and which topics are offered.")


def _label(names: dict):
    """A selectbox label for an id; a label passed back (as tests do) stays itself."""
    return lambda value: names.get(value, value)


@st.cache_resource(show_spinner=False, max_entries=4)
def _demand(version, school):
    c = session.connection()
    frame = topics.demand_frame(c, school)
    threshold = settings.load(c).offer_threshold
    live = frame[frame["status"] != "retired"]
    spec = charts.to_spec(charts.demand_chart(live, threshold)) if len(live) else None
    return frame, topics.merge_suggestions(c), threshold, spec


def _done(message: str) -> None:
    st.session_state["topic_demand_done"] = message
    st.rerun()


frame, suggestions, threshold, spec = _demand(session.data_version(), authz.scope(me))
if message := st.session_state.pop("topic_demand_done", None):
    st.success(message, icon=":material/check_circle:")
undo = st.session_state.get("topic_demand_undo")  # (target id, its name) of the last merge
if undo and st.button(
    f"Undo the merge into {md_short(undo[1])}", key="topic_merge_undo", icon=":material/undo:"
):
    st.session_state.pop("topic_demand_undo")
    try:
        back = topics.undo_merge(con, me, undo[0])
    except (ValidationError, PermissionDenied) as exc:
        st.error(md(str(exc)))
    else:
        _done(f"Merge undone: {md(', '.join(back))} came back as separate topics.")
if frame.empty:
    empty_state(
        "No topics yet.",
        "Topics arrive with the interest survey: share it with staff, or add topics by "
        "importing survey responses on the Data and sync page.",
    )
    st.stop()

live = frame[frame["status"] != "retired"]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Offered topics", int(live["offered"].sum()))
c2.metric("Proposed, not offered", int((~live["offered"]).sum()))
c3.metric("Write-ins", int(live["write_in"].sum()))
c4.metric("Offer threshold", f"{threshold} first choices", help="Change it in Settings.")
st.caption(
    f"A proposed topic counts as offered once **{threshold}** people choose it first; an admin "
    "can offer or retire any topic whatever the count. Retiring stops new choices; cohorts "
    "already running on it carry on."
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Survey demand")
    charts.render(spec)
with right:
    st.subheader("Counts")
    tables.show(
        frame[["topic", "status", "first_choice", "any_rank", "offered"]],
        hide_index=True,
        column_config={
            "first_choice": st.column_config.NumberColumn("1st choice"),
            "any_rank": st.column_config.NumberColumn("any rank"),
        },
    )
    csv_download(frame, "topic-demand.csv")

history = seasons.topic_demand_history(con)
if len(history.columns) > 1:
    st.subheader("Demand in past seasons")
    st.caption("First choices as they stood when each season's cohorts formed.")
    tables.show(history, hide_index=True, key="topic_history")

st.subheader("Write-ins that look alike")
if not suggestions:
    empty_state(
        "No write-ins to group right now.",
        'When people type a topic another way ("PBL", "project-based learning"), it shows '
        "up here for you to merge.",
    )
for s in suggestions:
    with st.container(border=True):
        names = ", ".join(f"“{md(n)}”" for n in s.source_names)
        answers = "1 answer" if s.moving == 1 else f"{s.moving} answers"
        st.markdown(f"{names} → **{md(s.target_name)}** ({answers} would count for it)")
        if st.button(
            f"Merge into {md_short(s.target_name)}",
            key=f"merge_suggested_{s.target_id}",
            type="primary",
        ):
            try:
                moved = topics.merge(con, me, s.source_ids, s.target_id)
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
            else:
                st.session_state["topic_demand_undo"] = (s.target_id, s.target_name)
                _done(f"Merged {names} into {md(s.target_name)}; {moved} people's choices moved.")

st.subheader("Offer, retire or merge a topic")
options = list(frame["topic_id"])
name_of = dict(zip(frame["topic_id"], frame["topic"], strict=True))
status_of = dict(zip(frame["topic_id"], frame["status"], strict=True))
with st.form("topic_action"):
    topic_id = st.selectbox(
        "Topic",
        options,
        index=None,
        format_func=_label({t: f"{name_of[t]} ({status_of[t]})" for t in options}),
        placeholder="Pick a topic",
        key="topic_action_topic",
    )
    action = st.radio(
        "Action",
        ["Offer", "Retire", "Reopen as proposed", "Merge into another topic"],
        horizontal=True,
        key="topic_action_kind",
    )
    target = st.selectbox(
        "Merge into (only for a merge)",
        options,
        index=None,
        format_func=_label(name_of),
        placeholder="Pick the topic to keep",
        key="topic_action_target",
    )
    submitted = st.form_submit_button("Apply", type="primary", key="topic_action_apply")
if submitted:
    try:
        if topic_id is None:
            raise ValidationError("Pick a topic first.")
        name = md(name_of[topic_id])
        if action == "Merge into another topic":
            if target is None or target == topic_id:
                raise ValidationError("Pick a different topic to merge into.")
            moved = topics.merge(con, me, [topic_id], target)
            msg = f"Merged {name} into {md(name_of[target])}; {moved} people's choices moved."
            st.session_state["topic_demand_undo"] = (target, name_of[target])
        else:
            status = {"Offer": "offered", "Retire": "retired", "Reopen as proposed": "proposed"}
            running = topics.set_status(con, me, topic_id, status[action])
            msg = f"{name} is now {status[action]}."
            if action == "Retire" and running:
                msg += f" Its {running} running cohort(s) carry on."
    except (ValidationError, PermissionDenied) as exc:
        st.error(md(str(exc)))
    else:
        _done(msg)
