"""My cohort: members and their slots, the goal and its history, meetings with attendance,
reflections, the next meeting with a calendar file, and leaving or splitting."""

from datetime import timedelta

import altair as alt
import streamlit as st

from pdcore import clock, cohorts, formation, help_requests, meetings, roster, settings
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import charts, forms, session, tables
from pdcore.ui import history as history_ui
from pdcore.ui.text import md
from pdcore.ui.widgets import empty_state, web_link

me = session.require_role()
con = session.connection()
st.title("My cohort")
st.caption("Your cohort's members, goal, meetings and reflections.")

flash = st.session_state.pop("mc_flash", None)
if flash:
    st.success(flash, icon=":material/task_alt:")

info = cohorts.current_cohort(con, me.id)
if info is None:
    waiting = help_requests.open_place_me(con, me.id)
    if waiting:
        st.info(md(waiting.describe()), icon=":material/hourglass_top:")
    empty_state(
        "You are not in a cohort or an individual project yet.",
        "Find a group of your topic (or ask to be placed), or start an individual project on "
        "Pick a topic.",
    )
    st.page_link("pages/find_group.py", label="Find a group", icon=":material/group_add:")
    st.page_link("pages/topics.py", label="Pick a topic", icon=":material/topic:")
    history_ui.hours_line(con, me)
    history_ui.past_seasons(con, me)
    st.stop()

# A split that names me waits for my yes or no: nobody is moved without saying yes.
for question in cohorts.questions_for(con, me.id):
    with st.container(border=True):
        st.markdown("**A split of your cohort names you**")
        st.text(
            f"{question.proposer} proposes a new cohort, {question.name}, with "
            f"{', '.join(question.movers)}. Do you want to move to it? If you say no you stay "
            "here; either way the others are told."
        )
        yes, no = st.columns(2)
        for column, accept, label in ((yes, True, "Yes, move me"), (no, False, "No, I stay")):
            if column.button(label, key=f"split_{question.proposal_id}_{accept}"):
                try:
                    outcome = cohorts.answer_split(con, me, question.proposal_id, accept)
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
                else:
                    st.session_state["mc_flash"] = (
                        "You said no: you stay in this cohort."
                        if not accept
                        else f"You moved to {md(question.name)}."
                        if outcome.new_cohort_id
                        else "You said yes: you move when everyone named has answered."
                    )
                    st.rerun()

school = settings.load(con)
today = clock.today()
default_day = min(max(today, school.season_start), school.season_end)
member_list = cohorts.members(con, info.id)
member_name = {m.staff_id: m.name for m in member_list}
slots = roster.slots(con)
slot_label = {s.id: s.label for s in slots}
slot_in_day = {s.id: s.in_school_day for s in slots}
held = meetings.held_meetings(con, info.id)
is_project = info.kind == "individual"

st.subheader(md(info.name), anchor=False)
st.caption(
    f"{md(info.topic)} · "
    + ("individual project" if is_project else f"{info.size} members")
    + (f" · meets {md(info.slot_label)}" if info.slot_label else "")
)
hours = float(held["minutes"].sum()) / 60 if not held.empty else 0.0
c1, c2, c3 = st.columns(3)
c1.metric("Meetings held", len(held))
c2.metric("Hours together", f"{hours:.1f}", help=f"Target: {school.contact_hours_target:g} h")
c3.metric(
    "Last met",
    f"{held['held_on'].iloc[0]:%a %b} {held['held_on'].iloc[0].day}"
    if not held.empty
    else "not yet",
)


