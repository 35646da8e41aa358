"""Growth plan: Your professional growth plan, your coach, and one-on-one coaching."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("Growth plan")
st.caption("Your professional growth plan, your coach, and one-on-one coaching.")
empty_state("This page is being built.", "Check back soon.")
