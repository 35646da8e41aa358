"""Staff development: Sign up for one of this week's staff-development options."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("Staff development")
st.caption("Sign up for one of this week's staff-development options.")
empty_state("This page is being built.", "Check back soon.")
