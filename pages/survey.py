"""Interest survey: rank up to three topics (or write in your own) and say how you like to learn."""

import streamlit as st

from pdcore import roster, settings, survey
from pdcore.model import PermissionDenied, ValidationError
from pdcore.ui import session

me = session.require_role()
con = session.connection()
st.title("Interest survey")
st.caption("Rank up to three topics you want to learn about this year, or write in your own.")

flash = st.session_state.pop("survey_flash", None)
if flash:
    st.toast(flash, icon=":material/task_alt:")
answer = survey.answer(con, me.id)
is_open = survey.is_open(con)
close = settings.load(con).survey_close

if answer:
    source = (
        "from the school's Google Form"
        if answer.source == "form"
        else "imported by an admin"
        if answer.source in ("import", "demo")
        else "saved here"
    )
    ranked = "  \n".join(f"{i}. {name}" for i, name in enumerate(answer.choice_names, start=1))
    st.success(
        f"**Your answers** ({source} on {answer.submitted_at:%b} {answer.submitted_at.day}, "
        f"{answer.submitted_at.year}):  \n{ranked}",
        icon=":material/task_alt:",
    )
elif not is_open:
    st.info(
        "You did not answer the survey before it closed. You can still pick a topic and find a "
        "group: see **Pick a topic**.",
        icon=":material/info:",
    )

st.subheader("Your topics")
if not is_open:
    st.info(
        f"The survey closed on {close:%B} {close.day}, {close.year}. Your answers above are "
        "kept; ask an admin if something must change.",
        icon=":material/lock:",
    )
else:
    if close:
        st.caption(f"You can change your answers until {close:%B} {close.day}, {close.year}.")
    choosable = survey.choosable_topics(con)
    if not choosable:
        st.info("No topics are on the list yet: write in the one you want to learn about.")
    by_id = {t.id: t for t in choosable}
    ids = [t.id for t in choosable]
    previous = list(answer.choices) if answer else []

    def label(tid: int) -> str:
        t = by_id[tid]
        return t.name if t.is_offered else f"{t.name} (proposed)"

    with st.form("survey_form"):
        picks = []
        for rank, word in enumerate(("First", "Second", "Third")):
            default = previous[rank] if rank < len(previous) and previous[rank] in by_id else None
            picks.append(
                st.selectbox(
                    f"{word} choice",
                    ids,
                    index=ids.index(default) if default is not None else None,
                    format_func=label,
                    placeholder="Pick a topic" if rank == 0 else "Optional",
                    key=f"survey_choice_{rank + 1}",
                )
            )
        write_in = st.text_input(
            "Or write in your own topic",
            max_chars=survey.WRITE_IN_MAX,
            placeholder="e.g. Restorative practices",
            help="It is ranked after your choices above. A topic with the same name is reused.",
            key="survey_write_in",
        )
        if st.form_submit_button("Save my answers", type="primary", key="survey_submit"):
            try:
                saved = survey.submit(con, me.id, picks, write_in, actor_id=me.id)
                st.session_state["survey_flash"] = "Saved: " + ", ".join(saved.choice_names) + "."
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(str(exc))

st.subheader("How you like to learn")
st.caption("You can change these any time; the group finder and the short list use them.")
prefs = survey.preferences(con, me.id)
slots = roster.slots(con)
slot_label = {s.id: s.label + (" (school day)" if s.in_school_day else "") for s in slots}
people = {p.id: p for p in roster.active_staff(con) if p.id != me.id and p.school == me.school}
with st.form("prefs_form"):
    mode = st.radio(
        "I would rather learn",
        survey.MODES,
        index=survey.MODES.index(prefs.mode),
        format_func=survey.MODE_LABELS.get,
        horizontal=True,
        key="prefs_mode",
    )
    priority = st.radio(
        "What matters more to me",
        survey.PRIORITIES,
        index=survey.PRIORITIES.index(prefs.priority),
        format_func=survey.PRIORITY_LABELS.get,
        horizontal=True,
        key="prefs_priority",
    )
    free = st.multiselect(
        "When I am free to meet",
        list(slot_label),
        default=[s for s in prefs.slot_ids if s in slot_label],
        format_func=slot_label.get,
        key="prefs_slots",
    )
    mates = st.multiselect(
        "Colleagues I would like to work with",
        list(people),
        default=[c for c in prefs.colleague_ids if c in people],
        format_func=lambda pid: f"{people[pid].name} ({people[pid].department})",
        max_selections=survey.MAX_COLLEAGUES,
        placeholder="Type a name",
        key="prefs_colleagues",
    )
    dept = st.radio(
        "Colleagues from",
        survey.DEPT_PREFS,
        index=survey.DEPT_PREFS.index(prefs.dept_pref),
        format_func=survey.DEPT_LABELS.get,
        horizontal=True,
        key="prefs_dept",
    )
    if st.form_submit_button("Save how I like to learn", key="prefs_submit"):
        try:
            survey.save_preferences(
                con,
                me.id,
                mode=mode,
                priority=priority,
                dept_pref=dept,
                slot_ids=free,
                colleague_ids=mates,
                actor_id=me.id,
            )
            st.success("Saved how you like to learn.")
        except (ValidationError, PermissionDenied) as exc:
            st.error(str(exc))
