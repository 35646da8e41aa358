"""Tables people read: `show(frame)` is st.dataframe with human headers, dates as dates, empty
cells blank (never "None") and whole-number percentages.

Pages pass their own `column_config` for what only they know (a width, a checkbox, a header
that needs words); anything they leave out gets a header made from the column's name.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

# Column names whose header is not just the name with spaces.
HEADERS = {
    "held_on": "Date",
    "in_school_day": "In the school day",
    "preferred_slots": "Times that suit them",
    "answered_survey": "Answered the survey",
    "asked_to_be_placed": "Asked to be placed",
    "place_me_note": "Their note (place me)",
    "mean_value": "Average value (1-5)",
    "continue_yes": "Would continue",
    "open_request": "Asking for coaching",
    "has_plan": "Has a plan",
    "has_coach": "Has a coach",
    "met_this_month": "Met this month",
    "days_open": "Days open",
    "contact_hours": "Contact h/member",
    "projected_hours": "Projected h",
    "email": "Email",
}
DATE_FORMAT = "MMM D, YYYY"
DATETIME_FORMAT = "MMM D, YYYY HH:mm"


def header(name: str) -> str:
    """'days_waiting' -> 'Days waiting' (or the HEADERS entry)."""
    text = HEADERS.get(name) or str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _when(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    moment = pd.Timestamp(value)
    text = f"{moment:%b} {moment.day}, {moment.year}"
    return text if moment == moment.normalize() else f"{text} {moment:%H:%M}"


def _is_dates(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    present = column.dropna()
    return (
        column.dtype == object
        and len(present) > 0
        and all(isinstance(v, date | datetime) for v in present)
    )


def readable(frame: pd.DataFrame, column_config: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """The frame made readable, and the column_config to show it with."""
    frame = frame.copy()
    given = dict(column_config or {})
    config: dict = {}
    for name in frame.columns:
        cfg = given.pop(name, None)
        if isinstance(cfg, str):
            cfg = {"label": cfg}
        cfg = dict(cfg) if cfg else {}
        label = header(cfg.get("label") or name)
        kind = (cfg.get("type_config") or {}).get("type")
        column = frame[name]
        fmt = (cfg.get("type_config") or {}).get("format")
        if fmt == "percent":  # "23.53%" -> "24%": shares are read at a glance
            frame[name] = (pd.to_numeric(column, errors="coerce") * 100).round()
            cfg["type_config"] = dict(cfg["type_config"], format="%d%%")
            if kind == "progress":
                cfg["type_config"].update(min_value=0, max_value=100)
        elif kind in (None, "date", "datetime") and _is_dates(column):
            stamps = pd.to_datetime(column)
            if stamps.isna().any():  # a blank, not "None": shown as text
                frame[name] = column.map(_when)
                cfg.pop("type_config", None)
            elif kind in ("date", "datetime") and not fmt:  # the page's column, our format
                cfg["type_config"] = dict(
                    cfg["type_config"], format=DATE_FORMAT if kind == "date" else DATETIME_FORMAT
                )
            elif kind is None:
                whole_days = bool((stamps == stamps.dt.normalize()).all())
                frame[name] = stamps
                made = (
                    st.column_config.DateColumn(format=DATE_FORMAT)
                    if whole_days
                    else st.column_config.DatetimeColumn(format=DATETIME_FORMAT)
                )
                cfg["type_config"] = made["type_config"]
        elif pd.api.types.is_bool_dtype(column) and kind is None:
            cfg["type_config"] = st.column_config.CheckboxColumn()["type_config"]
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            frame[name] = column.astype(object).where(column.notna(), "")
        elif column.isna().any() and pd.api.types.is_numeric_dtype(column) and kind is None:
            frame[name] = column.map(lambda v: "" if pd.isna(v) else f"{v:g}")
        cfg["label"] = label
        config[name] = cfg
    config.update(given)  # e.g. a config for the index
    return frame, config


def show(data, *, column_config: dict | None = None, hide_index: bool = True, **kwargs):
    """st.dataframe of a readable table (see `readable`); takes st.dataframe's arguments."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    frame, config = readable(frame, column_config)
    return st.dataframe(frame, column_config=config, hide_index=hide_index, **kwargs)
