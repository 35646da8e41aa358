"""Settings: the school's season dates, cohort sizes, meeting slots and thresholds."""

import pandas as pd
import streamlit as st

from pdcore import health, limits, roster, settings
from pdcore.model import PermissionDenied, Role, ValidationError
from pdcore.ui import session
from pdcore.ui.text import md

me = session.require_role(Role.ADMIN)
con = session.connection()
st.title("Settings")
st.caption("The school's season dates, cohort sizes, meeting slots and thresholds.")

if message := st.session_state.pop("settings_done", None):
    st.success(message, icon=":material/check_circle:")

s = settings.load(con)
WEIGHT_HELP = {
    "cadence": "Meetings held vs expected to date.",
    "attendance": "Member-meetings attended out of possible.",
    "size": "Inside the size bounds, scaled down by members who left.",
    "goal": "A goal set by the second meeting.",
    "evidence": "Reflections per meeting, or the final share-out.",
    "recency": "Days since the last meeting.",
    "school_day": "Share of meetings held in the school day (0 leaves it out).",
}

with st.form("settings"):
    st.subheader("Season")
    a, b, c = st.columns(3)
    season_start = a.date_input("Season starts", s.season_start, key="set_season_start")
    season_end = b.date_input("Season ends", s.season_end, key="set_season_end")
    survey_close = c.date_input(
        "Interest survey closes", s.survey_close, key="set_survey_close", help="Empty: never."
    )

    st.subheader("Cohorts")
    a, b, c, d = st.columns(4)
    min_size = a.number_input("Smallest cohort", 1, 50, s.min_size, key="set_min_size")
    ideal_min = b.number_input("Ideal from", 1, 50, s.ideal_min, key="set_ideal_min")
    ideal_max = c.number_input("Ideal up to", 1, 50, s.ideal_max, key="set_ideal_max")
    max_size = d.number_input("Largest cohort", 1, 50, s.max_size, key="set_max_size")
    a, b, c, d = st.columns(4)
    offer_threshold = a.number_input(
        "Offer a topic at (first choices)", 1, 500, s.offer_threshold, key="set_offer_threshold"
    )
    meetings_per_month = b.number_input(
        "Meetings a month", 1, 8, s.meetings_per_month, key="set_meetings_per_month"
    )
    meeting_minutes = c.number_input(
        "Minutes a meeting", 1, 480, s.meeting_minutes, key="set_meeting_minutes"
    )
    contact_hours_target = d.number_input(
        "Contact hours target",
        0.0,
        200.0,
        float(s.contact_hours_target),
        step=1.0,
        key="set_contact_hours",
        help="Research on PD effects puts the line near 14 hours; shown as information.",
    )
    session_minutes = st.number_input(
        "Minutes a staff-development session counts (PD hours)",
        1,
        480,
        s.session_minutes,
        key="set_session_minutes",
    )
    a, b, c = st.columns(3)
    unmatched_alert_days = a.number_input(
        "Watchlist: no group after (days into the season)",
        0,
        365,
        s.unmatched_alert_days,
        key="set_unmatched_alert_days",
    )
    sync_every_minutes = b.number_input(
        "Sync the Sheet every (minutes)", 1, 1440, s.sync_every_minutes, key="set_sync_every"
    )
    allowed_domain = c.text_input(
        "Allowed sign-in domain",
        s.allowed_domain,
        key="set_allowed_domain",
        help="e.g. school.org; empty allows any signed-in address.",
    )

    st.subheader("Cohort health")
    cols = st.columns(len(health.COMPONENTS))
    weights = {
        k: col.number_input(
            k.replace("_", " ").capitalize(),
            0.0,
            10.0,
            float(s.health_weights.get(k, 0.0)),
            step=0.05,
            key=f"set_weight_{k}",
            help=WEIGHT_HELP[k],
        )
        for k, col in zip(health.COMPONENTS, cols, strict=True)
    }
    a, b = st.columns(2)
    health_amber = a.number_input(
        "Amber from (score)", 0.0, 1.0, float(s.health_amber), step=0.05, key="set_amber"
    )
    health_green = b.number_input(
        "Green from (score)", 0.0, 1.0, float(s.health_green), step=0.05, key="set_green"
    )
    saved = st.form_submit_button("Save settings", type="primary", key="settings_save")

if saved:
    wanted = {
        "season_start": season_start,
        "season_end": season_end,
        "survey_close": survey_close,
        "min_size": int(min_size),
        "ideal_min": int(ideal_min),
        "ideal_max": int(ideal_max),
        "max_size": int(max_size),
        "offer_threshold": int(offer_threshold),
        "meetings_per_month": int(meetings_per_month),
        "meeting_minutes": int(meeting_minutes),
        "contact_hours_target": float(contact_hours_target),
        "session_minutes": int(session_minutes),
        "unmatched_alert_days": int(unmatched_alert_days),
        "sync_every_minutes": int(sync_every_minutes),
        "allowed_domain": allowed_domain.strip().lower().lstrip("@"),
        "health_weights": {k: round(float(w), 4) for k, w in weights.items() if w > 0},
        "health_amber": float(health_amber),
        "health_green": float(health_green),
    }
    changes = {k: v for k, v in wanted.items() if getattr(s, k) != v}
    try:
        if not wanted["health_weights"]:
            raise ValidationError("Give at least one health measure a weight above 0.")
        if changes:
            settings.save(con, me, **changes)
    except (ValueError, PermissionDenied) as exc:  # settings.validate's problems, or who
        st.error(md(str(exc)))
    else:
        done = f"Saved {len(changes)} change(s)." if changes else "Nothing changed."
        total = sum(wanted["health_weights"].values())
        if "health_weights" in changes and abs(total - 1) > 1e-6:
            # Weights are relative (health.assess divides by their total): say what they mean.
            shares = ", ".join(
                f"{k.replace('_', ' ')} {w / total:.0%}"
                for k, w in wanted["health_weights"].items()
            )
            done += (
                f" The health weights add up to {total:g}, so each counts as its share: {shares}."
            )
        st.session_state["settings_done"] = done
        st.rerun()

st.subheader("Meeting slots")
st.caption(
    "The times cohorts can meet. Tick the ones inside the school day (planning days, "
    "workdays, lunches): the health page shows how many meetings are held then."
)
slots = pd.DataFrame(
    [(x.id, x.label, x.in_school_day) for x in roster.slots(con)],
    columns=["id", "label", "in_school_day"],
)
edited = st.data_editor(
    slots,
    num_rows="dynamic",
    hide_index=True,
    disabled=["id"],
    column_config={
        "id": st.column_config.NumberColumn("id", help="Given when you save."),
        "label": st.column_config.TextColumn(
            "Slot", required=True, max_chars=limits.SLOT_LABEL_MAX
        ),
        "in_school_day": st.column_config.CheckboxColumn("In the school day", default=False),
    },
    key="slot_editor",
)
if st.button("Save slots", key="slots_save"):
    rows = [
        (None if pd.isna(r.id) else int(r.id), str(r.label or ""), bool(r.in_school_day))
        for r in edited.itertuples()
    ]
    try:
        n = settings.save_slots(con, me, rows)
    except (ValueError, PermissionDenied) as exc:
        st.error(md(str(exc)))
    else:
        st.session_state["settings_done"] = f"Saved {n} meeting slots."
        st.rerun()
