"""Season feedback: Results of the end-of-season survey: value, obstacles, and the vote to continue."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Season feedback")
st.caption("Results of the end-of-season survey: value, obstacles, and the vote to continue.")
empty_state("This page is being built.", "Check back soon.")
