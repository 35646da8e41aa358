"""Growth plan: your professional growth plan, your coach, one-on-one coaching and pathways."""

import streamlit as st

from pdcore import coaching, followups, growth, pathways, roster, settings, topics
from pdcore.ui import history as history_ui
from pdcore.ui import session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import empty_state, report, show_outcome, web_link

me = session.require_any()
con = session.connection()
st.title("Growth plan")
st.caption("Your professional growth plan for the year, your coach, and one-on-one coaching.")

# ---- callbacks: each runs one pdcore call before the page redraws, so what shows is fresh ----


def _save_plan() -> None:
    ss = st.session_state
    goals = [(ss.get(f"plan_goal_{n}", ""), ss.get(f"plan_measure_{n}", "")) for n in (1, 2, 3)]
    report(
        lambda: growth.save_plan(con, me, ss.get("plan_focus", ""), goals, ss.get("plan_topic")),
        "Your plan is saved.",
    )


def _add_evidence() -> None:
    ss = st.session_state
    added = report(
        lambda: growth.add_evidence(
            con, me, ss.get("evidence_note", ""), ss.get("evidence_link", "")
        ),
        "Evidence added to your plan.",
    )
    if added:
        ss["evidence_note"], ss["evidence_link"] = "", ""


def _save_reflection() -> None:
    report(
        lambda: growth.save_reflection(con, me, st.session_state.get("reflection_text", "")),
        "Your reflection is saved.",
    )


def _save_coach() -> None:
    pick = st.session_state.get("coach_pick")
    if pick:
        report(lambda: coaching.choose_coach(con, me, pick), "Your coach is chosen.")
    else:
        report(
            lambda: coaching.leave_to_coaches(con, me),
            "Left to the coaches: one will claim your plan.",
        )


def _ask_coaching() -> None:
    ss = st.session_state
    sent = report(
        lambda: coaching.request_coaching(
            con,
            me,
            ss.get("request_topic"),
            ss.get("request_slots", []),
            ss.get("request_note", ""),
        ),  # fmt: skip
        "Your request is with the coaches; they will be in touch.",
    )
    if sent:  # a fresh form: a second click must not send the request again
        ss["request_topic"], ss["request_slots"], ss["request_note"] = None, [], ""


def _save_steps(pathway_id: int, steps) -> None:
    def save():
        for step in steps:
            ticked = bool(st.session_state.get(f"step_{step.id}"))
            if ticked != step.done:
                pathways.mark_step(con, me, step.id, ticked)

    report(save, "Your pathway progress is saved; it shows as evidence in your plan.")


show_outcome()

school = settings.load(con)
year = growth.school_year_label(school)
plan = growth.plan_for(con, me.id, me.id)
topic_list = topics.topic_list(con)
topic_names = {t.id: t.name for t in topic_list}

tab_plan, tab_coach, tab_paths = st.tabs(
    ["My plan", "My coach", "Pathways"], key="growth_tab", on_change="rerun"
)

with tab_plan:
    st.subheader(f"My plan for {year}")
    if plan is None:
        empty_state(
            "You have not written a growth plan for this year yet.",
            "Start below with a focus and one goal, and how you will know you got there. "
            "Only you, your coach and admins can see it.",
        )
    else:
        st.markdown(
            f"**Focus:** {md(plan.focus)}"
            + (f"  \n**Topic:** {md(plan.topic)}" if plan.topic else "")
        )
        for g in plan.goals:
            st.markdown(
                f"{g.position}\\. **{md(g.goal)}**  \n   _How I will know:_ {md(g.measure)}"
            )
        st.caption(
            f"Last changed {plan.updated_at:%B %d, %Y}. Private to you, your coach and admins."
        )

    with (
        st.expander("Write my plan" if plan is None else "Edit my plan", expanded=plan is None),
        st.form("plan_form", border=False),
    ):
        st.text_input(
            "My focus this year", value=plan.focus if plan else "", key="plan_focus",
            max_chars=growth.MAX_FOCUS, placeholder="e.g. Better feedback on student writing",
        )  # fmt: skip
        topic_ids = [None, *topic_names]
        current = plan.topic_id if plan and plan.topic_id in topic_names else None
        st.selectbox(
            "Linked to a topic (optional)",
            topic_ids,
            index=topic_ids.index(current),
            format_func=lambda t: "No topic" if t is None else topic_names[t],
            key="plan_topic",
        )
        goals = {g.position: g for g in plan.goals} if plan else {}
        for n in (1, 2, 3):
            left, right = st.columns(2)
            left.text_area(
                f"Goal {n}" + (" (optional)" if n > 1 else ""),
                value=goals[n].goal if n in goals else "", key=f"plan_goal_{n}", height=80,
            )  # fmt: skip
            right.text_area(
                "How I will know I got there",
                value=goals[n].measure if n in goals else "", key=f"plan_measure_{n}",
                height=80,
            )  # fmt: skip
        st.form_submit_button("Save my plan", key="plan_save", type="primary", on_click=_save_plan)

    st.subheader("Evidence")
    if plan is None:
        st.caption("Add notes and links once your plan is written.")
    else:
        if plan.evidence:
            tables.show(
                [
                    {
                        "when": e.created_at.date(),
                        "evidence": e.note,
                        "link": e.link or None,
                        "from": "pathway" if e.source == "pathway" else "me",
                    }
                    for e in plan.evidence
                ],
                hide_index=True,
                column_config={"link": st.column_config.LinkColumn("link")},
                key="evidence_table",
            )
        else:
            empty_state(
                "No evidence yet.",
                "Add a note or a link (a lesson, student work, a video) as the year goes on; "
                "pathway steps you finish appear here too.",
            )
        with st.form("evidence_form"):
            st.text_area("A note", key="evidence_note", height=80)
            st.text_input("A link (optional)", key="evidence_link", placeholder="https://...")
            st.form_submit_button("Add evidence", key="evidence_add", on_click=_add_evidence)

        st.subheader("Year-end reflection")
        with st.form("reflection_form"):
            st.text_area(
                "What did you learn this year, and what comes next?",
                value=plan.reflection, key="reflection_text", height=140,
            )  # fmt: skip
            st.form_submit_button(
                "Save my reflection", key="reflection_save", on_click=_save_reflection
            )

