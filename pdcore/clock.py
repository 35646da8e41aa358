"""The one clock: today, now, and the school's time zone.

Nothing else in the product reads the wall clock, so every rule can be tried on any date:
tests call `set_today` / `frozen`, and a server under test is started with
`PDCORE_TODAY=2027-04-20` (a date, or an ISO date-time) in its environment.
The school's zone is `PDCORE_TIMEZONE` (an IANA name such as "America/New_York"), else the
machine's own zone. Times are stored naive, in the school's zone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_fixed: datetime | None = None


class ClockConfigError(ValueError):
    """PDCORE_TODAY or PDCORE_TIMEZONE cannot be read."""


def school_timezone() -> tzinfo:
    """The school's time zone (PDCORE_TIMEZONE, else the machine's local zone)."""
    name = os.environ.get("PDCORE_TIMEZONE", "").strip()
    if not name:
        return datetime.now().astimezone().tzinfo  # the machine's zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockConfigError(
            f"PDCORE_TIMEZONE={name!r} is not a time zone name (try 'America/New_York')."
        ) from exc


def localize(naive: datetime) -> datetime:
    """A naive school-time moment made aware, with the daylight-saving rule of its own date
    (the machine's zone fixes today's offset, so it asks the system for that date instead)."""
    if not os.environ.get("PDCORE_TIMEZONE", "").strip():
        return naive.astimezone()
    return naive.replace(tzinfo=school_timezone())


def _from_environment() -> datetime | None:
    text = os.environ.get("PDCORE_TODAY", "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ClockConfigError(
            f"PDCORE_TODAY={text!r} is not a date (write it as 2027-04-20)."
        ) from exc
    if "T" not in text and " " not in text:
        when = datetime.combine(when.date(), time(9, 0))  # a date alone: a school morning
    return when.replace(tzinfo=None)


def now() -> datetime:
    """The school's wall-clock time, naive, to the second."""
    fixed = _fixed or _from_environment()
    if fixed is not None:
        return fixed
    return datetime.now(UTC).astimezone(school_timezone()).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """The school's date."""
    return now().date()


def utc_now() -> datetime:
    """Now as an aware UTC time (for stamps other programs read, such as .ics DTSTAMP)."""
    return now().replace(tzinfo=school_timezone()).astimezone(UTC)


def set_now(when: datetime | date | None) -> None:
    """Fix the clock (a date means 09:00 that day); None lets it run again. For tests."""
    global _fixed
    if isinstance(when, date) and not isinstance(when, datetime):
        when = datetime.combine(when, time(9, 0))
    _fixed = when


@contextlib.contextmanager
def frozen(when: datetime | date) -> Iterator[None]:
    """Run a block with the clock fixed at `when`."""
    before = _fixed
    set_now(when)
    try:
        yield
    finally:
        set_now(before)