def correct_a_meeting() -> None:
    """The person who logged a meeting (or an admin) corrects or deletes it."""
    mine = held if me.role == Role.ADMIN else held[held["logged_by"] == me.id]
    if mine.empty:
        return
    with st.expander("Correct or delete a meeting you logged"):
        pick = st.selectbox(
            "Meeting",
            list(mine["id"]),
            format_func=lambda mid: f"{_day(mine.set_index('id').at[mid, 'held_on'])}",
            key="fix_pick",
        )
        row = mine.set_index("id").loc[pick]
        was = meetings.attendee_ids(con, int(pick))
        names = dict(member_name)
        for sid in was:
            if sid not in names:
                person = roster.by_id(con, sid)
                names[sid] = f"{person.name} (has left)" if person else f"#{sid}"
        with st.form("fix_form"):
            day = st.date_input("Date", value=row["held_on"], key=f"fix_{pick}_date")
            cols = st.columns(2)
            minutes = cols[0].number_input(
                "Minutes", 0, 600, int(row["minutes"]), key=f"fix_{pick}_minutes"
            )
            in_day = cols[1].checkbox(
                "In the school day", bool(row["in_school_day"]), key=f"fix_{pick}_in_day"
            )
            attended = st.multiselect(
                "Who attended", list(names), was, format_func=names.get, key=f"fix_{pick}_who"
            )
            agenda = st.selectbox(
                "What you did",
                meetings.AGENDAS,
                index=meetings.AGENDAS.index(row["agenda"])
                if row["agenda"] in meetings.AGENDAS
                else None,
                format_func=meetings.AGENDA_LABELS.get,
                key=f"fix_{pick}_agenda",
            )
            note = st.text_area(
                "Note", row["note"], max_chars=meetings.NOTE_MAX, key=f"fix_{pick}_note"
            )
            left, right = st.columns(2)
            save = left.form_submit_button("Save the correction", key="fix_save")
            sure = right.checkbox("Yes, delete this meeting", key=f"fix_{pick}_sure")
            delete = right.form_submit_button("Delete", key="fix_delete")
        try:
            if save:
                meetings.edit_meeting(
                    con, me, int(pick), held_on=day, minutes=minutes, in_school_day=in_day,
                    attendee_ids=attended, note=note, agenda=agenda or "",
                )  # fmt: skip
                st.session_state["mc_flash"] = f"Meeting of {_day(day)} corrected."
                st.rerun()
            if delete:
                if not sure:
                    st.error("Tick 'Yes, delete this meeting' to confirm.")
                else:
                    meetings.delete_meeting(con, me, int(pick))
                    st.session_state["mc_flash"] = (
                        f"Meeting of {_day(row['held_on'])} deleted; the audit log keeps it."
                    )
                    st.rerun()
        except (ValidationError, PermissionDenied) as exc:
            st.error(md(str(exc)))


def _day(value) -> str:
    return f"{value:%a %b} {value.day}"


tabs = st.tabs(
    ["Members", "Goal", "Meetings", "Next meeting", "Reflections", "Leave or split"],
    key="my_cohort_tab",
    on_change="rerun",  # stateful: the open tab survives the rerun after an action
)

# --- members
with tabs[0]:
    tables.show(
        [
            {
                "Name": m.name,
                "Department": m.department,
                "Free to meet": ", ".join(m.slots) or "not said",
                "Joined": f"{m.how} on {m.joined_at:%b} {m.joined_at.day}",
            }
            for m in member_list
        ],
        hide_index=True,
        width="stretch",
    )
    fit = None if is_project else formation.why_here(con, me.id)
    if fit is not None:
        with st.expander("Why you are in this cohort", icon=":material/help:"):
            st.caption("What you asked for, and how this cohort meets it:")
            words = fit.words()
            if fit.named_in:
                words["named colleagues"] += f" ({', '.join(fit.named_in)})"
            tables.show(
                [{"your wish": k, "in this cohort": v} for k, v in words.items()],
                hide_index=True,
                width="stretch",
                key="why_here",
            )
    with st.expander("Everyone who has been in it"):
        tables.show(cohorts.membership_history(con, info.id), hide_index=True, width="stretch")

# --- goal
with tabs[1]:
    history = meetings.goal_history(con, info.id)
    if history:
        st.markdown(f"**Current goal** (version {history[0].version})")
        st.markdown(md(history[0].text, lines=True))
    else:
        empty_state("No goal yet.", "Write what you want to get out of the time together.")
    with st.form("goal_form"):
        text = st.text_area(
            "Revise the goal" if history else "Set the goal",
            value=history[0].text if history else "",
            max_chars=cohorts.GOAL_MAX,
            key="goal_text",
        )
        if st.form_submit_button("Save this version", key="goal_submit"):
            try:
                version = meetings.revise_goal(con, me, info.id, text)
                st.session_state["mc_flash"] = f"Goal saved as version {version}."
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
    if len(history) > 1:
        st.markdown("**Every version**")
        for g in history:
            st.markdown(
                f"- **v{g.version}** ({md(g.author)}, {g.created_at:%b} {g.created_at.day}): "
                + md(g.text)
            )