with tab_coach:
    st.subheader("My coach")
    choices = [c for c in coaching.coaches(con, me.school) if c.id != me.id]
    mine = coaching.coach_of(con, me.id)
    if not choices:
        empty_state("Your school has no coaches on the roster yet.", "Ask an admin to add them.")
    else:
        options = [0, *[c.id for c in choices]]
        labels = {c.id: md(c.label()) for c in choices}  # radio options read markdown
        labels[0] = "Leave it to the coaches (one will claim my plan)"
        if mine and mine not in labels:
            mine_person = roster.by_id(con, mine)
            st.info(
                f"Your coach is {md(mine_person.name) if mine_person else 'not on the roster'}."
            )
        st.radio(
            "Choose a coach, or leave it to them",
            options,
            index=options.index(mine) if mine in options else 0,
            format_func=lambda c: labels[c],
            key="coach_pick",
        )
        st.button("Save my choice", key="coach_save", on_click=_save_coach)

    st.subheader("Ask for one-on-one coaching")
    with st.form("request_form"):
        st.selectbox(
            "Topic",
            [None, *topic_names],
            format_func=lambda t: "Something else (say below)" if t is None else topic_names[t],
            key="request_topic",
        )
        slots = {s.id: s.label for s in roster.slots(con)}
        st.multiselect(
            "Times that suit me", list(slots), format_func=slots.get, key="request_slots"
        )
        st.text_area("What would help?", key="request_note", height=80)
        st.form_submit_button("Ask for coaching", key="request_send", on_click=_ask_coaching)
    requests = coaching.my_requests(con, me.id)
    if len(requests):
        st.caption("My requests")
        tables.show(
            requests[["asked_on", "topic", "preferred_slots", "note", "status"]],
            hide_index=True,
            key="my_requests_table",
            column_config={"asked_on": st.column_config.DateColumn("asked on")},
        )

    st.subheader("Coaching sessions I have had")
    held = coaching.sessions_for(con, me.id, me.id)
    if len(held):
        c1, c2 = st.columns(2)
        c1.metric("Sessions", len(held))
        c2.metric("Minutes", int(held["minutes"].sum()))
        tables.show(
            held,
            hide_index=True,
            key="my_sessions_table",
            column_config={"held_on": st.column_config.DateColumn("date")},
        )
    else:
        empty_state(
            "No one-on-one sessions yet.",
            "Ask for coaching above; your coach logs each session and it appears here.",
        )
    contacts = followups.history(con, me, me.id)
    if len(contacts):
        st.caption("Check-ins from coaches")
        tables.show(
            contacts,
            hide_index=True,
            key="my_followups_table",
            column_config={"contacted_on": st.column_config.DateColumn("date")},
        )
    st.caption(
        "Your coaching record (sessions, check-ins and their notes) is seen by you and the "
        "coaches working with you. Admins see only that a session took place, when and how long."
    )

with tab_paths:
    st.subheader("Online pathways")
    listed = pathways.pathway_list(con, me.id)
    if not listed:
        empty_state("The school lists no online pathways yet.", "Coaches add them on Coaching.")
    for p in listed:
        with st.container(border=True):
            st.markdown(f"**{md(p.name)}**")
            web_link("Open the pathway", p.link)
            if p.description:
                st.caption(md(p.description))
            st.progress(p.done / p.total if p.total else 0.0, text=f"{p.done} of {p.total} done")
            with st.form(f"pathway_{p.id}_form", border=False):
                for step in p.steps:
                    st.checkbox(md(step.title), value=step.done, key=f"step_{step.id}")
                st.form_submit_button(
                    "Save progress",
                    key=f"pathway_{p.id}_save",
                    on_click=_save_steps,
                    args=(p.id, p.steps),
                )

# --- PD hours on record and past seasons' plans, goals and reflections
st.divider()
history_ui.hours_line(con, me)
history_ui.past_seasons(con, me)
