"""The "how I like to learn" form, shared by the interest survey and the group finder."""

from __future__ import annotations

import streamlit as st

from pdcore import roster, survey
from pdcore.model import PermissionDenied, StaffMember, ValidationError
from pdcore.ui.text import md, short


def preferences_form(
    con, me: StaffMember, *, key: str, submit_label: str, saved_message: str, with_mode: bool
) -> None:
    """Render the preferences widgets in an st.form (keys start with `key`) and save them.

    `with_mode` adds the cohort / individual project / expert-led choice.
    """
    prefs = survey.preferences(con, me.id)
    slot_label = roster.slot_choices(con)
    people = {p.id: p for p in roster.active_staff(con, school=me.school) if p.id != me.id}
    with st.form(f"{key}_form"):
        mode = None
        if with_mode:
            mode = st.radio(
                "I would rather learn",
                survey.MODES,
                index=survey.MODES.index(prefs.mode),
                format_func=survey.MODE_LABELS.get,
                horizontal=True,
                key=f"{key}_mode",
            )
        priority = st.radio(
            "What matters more to me",
            survey.PRIORITIES,
            index=survey.PRIORITIES.index(prefs.priority),
            format_func=survey.PRIORITY_LABELS.get,
            horizontal=True,
            key=f"{key}_priority",
        )
        free = st.multiselect(
            "When I am free to meet",
            list(slot_label),
            default=[s for s in prefs.slot_ids if s in slot_label],
            format_func=slot_label.get,
            key=f"{key}_slots",
        )
        mates = st.multiselect(
            "Colleagues I would like to work with",
            list(people),
            default=[c for c in prefs.colleague_ids if c in people],
            format_func=lambda pid: f"{short(people[pid].name)} ({short(people[pid].department)})",
            max_selections=survey.MAX_COLLEAGUES,
            placeholder="Type a name",
            key=f"{key}_colleagues",
        )
        dept = st.radio(
            "Colleagues from",
            survey.DEPT_PREFS,
            index=survey.DEPT_PREFS.index(prefs.dept_pref),
            format_func=survey.DEPT_LABELS.get,
            horizontal=True,
            key=f"{key}_dept",
        )
        if st.form_submit_button(submit_label, key=f"{key}_submit"):
            try:
                survey.save_preferences(
                    con,
                    me,
                    mode=mode,
                    priority=priority,
                    dept_pref=dept,
                    slot_ids=free,
                    colleague_ids=mates,
                )
                st.success(saved_message)
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))
