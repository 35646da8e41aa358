"""Settings: The school's season dates, cohort sizes, meeting slots and thresholds."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Settings")
st.caption("The school's season dates, cohort sizes, meeting slots and thresholds.")
empty_state("This page is being built.", "Check back soon.")
