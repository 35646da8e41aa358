"""My cohort: Your cohort's members, goal, meetings and reflections."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("My cohort")
st.caption("Your cohort's members, goal, meetings and reflections.")
empty_state("This page is being built.", "Check back soon.")
