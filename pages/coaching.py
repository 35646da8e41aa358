"""Coaching: Growth plans to claim, your caseload, and one-on-one coaching logs."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.COACH, Role.ADMIN)
st.title("Coaching")
st.caption("Growth plans to claim, your caseload, and one-on-one coaching logs.")
empty_state("This page is being built.", "Check back soon.")
