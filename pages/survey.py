"""Interest survey: rank up to three topics (or write in your own) and say how you like to learn."""

import streamlit as st

from pdcore import settings, survey
from pdcore.model import PermissionDenied, ValidationError
from pdcore.ui import session
from pdcore.ui.preferences import preferences_form
from pdcore.ui.text import md

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
    ranked = "  \n".join(
        f"{i}\\. {md(name)}" for i, name in enumerate(answer.choice_names, start=1)
    )
    st.success(
        f"**Your answers** ({source} on {answer.submitted_at:%b} {answer.submitted_at.day}, "
        f"{answer.submitted_at.year}):  \n{ranked}",
        icon=":material/task_alt:",
    )

st.subheader("Your topics")
if not is_open and answer:
    st.info(
        f"The survey closed on {close:%B} {close.day}, {close.year}. Your answers above are "
        "kept; ask an admin if something must change.",
        icon=":material/lock:",
    )
    st.page_link("pages/find_group.py", label="Find a group", icon=":material/group_add:")
else:
    if not is_open:
        st.info(
            f"The survey closed on {close:%B} {close.day}, {close.year}, but it is not too late: "
            "choose what you want to learn here and say when you are free below. Then find a "
            "group of your topic, or ask to be placed.",
            icon=":material/schedule:",
        )
    elif close:
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
                saved = survey.submit(con, me, picks, write_in)
                st.session_state["survey_flash"] = (
                    "Saved: " + ", ".join(md(n) for n in saved.choice_names) + "."
                )
                st.rerun()
            except (ValidationError, PermissionDenied) as exc:
                st.error(md(str(exc)))

st.subheader("How you like to learn")
st.caption("You can change these any time; the group finder and the short list use them.")
preferences_form(
    con,
    me,
    key="prefs",
    submit_label="Save how I like to learn",
    saved_message="Saved how you like to learn.",
    with_mode=True,
)
