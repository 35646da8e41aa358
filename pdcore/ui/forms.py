"""Forms that start fresh after a successful submit and keep what was typed after a refusal.

A form's widgets take their starting values from session state (no `value=`), set here:
once when the form first shows, and again on the run after `clear(name)`. Setting a widget's
value before it is drawn is the one way Streamlit resets what the browser shows.
"""

from __future__ import annotations

import streamlit as st

_CLEAR = "_clear_form_{}"


def start(name: str, defaults: dict) -> None:
    """Give the form `name` its starting values (widget key -> value), unless it holds
    values the person is still working on."""
    fresh = st.session_state.pop(_CLEAR.format(name), False)
    for key, value in defaults.items():
        if fresh or key not in st.session_state:
            st.session_state[key] = value


def clear(name: str) -> None:
    """Empty the form `name` on the next run (call after its submit succeeded)."""
    st.session_state[_CLEAR.format(name)] = True
