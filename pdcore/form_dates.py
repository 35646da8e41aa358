"""Form timestamps as Google writes them, read into the school's time zone.

Google Forms' CSV download writes `2026/11/18 7:52:14 AM GMT-5`; a response Sheet shows the
spreadsheet locale's format (`11/18/2026 7:52:14` in en_US, `18/11/2026 07:52:14` in en_GB,
`18.11.2026 07:52:14` in de_DE, `2026-11-18 07:52:14` in sv_SE); a program may write ISO.
A year-first date is never ambiguous. For the others the order is declared by the caller: a
Sheet's locale decides it, and for a CSV file `file_order` reads the dates themselves (a 13th
or later in the first position can only be day-first).

Times are stored naive in the school's zone (pdcore.clock): a time with an offset, or from a
spreadsheet whose time zone is known, is converted to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pdcore import clock

# Sheets locales that write dates month-first (every other locale writes them day-first or
# year-first).
MONTH_FIRST_LOCALES = frozenset({"en_US", "es_US", "en_PH", "fil_PH"})

_DATE = re.compile(
    r"(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})\.?"
    r"(?:[ T,]+(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[AaPp])\.?\s*[Mm]\.?)?)?"
    r"(?:\s*(?:GMT|UTC)\s*(?P<off>[+-]\d{1,2})(?::?(?P<offm>\d{2}))?)?"
)


@dataclass(frozen=True)
class FileOrder:
    """How a file writes its dates: day-first or not, and whether the file alone said so."""

    day_first: bool
    ambiguous: bool  # every date fitted both orders; the setting decided
    example: str = ""


class MixedDates(ValueError):
    """The file holds dates that can only be month-first and others only day-first."""


def locale_day_first(locale: str) -> bool:
    """True when a Sheets locale (e.g. 'en_GB') writes dates day-first."""
    return bool(locale) and locale not in MONTH_FIRST_LOCALES


def zone(name: str) -> tzinfo | None:
    """The time zone an IANA name (a spreadsheet's timeZone) means; None when unknown."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _parts(text: str):
    m = _DATE.fullmatch(text.strip())
    if not m or (len(m["a"]) != 4 and len(m["c"]) != 4):
        return None
    return m


def file_order(texts: Iterable[tuple[int, str]], ambiguous_day_first: bool) -> FileOrder:
    """The date order of a file from its (row, timestamp) cells; MixedDates when it has both."""
    day_row = month_row = None
    example = ""
    for row, text in texts:
        m = _parts(text or "")
        if m is None or len(m["a"]) == 4:
            continue
        a, b = int(m["a"]), int(m["b"])
        example = example or text.strip()
        if a > 12 and day_row is None:
            day_row = row
        if b > 12 and month_row is None:
            month_row = row
    if day_row and month_row:
        raise MixedDates(
            f"The dates mix month-first (row {month_row}) and day-first (row {day_row}) orders"
        )
    if day_row:
        return FileOrder(True, False)
    if month_row:
        return FileOrder(False, False)
    return FileOrder(ambiguous_day_first, bool(example), example)


def parse(
    text: str,
    day_first: bool = False,
    source_zone: tzinfo | None = None,
    school_zone: tzinfo | None = None,
) -> datetime | None:
    """A timestamp in the school's zone (naive), or None when `text` is not one.

    `source_zone` is the zone a time without an offset was written in (a spreadsheet's
    timeZone); None means the school's own. `school_zone` defaults to clock's (pass it when
    parsing many).
    """
    text = (text or "").strip()
    if not text:
        return None
    m = _parts(text)
    if m is None:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        if len(m["a"]) == 4:
            year, month, day = int(m["a"]), int(m["b"]), int(m["c"])
        else:
            a, b, year = int(m["a"]), int(m["b"]), int(m["c"])
            month, day = (b, a) if day_first else (a, b)
        hour, minute, second = int(m["h"] or 0), int(m["m"] or 0), int(m["s"] or 0)
        if m["ampm"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
        try:
            when = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        if m["off"]:
            sign = -1 if m["off"].startswith("-") else 1
            offset = timedelta(hours=abs(int(m["off"])), minutes=int(m["offm"] or 0))
            when = when.replace(tzinfo=timezone(sign * offset))
    if when.tzinfo is None and source_zone is not None:
        when = when.replace(tzinfo=source_zone)
    if when.tzinfo is not None:
        when = when.astimezone(school_zone or clock.school_timezone()).replace(tzinfo=None)
    return when.replace(microsecond=0)
