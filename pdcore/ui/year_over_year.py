"""The year-over-year section of a dashboard: this season beside the last ones."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pdcore.ui import charts, tables


def spec_for(frame: pd.DataFrame, value: str, title: str, fmt: str = "") -> dict | None:
    """The cached chart spec for a per-season table (None when there is no season)."""
    return charts.to_spec(charts.seasons_chart(frame, value, title, fmt)) if len(frame) else None


def show(frame: pd.DataFrame, spec: dict | None, key: str, columns: dict) -> None:
    """A heading, the chart, and the numbers behind it (`columns`: name -> header)."""
    st.subheader("Year over year")
    if len(frame) < 2:
        st.caption("Last season appears here beside this one once a season has closed.")
    charts.render(spec, key=key)
    tables.show(frame[["season", *columns]], column_config={"season": "Season", **columns})
