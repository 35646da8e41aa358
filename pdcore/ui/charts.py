"""Altair chart builders shared by the dashboards, and a cheap way to draw them.

Building an Altair chart and turning it into a Vega-Lite spec costs about 17 ms per rerun, so
pages cache the spec (`to_spec(chart)`, keyed on pdcore.ui.session.data_version()) and draw it with
`render(spec)`. Every builder takes a small, already-summarised table: the charts never carry
one mark per person, so they stay small at 50,000 staff.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

# Counts of people or cohorts: whole-number ticks only (no "0.2 people").
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)

LIGHT_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
VOTE_COLORS = {"yes": "#2e7d32", "unsure": "#9e9e9e", "no": "#c62828"}


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """A chart as a Vega-Lite spec whose datasets are already Arrow bytes: cache this, so a
    rerun neither rebuilds the chart nor converts its data again."""
    spec = whole_labels(chart).to_dict()
    spec["datasets"] = {
        name: dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(rows))
        for name, rows in spec.get("datasets", {}).items()
    }
    return spec


def whole_labels(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Axis labels in full: Vega-Lite cuts them at 180 px, so two long topic names that
    start alike ("Google Certification Level 1" and "... Level 2") would read the same."""
    return chart.configure_axis(labelLimit=0)


def render(spec: dict | None, key: str | None = None) -> None:
    """Draw a cached spec (from to_spec) at the container's width."""
    if spec:
        # Streamlit moves the datasets out of the dict it is given: give it a shallow copy.
        st.vega_lite_chart(dict(spec), width="stretch", key=key)


def _bar_with_labels(bars: alt.Chart, text_field: str, fmt: str = "") -> alt.LayerChart:
    labels = bars.mark_text(align="left", dx=3, color="#444").encode(
        text=alt.Text(text_field, format=fmt) if fmt else alt.Text(text_field)
    )
    return bars + labels


def funnel_chart(funnel: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars, one per stage top to bottom, labelled with people and share."""
    data = funnel.assign(
        label=[f"{p} ({s:.0%})" for p, s in zip(funnel.people, funnel.share, strict=True)]
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color="#1565c0")
        .encode(
            y=alt.Y("stage:N", sort=list(funnel.stage), title=None),
            x=alt.X("people:Q", title="People", axis=COUNT_AXIS),
            tooltip=["stage", "people", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    return _bar_with_labels(bars, "label").properties(height=alt.Step(28))


def share_heatmap(table: pd.DataFrame, column: str, stages: list[str]) -> alt.LayerChart:
    """Groups (rows) by stages (columns), coloured and labelled by the share at each stage."""
    long = table.melt(
        id_vars=[column, "people"], value_vars=stages, var_name="stage", value_name="share"
    )
    base = alt.Chart(long).encode(
        y=alt.Y(f"{column}:N", sort=list(table[column]), title=None),
        # Every stage labelled (Vega-Lite drops labels it thinks overlap).
        x=alt.X(
            "stage:N", sort=stages, title=None, axis=alt.Axis(labelAngle=-30, labelOverlap=False)
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), legend=None),
        tooltip=[column, "stage", "people", alt.Tooltip("share:Q", format=".0%")],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition("datum.share > 0.6", alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(height=alt.Step(24))


def demand_chart(demand: pd.DataFrame, threshold: int) -> alt.LayerChart:
    """Per topic: first-choice bars over any-rank bars, with the offer threshold as a line."""
    order = list(demand.topic)
    long = demand.melt(
        id_vars=["topic", "offered"],
        value_vars=["any_rank", "first_choice"],
        var_name="measure",
        value_name="people",
    )
    long["measure"] = long["measure"].map({"any_rank": "any rank", "first_choice": "first choice"})
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("topic:N", sort=order, title=None),
            x=alt.X("people:Q", title="People", stack=None, axis=COUNT_AXIS),
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=["any rank", "first choice"], range=["#90caf9", "#1565c0"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["topic", "measure", "people", "offered"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [threshold]}))
        .mark_rule(color="#c62828", strokeDash=[4, 3])
        .encode(x="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", title="offer threshold")])
    )
    return (bars + rule).properties(height=alt.Step(22))


def lights_by_topic_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: cohorts per topic by traffic light (summarised, one bar per topic)."""
    counts = frame.groupby(["topic", "light"]).size().reset_index(name="cohorts")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("topic:N", title=None, sort="-x"),
            x=alt.X("cohorts:Q", title="Cohorts", axis=COUNT_AXIS),
            color=alt.Color(
                "light:N",
                scale=alt.Scale(domain=list(LIGHT_COLORS), range=list(LIGHT_COLORS.values())),
                # Beside the bars: under them it starts after the long topic names and is cut.
                legend=alt.Legend(orient="right", title=None),
            ),
            order=alt.Order("light:N"),
            tooltip=["topic", "light", "cohorts"],
        )
        .properties(height=alt.Step(22))
    )


def counts_chart(
    table: pd.DataFrame,
    category: str,
    value: str,
    colors: dict | None = None,
    sort: list | None = None,
) -> alt.LayerChart:
    """Simple labelled horizontal bars (votes, obstacles, values)."""
    color = (
        alt.Color(
            f"{category}:N",
            scale=alt.Scale(domain=list(colors), range=list(colors.values())),
            legend=None,
        )
        if colors
        else alt.value("#1565c0")
    )
    bars = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=sort or "-x", title=None),
            x=alt.X(f"{value}:Q", title=value.replace("_", " ").capitalize(), axis=COUNT_AXIS),
            color=color,
            tooltip=list(table.columns),
        )
    )
    return _bar_with_labels(bars, value).properties(height=alt.Step(24))


def seasons_chart(frame: pd.DataFrame, value: str, title: str, fmt: str = "") -> alt.LayerChart:
    """One bar per season, oldest to newest (this season last, in a stronger colour), labelled:
    the year-over-year view a council reads before voting to keep refining."""
    last = frame["season"].iloc[-1] if len(frame) else None
    data = frame.assign(this=frame["season"] == last)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("season:N", sort=list(frame["season"]), title=None),
            x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=fmt) if fmt else alt.Axis()),
            color=alt.condition("datum.this", alt.value("#1565c0"), alt.value("#90a4ae")),
            tooltip=["season", alt.Tooltip(f"{value}:Q", format=fmt) if fmt else value],
        )
        .properties(height=40 + 28 * len(frame))
    )
    return _bar_with_labels(bars, value, fmt)
