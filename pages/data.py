"""Data and sync: Sync the roster and survey answers from Google Sheets or files, and export results."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Data and sync")
st.caption("Sync the roster and survey answers from Google Sheets or files, and export results.")
empty_state("This page is being built.", "Check back soon.")
