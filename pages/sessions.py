"""Staff development: sign up for one of a day's options, see what is full, change your mind."""

from datetime import date

import streamlit as st

from pdcore import clock, sessions, topics
from pdcore.growth import long_date
from pdcore.ui import session, tables
from pdcore.ui.text import md
from pdcore.ui.widgets import empty_state, report, show_outcome

me = session.require_any()
con = session.connection()
st.title("Staff development")
st.caption(
    "Pick one option for each staff-development day; you can change or cancel until the day."
)


def _sign_up(option: sessions.Option, switching: bool) -> None:
    report(
        lambda: sessions.sign_up(con, me, option.id),
        f"{'Switched' if switching else 'Signed up'}: {md(option.title)} on {long_date(option.day)}.",
    )


def _cancel(day: date) -> None:
    report(lambda: sessions.cancel(con, me, day), f"Cancelled your sign-up for {long_date(day)}.")


def _ask_expert() -> None:
    ss = st.session_state

    def ask():
        sessions.request_expert(con, me, ss.get("expert_topic"), ss.get("expert_note", ""))
        ss["expert_note"] = ""

    report(ask, "Thank you: your request is shown to whoever plans the sessions.")


show_outcome()

today = clock.today()
days = sessions.session_days(con, since=today)
if not days:
    empty_state(
        "No staff-development options are published for the coming days yet.",
        "Coaches publish each week's options; check back later, or ask for an expert below.",
    )
else:
    # The first day still open for sign-ups is the one people usually want.
    default = next((i for i, d in enumerate(days) if d > today), 0)
    day = st.selectbox("Day", days, index=default, format_func=long_date, key="sd_day", width=300)
    closed = day <= today
    mine = sessions.my_choice(con, me.id, day)
    options = sessions.options_for_day(con, day)
    chosen = next((o for o in options if o.id == mine), None)
    leading = next((o for o in options if o.leader_name == me.name), None)
    if leading and not chosen:
        st.success(
            f"You lead **{md(leading.title)}** that day"
            + (f" ({md(leading.room)})." if leading.room else ".")
            + " No sign-up needed.",
            icon=":material/co_present:",
        )
    elif closed:
        st.info(
            "Sign-ups for this day are closed: see you there"
            + (
                f", in **{md(chosen.title)}** ({md(chosen.room or 'room to be announced')})."
                if chosen
                else "."
            )
        )
    elif chosen:
        st.success(f"You are signed up for **{md(chosen.title)}**. You can switch until the day.")
    else:
        st.info("You have not signed up for this day yet: pick one option.")

    cols = st.columns(min(3, len(options)) or 1)
    for n, o in enumerate(options):
        with cols[n % len(cols)].container(border=True):
            st.subheader(md(o.title), anchor=False)
            st.caption(
                md(o.leader())
                + (f" · {md(o.room)}" if o.room else "")
                + (f" · {md(o.topic)}" if o.topic else "")
            )
            if o.description:
                st.markdown(md(o.description, lines=True))
            if o.is_full:
                st.markdown(":red[**Full**]" + f" · {o.capacity} seats")
            else:
                st.markdown(f"**{o.seats_left}** of {o.capacity} seats left")
            st.progress(min(1.0, o.taken / o.capacity))
            if o.id == mine:
                st.button(
                    "Cancel my sign-up",
                    key=f"sd_cancel_{o.id}",
                    disabled=closed,
                    on_click=_cancel,
                    args=(day,),
                    icon=":material/close:",
                )
            else:
                st.button(
                    "Switch to this" if mine else "Sign up",
                    key=f"sd_signup_{o.id}",
                    type="primary" if not mine else "secondary",
                    disabled=closed or o.is_full,
                    on_click=_sign_up,
                    args=(o, mine is not None),
                )

st.subheader("Learn from an expert")
st.caption("Tell the planners what you would like to learn from someone who has done it.")
topic_names = {t.id: t.name for t in topics.topic_list(con)}
with st.form("expert_form"):
    st.selectbox(
        "Topic",
        [None, *topic_names],
        format_func=lambda t: "Something else (say below)" if t is None else topic_names[t],
        key="expert_topic",
    )
    st.text_area("What would you like to learn?", key="expert_note", height=80)
    st.form_submit_button("Send my request", key="expert_send", on_click=_ask_expert)

st.subheader("My sessions this year")
history = sessions.my_signups(con, me.id)
if len(history):
    history["attended"] = (
        history["attended"].map({True: "yes", False: "no"}).fillna("not yet marked")
    )
    tables.show(
        history,
        hide_index=True,
        key="sd_history",
        column_config={"day": st.column_config.DateColumn("day", format="ddd MMM D, YYYY")},
    )
else:
    empty_state("You have not signed up for a staff-development session yet.")
