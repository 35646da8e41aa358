"""The cached database handle, who is signed in, and the role check every page makes."""

from __future__ import annotations

import streamlit as st

from pdcore import db, demo, roster
from pdcore.model import Role, StaffMember

DEMO_KEY = "demo_email"
DEMO_PARAM = "demo"  # demo sign-in only: the pick rides in the URL, so a refresh keeps it


@st.cache_resource(show_spinner="Opening the school's database...")
def _connection():
    con = db.connect(db.default_path())
    demo.ensure_demo(con)
    return con


def connection():
    """The process's one database connection (callers take a cursor per unit of work)."""
    try:
        return _connection()
    except db.DatabaseBusy as exc:
        st.error(str(exc))
        st.stop()


def auth_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section: real sign-in with st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def signed_in_email() -> str | None:
    """The address of whoever is signed in: st.user (real or test), else the demo pick."""
    user = st.user
    if user.get("is_logged_in") and user.get("email"):
        return roster.normalize_email(user.get("email"))
    if not auth_configured():
        email = st.session_state.get(DEMO_KEY) or st.query_params.get(DEMO_PARAM)
        if email:
            st.session_state[DEMO_KEY] = roster.normalize_email(email)
        return st.session_state.get(DEMO_KEY)
    return None


def current_user() -> StaffMember | None:
    """The signed-in person's roster entry, or None."""
    email = signed_in_email()
    if not email:
        return None
    return roster.by_email(connection(), email)


def require_role(*roles: Role) -> StaffMember:
    """Stop the page with a refusal unless the signed-in person has one of `roles`.

    Navigation already hides pages a role may not use; this check is for a forged URL.
    """
    me = current_user()
    if me is None:
        st.warning("Please sign in first.")
        st.stop()
    if roles and me.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        st.error(f"This page is for {allowed}s. You are signed in as a {me.role.value}.")
        st.stop()
    return me


def require_any() -> StaffMember:
    """Any signed-in person on the roster."""
    return require_role()
