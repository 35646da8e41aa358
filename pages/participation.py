"""Participation: Who is in, who is not: the participation funnel by department and topic."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Participation")
st.caption("Who is in, who is not: the participation funnel by department and topic.")
empty_state("This page is being built.", "Check back soon.")
