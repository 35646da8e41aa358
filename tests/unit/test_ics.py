"""The .ics calendar file: RFC 5545 text a calendar app can import."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from pdcore.meetings import (
    CalendarEvent,
    PlannedMeeting,
    _fold,
    ics_text,
    meeting_events,
    slot_start,
)

STAMP = datetime(2026, 11, 23, 14, 5, 9, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def unfold(text: str) -> list[str]:
    """Content lines as a calendar app reads them (continuations joined)."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def planned(id_=7, on=date(2026, 12, 2), label="Wed lunch", agenda="read", note="", minutes=60):
    return PlannedMeeting(id_, 3, on, 1, label, agenda, note, minutes)


def test_one_vevent_per_planned_meeting_at_school_time_in_utc_and_crlf():
    events = meeting_events(
        "Web Tools, Wed lunch",
        [
            planned(7),
            planned(8, on=date(2027, 1, 13), label="Thu after school", minutes=90),
            planned(9, on=date(2027, 4, 14), label="Wed after school"),
        ],
    )
    text = ics_text(events, stamp=STAMP, name="Web Tools, Wed lunch", zone=NEW_YORK)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF, no bare LF
    lines = unfold(text)
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 3 and lines.count("END:VEVENT") == 3
    assert "UID:pd-cohorts-meeting-7@pd-cohorts" in lines
    assert "UID:pd-cohorts-meeting-8@pd-cohorts" in lines
    assert lines.count("DTSTAMP:20261123T140509Z") == 3
    # The school's clock in UTC: 11:45 in New York in December is 16:45 UTC (EST, UTC-5)...
    assert "DTSTART:20261202T164500Z" in lines and "DTEND:20261202T174500Z" in lines
    assert "DTSTART:20270113T203000Z" in lines and "DTEND:20270113T220000Z" in lines
    # ... and 15:30 in April is 19:30 UTC (daylight saving time, UTC-4).
    assert "DTSTART:20270414T193000Z" in lines
    assert "X-WR-TIMEZONE:America/New_York" in lines
    assert "SUMMARY:Web Tools\\, Wed lunch: cohort meeting" in lines


def test_no_planned_meetings_is_still_a_valid_empty_calendar():
    lines = unfold(ics_text([], stamp=STAMP))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" not in lines


def test_text_is_escaped():
    event = CalendarEvent(
        "u1",
        datetime(2026, 12, 1, 7),
        datetime(2026, 12, 1, 8),
        "A; B, C\\D",
        "line one\nline two",
    )
    lines = unfold(ics_text([event], stamp=STAMP))
    assert "SUMMARY:A\\; B\\, C\\\\D" in lines
    assert "DESCRIPTION:line one\\nline two" in lines


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    note = "Lire le chapitre trois, préparer une leçon, échanger: " * 6
    event = CalendarEvent(
        "u2", datetime(2026, 12, 1, 7), datetime(2026, 12, 1, 8), "Cohort", description=note
    )
    text = ics_text([event], stamp=STAMP)
    for raw in text.split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75
    assert any(raw.startswith(" ") for raw in text.split("\r\n"))
    description = next(line for line in unfold(text) if line.startswith("DESCRIPTION:"))
    assert description == "DESCRIPTION:" + note.replace(",", "\\,")


@given(st.text(min_size=0, max_size=400))
def test_folding_round_trips_any_text(line):
    pieces = _fold(line)
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == line


def test_slot_times_come_from_the_slot_words():
    assert slot_start("Mon before school") == time(7, 0)
    assert slot_start("Thu lunch") == time(11, 45)
    assert slot_start("Wed after school") == time(15, 30)
    assert slot_start("Planning day") == time(13, 0)
    assert slot_start("") == time(15, 30)
