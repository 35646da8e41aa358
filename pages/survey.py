"""Interest survey: Rank up to three topics you want to learn about this year, or write in your own."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("Interest survey")
st.caption("Rank up to three topics you want to learn about this year, or write in your own.")
empty_state("This page is being built.", "Check back soon.")