# --- meetings
with tabs[2]:
    forms.start(
        "meeting",
        {
            "meet_date": default_day,
            "meet_minutes": school.meeting_minutes,
            "meet_in_day": bool(info.slot_id and slot_in_day.get(info.slot_id)),
            "meet_attendees": list(member_name),
            "meet_agenda": meetings.AGENDAS[0],
            "meet_note": "",
        },
    )
    # Someone may have left since the form was filled in: tick only current members.
    st.session_state["meet_attendees"] = [
        a for a in st.session_state["meet_attendees"] if a in member_name
    ]
    with st.form("meeting_form"):
        day = st.date_input("Date", key="meet_date")
        cols = st.columns(2)
        minutes = cols[0].number_input("Minutes", min_value=0, max_value=600, key="meet_minutes")
        in_day = cols[1].checkbox("In the school day", key="meet_in_day")
        attended = st.multiselect(
            "Who attended", list(member_name), format_func=member_name.get, key="meet_attendees"
        )
        agenda = st.selectbox(
            "What you did",
            meetings.AGENDAS,
            format_func=meetings.AGENDA_LABELS.get,
            key="meet_agenda",
        )
        note = st.text_area("Note (optional)", max_chars=meetings.NOTE_MAX, key="meet_note")
        if st.form_submit_button("Log this meeting", key="meet_submit"):
            try:
                meetings.log_meeting(
                    con,
                    me,
                    info.id,
                    held_on=day,
                    minutes=minutes,
                    in_school_day=in_day,
                    attendee_ids=attended,
                    note=note,
                    agenda=agenda,
                    slot_id=info.slot_id,
                )
                st.session_state["mc_flash"] = (
                    f"Meeting of {day:%a %b} {day.day} logged: {len(attended)} attended, "
                    f"{minutes} minutes."
                )
                forms.clear("meeting")
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
    if held.empty:
        empty_state("No meetings logged yet.", "Log your first meeting above after you meet.")
    else:
        if len(held) >= 2 and not is_project:
            chart = (
                alt.Chart(held.assign(day=held["held_on"].map(_day)))
                .mark_bar()
                .encode(
                    # One bar per meeting day, labelled by its day (no hour ticks between).
                    x=alt.X("day:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("attended:Q", title="Attended", axis=charts.COUNT_AXIS),
                    tooltip=[
                        alt.Tooltip("day:N", title="Date"),
                        alt.Tooltip("attended:Q", title="Attended"),
                        alt.Tooltip("minutes:Q", title="Minutes"),
                    ],
                )
                .properties(height=160)
            )
            st.altair_chart(charts.whole_labels(chart), width="stretch")
        tables.show(
            held.assign(agenda=held["agenda"].map(lambda a: meetings.AGENDA_LABELS.get(a, a)))[
                ["held_on", "minutes", "in_school_day", "agenda", "attended", "attendees", "note"]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "held_on": st.column_config.DateColumn("Date"),
                "in_school_day": st.column_config.CheckboxColumn("School day"),
            },
        )
        correct_a_meeting()

# --- next meeting
with tabs[3]:
    upcoming = meetings.planned_meetings(con, info.id, since=today)
    if upcoming:
        for m in upcoming:
            st.markdown(
                f"- **{m.on:%a %b} {m.on.day}**, {md(m.slot_label or 'slot not set')}: "
                + md(m.agenda_label)
                + (f". {md(m.note)}" if m.note else "")
            )
        st.download_button(
            "Add to Google Calendar (.ics)",
            meetings.calendar_file(con, info.id, info.name, since=today),
            file_name="cohort-meetings.ics",
            mime="text/calendar",
            icon=":material/calendar_add_on:",
            key="ics_download",
        )
        st.caption("Download, then in Google Calendar: Settings > Import & export > Import.")
    else:
        empty_state("No meeting planned yet.", "Plan the next one below.")
    # The next day (from tomorrow) the cohort's slot meets: a Mon slot suggests a Monday.
    plan_day = meetings.next_day_on(info.slot_label, max(default_day, today + timedelta(days=1)))
    forms.start("plan", {"plan_date": min(plan_day, school.season_end), "plan_note": ""})
    with st.form("plan_form"):
        on = st.date_input("Date", key="plan_date")
        slot_id = st.selectbox(
            "Slot",
            list(slot_label),
            index=list(slot_label).index(info.slot_id) if info.slot_id in slot_label else None,
            format_func=slot_label.get,
            placeholder="When?",
            key="plan_slot",
        )
        agenda = st.selectbox(
            "Agenda the cohort chose",
            meetings.AGENDAS,
            format_func=meetings.AGENDA_LABELS.get,
            key="plan_agenda",
        )
        note = st.text_input(
            "Details (optional)",
            max_chars=meetings.NOTE_MAX,
            placeholder="e.g. read chapter 3 first",
            key="plan_note",
        )
        if st.form_submit_button("Plan this meeting", key="plan_submit"):
            try:
                meetings.plan_meeting(
                    con, me, info.id, on=on, slot_id=slot_id, agenda=agenda, note=note
                )
                st.session_state["mc_flash"] = f"Meeting on {_day(on)} planned."
                forms.clear("plan")
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))

