"""What we learned: reflections and share-outs colleagues chose to share with all staff."""

import altair as alt
import pandas as pd
import streamlit as st

from pdcore import meetings
from pdcore.ui import charts, session
from pdcore.ui.text import md
from pdcore.ui.widgets import empty_state, web_link

me = session.require_role()
st.title("What we learned")
st.caption("Reflections and share-outs colleagues chose to share with all staff.")

PAGE_SIZE = 30


@st.cache_data(show_spinner=False)
def _gallery(version: int) -> pd.DataFrame:
    return meetings.gallery(session.connection())


shared = _gallery(session.data_version())
if shared.empty:
    empty_state(
        "Nothing shared with all staff yet.",
        "Add a reflection on My cohort and choose 'All staff' to start the gallery.",
    )
    st.stop()

counts = shared.groupby("topic", as_index=False).size().rename(columns={"size": "shared"})
chart = (
    alt.Chart(counts)
    .mark_bar()
    .encode(
        x=alt.X("shared:Q", title="Reflections shared", axis=charts.COUNT_AXIS),
        y=alt.Y("topic:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=["topic", "shared"],
    )
)
st.altair_chart(
    chart + chart.mark_text(align="left", dx=3).encode(text="shared:Q"), width="stretch"
)

topic_names = dict(zip(shared["topic_id"], shared["topic"], strict=False))
topic = st.selectbox(
    "Topic",
    [None, *sorted(topic_names, key=topic_names.get)],
    format_func=lambda t: "All topics" if t is None else topic_names[t],
    key="gallery_topic",
)
shown = shared if topic is None else shared[shared["topic_id"] == topic]
st.caption(f"{len(shown)} reflection{'s' if len(shown) != 1 else ''}, share-outs first.")
for r in shown.head(PAGE_SIZE).itertuples():
    with st.container(border=True):
        st.markdown(md(r.text, lines=True))
        st.caption(
            f"{md(r.author)} · {md(r.cohort)} · {md(r.topic)} · {r.created_at:%b} {r.created_at.day}"
            + (" · final share-out" if r.is_shareout else "")
        )
        if r.link:
            web_link("Watch or open the share-out", r.link)
if len(shown) > PAGE_SIZE:
    st.caption(f"Showing the newest {PAGE_SIZE}; pick a topic to narrow the list.")
