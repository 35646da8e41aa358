"""Pick a topic: See the offered topics, how many colleagues chose each, and their cohorts with open seats."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("Pick a topic")
st.caption(
    "See the offered topics, how many colleagues chose each, and their cohorts with open seats."
)
empty_state("This page is being built.", "Check back soon.")
