"""Watchlist: Staff who may be isolated, with the reason, and your follow-up log."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.COACH, Role.ADMIN)
st.title("Watchlist")
st.caption("Staff who may be isolated, with the reason, and your follow-up log.")
empty_state("This page is being built.", "Check back soon.")
