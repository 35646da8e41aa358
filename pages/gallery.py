"""What we learned: Reflections and share-outs colleagues chose to share with all staff."""

import streamlit as st

from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role()
st.title("What we learned")
st.caption("Reflections and share-outs colleagues chose to share with all staff.")
empty_state("This page is being built.", "Check back soon.")
