"""Small shared widgets: empty states and CSV downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st


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
