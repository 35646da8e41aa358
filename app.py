"""PD Cohorts: page config, sign-in, and role-aware navigation over pages/.

Run with `make run` (or `streamlit run app.py`). Sign-in is real (st.login) when
.streamlit/secrets.toml has an [auth] section, otherwise a clearly labelled demo sign-in.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pdcore import roster, settings
from pdcore.model import Role
from pdcore.ui import session, sync_schedule
from pdcore.ui.navigation import PAGES, SECTION_ORDER

# A file, not a ":material/...:" icon: Streamlit fetches those from Google's font server.
FAVICON = Path(__file__).parent / "static" / "favicon.png"
st.set_page_config(page_title="PD Cohorts", page_icon=str(FAVICON), layout="wide")


def sign_in_screen() -> None:
    """Ask whoever is not signed in to sign in: real provider, or the demo picker."""
    st.title("PD Cohorts")
    st.write("Personalized professional learning: pick a topic, find your cohort, grow together.")
    if session.auth_configured():
        st.button("Sign in with your school account", type="primary", on_click=st.login)
        return
    st.warning(
        "**Demo sign-in.** No real accounts are configured, so you can be anyone on the demo "
        "school's roster. Add an `[auth]` section to `.streamlit/secrets.toml` for real sign-in.",
        icon=":material/theater_comedy:",
    )
    con = session.connection()
    people = roster.active_staff(con)
    by_role = {r: [p for p in people if p.role == r] for r in Role}
    st.caption("Quick picks")
    cols = st.columns(3)
    for col, role in zip(cols, (Role.TEACHER, Role.COACH, Role.ADMIN), strict=True):
        if by_role[role]:
            first = by_role[role][0] if role != Role.TEACHER else _demo_teacher(by_role[role])
            if col.button(f"{role.value.title()}: {first.name}", use_container_width=True):
                st.session_state[session.DEMO_KEY] = first.email
                st.rerun()
    with st.form("demo_sign_in"):
        pick = st.selectbox(
            "Or anyone on the roster",
            people,
            format_func=lambda p: f"{p.name} ({p.role.value}, {p.department}, {p.email})",
            index=None,
            placeholder="Type a name",
        )
        if st.form_submit_button("Sign in as this person") and pick:
            st.session_state[session.DEMO_KEY] = pick.email
            st.rerun()


def _demo_teacher(teachers):
    from pdcore.demo import DEMO_TEACHER

    return next((t for t in teachers if t.name == DEMO_TEACHER), teachers[0])


def sign_out() -> None:
    if st.user.get("is_logged_in"):
        st.logout()
    st.session_state.pop(session.DEMO_KEY, None)
    st.query_params.pop(session.DEMO_PARAM, None)


def main() -> None:
    email = session.signed_in_email()
    if not email:
        st.navigation([st.Page(sign_in_screen, title="Sign in", icon=":material/login:")]).run()
        return
    demo_pick = not session.auth_configured() and not st.user.get("is_logged_in")
    if demo_pick and st.query_params.get(session.DEMO_PARAM) != email:
        st.query_params[session.DEMO_PARAM] = email  # demo only: a refresh keeps the pick
    con = session.connection()
    sync_schedule.start(con)  # the scheduled Sheets sync (a no-op until a sheet is set up)
    domain = settings.load(con).allowed_domain
    if session.auth_configured() and domain and not email.endswith("@" + domain):
        st.error(f"{email} is not a {domain} address. Sign in with your school account.")
        st.button("Sign out", on_click=sign_out)
        return
    me = roster.by_email(con, email)
    if me is None or not me.active:
        st.error(
            f"{email} is not on the school's active roster. Ask an admin to add you "
            "(the roster is synced on the Data page)."
        )
        st.button("Sign out", on_click=sign_out)
        return

    sections: dict[str, list] = {}
    for path, title, icon, roles, section in PAGES:
        if me.role in roles:
            sections.setdefault(section, []).append(st.Page(path, title=title, icon=icon))
    # A person's own work first: admins and coaches see their sections above "My learning".
    order = SECTION_ORDER[me.role]
    sections = dict(sorted(sections.items(), key=lambda kv: order.index(kv[0])))
    with st.sidebar:
        st.markdown(f"**{me.name}**  \n{me.role.value.title()} · {me.department}")
        if not session.auth_configured():
            st.caption("Demo sign-in")
        st.button("Sign out", on_click=sign_out, icon=":material/logout:")
    st.navigation(sections, expanded=True).run()


main()
