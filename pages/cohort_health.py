"""Cohort health: One row per cohort: cadence, attendance, goals, evidence and contact hours."""

import streamlit as st

from pdcore.model import Role
from pdcore.ui import session
from pdcore.ui.widgets import empty_state

me = session.require_role(Role.ADMIN)
st.title("Cohort health")
st.caption("One row per cohort: cadence, attendance, goals, evidence and contact hours.")
empty_state("This page is being built.", "Check back soon.")
