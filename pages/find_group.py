"""Find a group: Find a cohort that fits who you want to work with or when you can meet, start one, or ask to be placed quietly."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("Find a group")
st.caption(
    "Find a cohort that fits who you want to work with or when you can meet, start one, or ask to be placed quietly."
)
empty_state("This page is being built.", "Check back soon.")
