"""Unmatched staff: Active staff with no cohort and no individual project, and what to do for each."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Unmatched staff")
st.caption("Active staff with no cohort and no individual project, and what to do for each.")
empty_state("This page is being built.", "Check back soon.")
