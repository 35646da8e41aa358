"""Plan sessions: Publish staff-development options, see sign-ups, and mark attendance."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.COACH, Role.ADMIN)
st.title("Plan sessions")
st.caption("Publish staff-development options, see sign-ups, and mark attendance.")
empty_state("This page is being built.", "Check back soon.")
