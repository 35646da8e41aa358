"""Tables and charts people read: human headers, dates as dates, blanks, whole labels."""

from datetime import date

import pandas as pd
import streamlit as st

from pdcore.ui import charts, tables


def test_a_table_gets_human_headers_dates_blanks_and_whole_percentages():
    frame = pd.DataFrame(
        {
            "last_contact": [pd.Timestamp("2026-11-07"), pd.NaT],
            "held_on": [date(2026, 11, 7), date(2026, 11, 9)],
            "days_waiting": [3, 40],
            "note": ["Call back", None],
            "continue_yes": [0.2353, 0.5],
        }
    )
    shown, config = tables.readable(
        frame, {"continue_yes": st.column_config.NumberColumn(format="percent")}
    )
    labels = {name: cfg["label"] for name, cfg in config.items()}
    assert labels == {
        "last_contact": "Last contact",
        "held_on": "Date",
        "days_waiting": "Days waiting",
        "note": "Note",
        "continue_yes": "Would continue",
    }
    assert shown["last_contact"].tolist() == ["Nov 7, 2026", ""]  # a blank, never "None"
    assert config["held_on"]["type_config"] == {
        **config["held_on"]["type_config"],
        "type": "date",
        "format": "MMM D, YYYY",
    }
    assert shown["note"].tolist() == ["Call back", ""]
    assert shown["continue_yes"].tolist() == [24, 50]
    assert config["continue_yes"]["type_config"]["format"] == "%d%%"


def test_charts_never_cut_a_label_and_the_heatmap_labels_every_stage():
    table = pd.DataFrame(
        {
            "topic": ["Google Certification Level 1", "Google Certification Level 2"],
            "people": [4, 5],
        }
    )
    for stage in ("a", "b", "c", "d", "e"):
        table[stage] = 0.5
    spec = charts.to_spec(charts.share_heatmap(table, "topic", list("abcde")))
    assert spec["config"]["axis"]["labelLimit"] == 0
    x_axes = [layer["encoding"]["x"]["axis"] for layer in spec["layer"] if "x" in layer["encoding"]]
    assert all(axis["labelOverlap"] is False for axis in x_axes)


def test_a_pages_own_date_column_reads_as_a_date_too():
    frame = pd.DataFrame({"held_on": [pd.Timestamp("2026-12-01")]})
    _, config = tables.readable(frame, {"held_on": st.column_config.DateColumn("Date")})
    assert config["held_on"]["type_config"]["format"] == "MMM D, YYYY"
