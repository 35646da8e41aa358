"""Topic demand: Survey demand per topic, write-ins to merge, and which topics are offered."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Topic demand")
st.caption("Survey demand per topic, write-ins to merge, and which topics are offered.")
empty_state("This page is being built.", "Check back soon.")
