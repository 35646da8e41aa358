"""Small shared widgets: empty states, CSV downloads, and the outcome of an action."""

from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from pdcore.model import PermissionDenied, ValidationError
from pdcore.ui.text import md, short


def empty_state(message: str, hint: str = "") -> None:
    """Say plainly that there is nothing here yet, and what to do about it."""
    st.info(message + (f"\n\n{hint}" if hint else ""), icon=":material/info:")


def csv_download(frame: pd.DataFrame, filename: str, label: str = "Download CSV") -> None:
    """A download button for a table, with spreadsheet formulas made inert."""
    from pdcore.exports import to_csv_bytes

    st.download_button(
        # Deferred: the CSV is built only when someone clicks, not on every rerun of the page.
        label,
        lambda: to_csv_bytes(frame),
        file_name=filename,
        mime="text/csv",
        icon=":material/download:",
    )


_OUTCOME_OK, _OUTCOME_ERROR = "_outcome_ok", "_outcome_error"


def report(action, success) -> bool:
    """Run a write from a widget callback and keep its outcome for the page to show.

    `success` is the message (markdown: escape typed text in it with text.md), or a function
    of the action's result that builds it. A
    ValidationError or PermissionDenied becomes the error shown instead. Returns True when
    the action succeeded.
    """
    try:
        result = action()
    except (ValidationError, PermissionDenied) as exc:
        st.session_state[_OUTCOME_ERROR] = md(str(exc))  # core messages may quote typed text
        st.session_state.pop(_OUTCOME_OK, None)
        return False
    st.session_state[_OUTCOME_OK] = success(result) if callable(success) else success
    st.session_state.pop(_OUTCOME_ERROR, None)
    return True


def show_outcome() -> None:
    """Show (once) what the last reported action did."""
    if st.session_state.get(_OUTCOME_ERROR):
        st.error(st.session_state.pop(_OUTCOME_ERROR), icon=":material/error:")
    if st.session_state.get(_OUTCOME_OK):
        st.success(st.session_state.pop(_OUTCOME_OK), icon=":material/check_circle:")


def label_of(names: dict):
    """A selectbox format_func from an id -> label dict (a value it does not know shows as is)."""
    return lambda value: names.get(value, value)


def people_labels(people: pd.DataFrame) -> dict[int, str]:
    """staff_id -> name, with the email (or department) added where two share a name, so a
    person can always tell who is who."""
    extra = "email" if "email" in people.columns else "department"
    repeated = people["name"].duplicated(keep=False)
    return {
        sid: f"{short(name)} ({short(other)})" if twin else short(name)
        for sid, name, other, twin in zip(
            people["staff_id"], people["name"], people[extra], repeated, strict=True
        )
    }


def person_picker(people: pd.DataFrame, key: str) -> int | None:
    """Pick one person from a listed table (its staff_id and name columns)."""
    return st.selectbox(
        "Person",
        list(people["staff_id"]),
        index=None,
        format_func=label_of(people_labels(people)),
        placeholder="Pick someone from the list above",
        key=key,
    )


def web_link(label: str, url: str | None) -> None:
    """A button to a typed http(s) link (never a markdown link, so no text of it can inject)."""
    if url and urlparse(url).scheme.lower() in ("http", "https"):
        st.link_button(label, url, icon=":material/open_in_new:")
