"""PD Cohorts: page config, sign-in, and role-aware navigation over pages/.

`make run` serves the demo school (demo mode, PDCORE_DEMO=1) with a clearly labelled "be anyone"
sign-in; `make serve` serves a real school, where sign-in is st.login with the [auth] table of
.streamlit/secrets.toml. A secrets file that cannot be used, or no [auth] outside demo mode,
lets nobody in and says what to fix (see pdcore/ui/session.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pdcore import db, roster
from pdcore.model import Role
from pdcore.ui import session, sync_schedule
from pdcore.ui.navigation import PAGES, SECTION_ORDER
from pdcore.ui.text import md, md_short, short

# A file, not a ":material/...:" icon: Streamlit fetches those from Google's font server.
FAVICON = Path(__file__).parent / "static" / "favicon.png"
st.set_page_config(page_title="PD Cohorts", page_icon=str(FAVICON), layout="wide")


def sign_in_screen() -> None:
    """Ask whoever is not signed in to sign in: real provider, the demo picker, or nobody."""
    st.title("PD Cohorts")
    mode = session.sign_in()
    if mode is session.SignIn.BROKEN:
        st.error(md(session.setup().problem), icon=":material/lock:")
        return
    st.write("Personalized professional learning: pick a topic, find your cohort, grow together.")
    if mode is session.SignIn.REAL:
        providers = session.setup().providers
        for provider in providers:
            label = "your school account"
            if len(providers) > 1 and provider != "default":
                label = provider.title()
            args = () if provider == "default" else (provider,)
            st.button(
                f"Sign in with {label}",
                type="primary",
                on_click=st.login,
                args=args,
                key=f"login_{provider}",
            )
        return
    if mode is session.SignIn.CLOSED:
        closed_screen()
        return
    demo_sign_in()


def closed_screen() -> None:
    """No [auth] and no demo: say, in an admin's words, what to set up."""
    # The project's own file: Streamlit reads it last, so it is the one that counts.
    path = (session.secrets_files() or [".streamlit/secrets.toml"])[-1]
    st.warning(
        "**Sign-in is not set up yet, so nobody can come in.** An admin adds an `[auth]` table "
        f"to `{path}` with the school's Google Workspace (or other OpenID Connect) "
        "`client_id`, `client_secret`, `server_metadata_url`, a `redirect_uri` ending in "
        "`/oauth2callback` and a long random `cookie_secret`, then restarts the app. The "
        "README's *Real sign-in* section has an example.",
        icon=":material/lock:",
    )
    if session.demo_mode():
        st.caption(
            "The app runs in demo mode, but this database was not made by the demo, so the "
            "demo sign-in stays off. To try the demo school, start with an empty database file."
        )
    else:
        st.caption("To try the app with a made-up school instead, run `make run` (demo mode).")


def demo_sign_in() -> None:
    """Demo mode on the demo school: be anyone on its roster."""
    st.warning(
        "**Demo sign-in.** This is the demo school and the app runs in demo mode, so you can be "
        "anyone on its roster. A real school runs `make serve` with an `[auth]` table in "
        "`.streamlit/secrets.toml`.",
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
            label = f"{role.value.title()}: {md_short(first.name, 40)}"
            if col.button(label, use_container_width=True):
                st.session_state[session.DEMO_KEY] = first.email
                st.rerun()
    with st.form("demo_sign_in"):
        pick = st.selectbox(
            "Or anyone on the roster",
            people,
            format_func=lambda p: (
                f"{short(p.name)} ({p.role.value}, {short(p.department)}, {p.email})"
            ),
            index=None,
            placeholder="Type a name",
        )
        if st.form_submit_button("Sign in as this person") and pick:
            st.session_state[session.DEMO_KEY] = pick.email
            st.rerun()


def _demo_teacher(teachers):
    from pdcore.demo import DEMO_TEACHER

    return next((t for t in teachers if t.name == DEMO_TEACHER), teachers[0])


# Who is signed in, and Sign out, stay in view however long the navigation (an admin's runs
# past a laptop screen): the navigation scrolls on its own above them, and a long name takes
# one line, cut with an ellipsis (the page's heading and Home show more of it).
ACCOUNT_CSS = """<style>
[data-testid="stSidebarNav"] {max-height: calc(100vh - 17rem); overflow-y: auto;}
.st-key-account p {overflow-wrap: anywhere;}
.st-key-account strong {display: inline-block; max-width: 100%; vertical-align: bottom;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
</style>"""


def refused_screen() -> None:
    """Signed in, but turned away (not verified, another domain, not on the roster)."""
    st.title("PD Cohorts")
    st.error(session.refusal(session.signed_in_email() or ""), icon=":material/block:")
    st.button("Sign out", on_click=sign_out)


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
    demo_pick = session.sign_in() is session.SignIn.DEMO and not st.user.get("is_logged_in")
    if demo_pick and st.query_params.get(session.DEMO_PARAM) != email:
        st.query_params[session.DEMO_PARAM] = email  # demo only: a refresh keeps the pick
    con = session.connection()
    sync_schedule.start(con)  # the scheduled Sheets sync (a no-op until a sheet is set up)
    refused = session.refusal(email)
    if refused:
        st.navigation([st.Page(refused_screen, title="Sign in", icon=":material/block:")]).run()
        return
    me = roster.by_email(con, email)

    sections: dict[str, list] = {}
    for path, title, icon, roles, section in PAGES:
        if me.role in roles:
            sections.setdefault(section, []).append(st.Page(path, title=title, icon=icon))
    # A person's own work first: admins and coaches see their sections above "My learning".
    order = SECTION_ORDER[me.role]
    sections = dict(sorted(sections.items(), key=lambda kv: order.index(kv[0])))
    with st.sidebar, st.container(key="account"):
        st.html(ACCOUNT_CSS)
        st.markdown(
            f"**{md_short(me.name, 60)}**  \n{me.role.value.title()} · {md_short(me.department, 40)}"
        )
        if session.sign_in() is session.SignIn.DEMO:
            st.caption("Demo sign-in")
        st.button("Sign out", on_click=sign_out, icon=":material/logout:")
    st.navigation(sections, expanded=True).run()


try:
    main()
except db.DatabaseUnavailable as exc:  # a PostgreSQL server restarting: say so, retry on rerun
    st.error(md(str(exc)), icon=":material/cloud_off:")
    st.button("Try again", icon=":material/refresh:")