# --- reflections
with tabs[4]:
    forms.start("reflection", {"refl_text": "", "refl_link": "", "refl_shareout": False})
    with st.form("reflection_form"):
        text = st.text_area(
            "What did you learn or try?", max_chars=meetings.REFLECTION_MAX, key="refl_text"
        )
        link = st.text_input(
            "Link to a video share-out (optional)",
            max_chars=meetings.LINK_MAX,
            placeholder="https://",
            key="refl_link",
        )
        visibility = st.radio(
            "Who sees it",
            meetings.VISIBILITIES,
            format_func={"cohort": "My cohort", "all": "All staff (the gallery)"}.get,
            horizontal=True,
            key="refl_visibility",
        )
        shareout = st.checkbox("This is our final share-out of the season", key="refl_shareout")
        if st.form_submit_button("Add reflection", key="refl_submit"):
            try:
                meetings.add_reflection(
                    con,
                    me,
                    info.id,
                    text,
                    link=link,
                    visibility=visibility,
                    is_shareout=shareout,
                )
                st.session_state["mc_flash"] = "Reflection added" + (
                    " and shared with all staff." if visibility == "all" else "."
                )
                forms.clear("reflection")
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
    notes = meetings.reflections(con, info.id, me.id)
    if notes.empty:
        empty_state("No reflections yet.", "Add the first one above.")
    for r in notes.itertuples():
        with st.container(border=True):
            st.markdown(md(r.text, lines=True))
            st.caption(
                f"{md(r.author)} · {r.created_at:%b} {r.created_at.day} · "
                + ("shared with all staff" if r.visibility == "all" else "cohort only")
                + (" · final share-out" if r.is_shareout else "")
            )
            if r.link:
                web_link("Open the share-out", r.link)

# --- leave or split
with tabs[5]:
    with st.form("leave_form"):
        st.markdown("**Leave**" + (" this project" if is_project else " this cohort"))
        reason = st.text_input(
            "Reason (optional, seen by coaches and admins)",
            max_chars=cohorts.REASON_MAX,
            key="leave_reason",
        )
        sure = st.checkbox("Yes, I want to leave", key="leave_confirm")
        if st.form_submit_button("Leave", key="leave_submit"):
            if not sure:
                st.error("Tick 'Yes, I want to leave' to confirm.")
            else:
                try:
                    cohorts.leave(con, me, info.id, reason)
                    st.session_state["mc_flash"] = (
                        f"You left {md(info.name)}. Its history stays; find a new group any time."
                    )
                    st.rerun()
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))
    waiting_split = None if is_project else cohorts.pending_split(con, info.id)
    if waiting_split:
        st.info(
            f"A split into a new cohort is waiting for {len(waiting_split.waiting_for)} answer(s).",
            icon=":material/hourglass_top:",
        )
        st.text(
            f"New cohort: {waiting_split.name}. "
            f"Still to answer: {', '.join(waiting_split.waiting_for)}."
        )
        if waiting_split.proposer_id == me.id and st.button(
            "Withdraw this split", key="split_withdraw", icon=":material/undo:"
        ):
            try:
                cohorts.withdraw_split(con, me, waiting_split.proposal_id)
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
            else:
                st.session_state["mc_flash"] = "Split withdrawn; everyone it named is told."
                st.rerun()
    elif not is_project and len(member_list) >= 2:
        with st.form("split_form"):
            st.markdown("**Split** into two cohorts of the same topic")
            st.caption(
                "For when you realise you are on two different paths. Both cohorts keep their "
                "history; the new one starts from the current goal. Moving only yourself "
                "happens at once; everyone else you name is asked first, and moves only if "
                "they say yes."
            )
            movers = st.multiselect(
                "Who moves to the new cohort",
                list(member_name),
                format_func=member_name.get,
                key="split_movers",
            )
            new_name = st.text_input(
                "New cohort's name", max_chars=cohorts.NAME_MAX, key="split_name"
            )
            new_slot = st.selectbox(
                "New cohort's slot",
                list(slot_label),
                index=list(slot_label).index(info.slot_id) if info.slot_id in slot_label else None,
                format_func=slot_label.get,
                key="split_slot",
            )
            if st.form_submit_button("Split", key="split_submit"):
                try:
                    outcome = cohorts.split(
                        con, me, info.id, movers, name=new_name, slot_id=new_slot
                    )
                    st.session_state["mc_flash"] = (
                        f"{md(new_name.strip())} split off from {md(info.name)}."
                        if outcome.new_cohort_id
                        else f"Asked {', '.join(md(n) for n in outcome.waiting_for)}: the split happens "
                        "when everyone named has answered."
                    )
                    st.rerun()
                except (ValidationError, PermissionDenied) as exc:
                    st.error(md(str(exc)))

# --- this season's PD hours and past seasons (history stays after a season closes)
st.divider()
history_ui.hours_line(con, me)
history_ui.past_seasons(con, me)
