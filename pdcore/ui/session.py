"""The cached database handle, how people sign in, who is signed in, and the page role check."""

from __future__ import annotations

import enum
import functools
import os
from pathlib import Path

import streamlit as st
from streamlit import config

from pdcore import db, demo, roster, settings, signin
from pdcore.model import Role, StaffMember
from pdcore.ui.text import md

DEMO_KEY = "demo_email"
# `make run` sets PDCORE_DEMO=1: the demo school and its "be anyone" sign-in are asked for,
# never a fallback.
DEMO_ENV = "PDCORE_DEMO"


class SignIn(enum.Enum):
    BROKEN = "broken"  # a secrets file cannot be used: nobody signs in
    REAL = "real"  # [auth] is complete: st.login
    DEMO = "demo"  # demo mode on the demo school, no [auth]: be anyone
    CLOSED = "closed"  # no [auth] and no demo: nobody signs in until an admin sets it up


def demo_mode() -> bool:
    """True when the app was started in demo mode (PDCORE_DEMO=1, as `make run` does)."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


DEMO_PARAM = "demo"  # demo sign-in only: the pick rides in the URL, so a refresh keeps it


@st.cache_resource(show_spinner="Opening the school's database...")
def _connection():
    con = db.connect(db.default_path())
    if demo_mode():
        demo.ensure_demo(con)  # only an empty database; a school's own data is never touched
    return con


def connection():
    """The process's one database connection (callers take a cursor per unit of work)."""
    try:
        return _connection()
    except db.DatabaseProblem as exc:  # busy or unreadable: one sentence, no traceback
        st.error(md(str(exc)))
        st.stop()


def data_version() -> tuple[int, ...]:
    """The cache key of the app's database: it moves on after every committed write (any
    app process's, on PostgreSQL)."""
    return db.data_version(connection())


@st.cache_resource(show_spinner=False)
def _demo_school() -> bool:
    return demo.is_demo(connection())


def demo_school() -> bool:
    """True when the open database is the demo school (the demo generated it)."""
    return _demo_school()


@functools.lru_cache(maxsize=8)
def _read_setup(files: tuple[tuple[str, int], ...]) -> signin.SignInSetup:
    return signin.read_setup(path for path, _ in files)


def secrets_files() -> list[str]:
    """Where Streamlit looks for secrets.toml (~/.streamlit, ./.streamlit, --secrets.files)."""
    return list(config.get_option("secrets.files"))


def setup() -> signin.SignInSetup:
    """The sign-in setup from the secrets files Streamlit reads (re-read when one changes)."""
    files = []
    for path in secrets_files():
        try:
            files.append((path, Path(path).stat().st_mtime_ns))
        except OSError:
            files.append((path, 0))
    return _read_setup(tuple(files))


def sign_in() -> SignIn:
    """How people sign in right now. Anything unreadable closes the door; demo only on request."""
    found = setup()
    if found.problem:
        return SignIn.BROKEN
    if found.real:
        return SignIn.REAL
    if demo_mode() and demo_school():
        return SignIn.DEMO
    return SignIn.CLOSED


def signed_in_email() -> str | None:
    """The address of whoever is signed in: st.user (real or test), else the demo pick."""
    mode = sign_in()
    if mode in (SignIn.BROKEN, SignIn.CLOSED):
        return None
    user = st.user
    if user.get("is_logged_in") and user.get("email"):
        return roster.normalize_email(user.get("email"))
    if mode is SignIn.DEMO:
        email = st.session_state.get(DEMO_KEY) or st.query_params.get(DEMO_PARAM)
        if email:
            st.session_state[DEMO_KEY] = roster.normalize_email(email)
        return st.session_state.get(DEMO_KEY)
    return None


def refusal(email: str) -> str:
    """Why the signed-in `email` may not come in, one sentence of markdown ('' when they may)."""
    shown = md(email)
    user = st.user
    if user.get("is_logged_in") and not signin.email_verified(user):
        return (
            f"Your sign-in provider has not verified {shown}. Verify the address with the "
            "provider (or ask your IT admin), then sign in again."
        )
    if sign_in() is SignIn.REAL:
        domain = settings.load(connection()).allowed_domain
        if not signin.in_domain(email, domain):
            return f"{shown} is not a {md(domain)} address. Sign in with your school account."
    me = roster.by_email(connection(), email)
    if me is None or not me.active:
        return (
            f"{shown} is not on the school's active roster. Ask an admin to add you "
            "(the roster is synced on the Data page)."
        )
    return ""


def current_user() -> StaffMember | None:
    """The signed-in person's roster entry, or None (also for anyone `refusal` turns away)."""
    email = signed_in_email()
    if not email or refusal(email):
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
