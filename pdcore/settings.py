"""School settings: defaults a school can change, stored as JSON in the settings table."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

from pdcore import authz, clock, db, limits, seasons

DEFAULT_SLOTS: tuple[tuple[str, bool], ...] = (
    # (label, in the school day)
    ("Mon before school", False),
    ("Tue before school", False),
    ("Wed lunch", True),
    ("Thu lunch", True),
    ("Mon after school", False),
    ("Tue after school", False),
    ("Wed after school", False),
    ("Thu after school", False),
    ("Planning day", True),
    ("Teacher workday", True),
)

DEFAULT_HEALTH_WEIGHTS = {
    "cadence": 0.30,
    "attendance": 0.25,
    "size": 0.10,
    "goal": 0.15,
    "evidence": 0.10,
    "recency": 0.10,
}


def current_season(today: date) -> tuple[date, date]:
    """The November-April season of the school year that `today` falls in."""
    start_year = today.year if today.month >= 8 else today.year - 1
    return date(start_year, 11, 1), date(start_year + 1, 4, 30)


@dataclass(frozen=True)
class Settings:
    """Everything a school can tune. Dates are ISO strings in storage, `date` here."""

    season_start: date = field(default_factory=lambda: current_season(clock.today())[0])
    season_end: date = field(default_factory=lambda: current_season(clock.today())[1])
    survey_close: date | None = None
    min_size: int = 2
    max_size: int = 10
    ideal_min: int = 4
    ideal_max: int = 6
    meetings_per_month: int = 1
    meeting_minutes: int = 60
    offer_threshold: int = 4
    unmatched_alert_days: int = 14  # watchlist: no group this many days into the season
    contact_hours_target: float = 14.0
    session_minutes: int = 60  # one staff-development session, in PD hours records
    sync_every_minutes: int = 15
    allowed_domain: str = ""  # e.g. "school.org"; empty allows any signed-in address
    health_weights: dict = field(default_factory=lambda: dict(DEFAULT_HEALTH_WEIGHTS))
    health_amber: float = 0.5  # score below this is amber
    health_green: float = 0.75  # score at or above this is green
    column_map: dict = field(default_factory=dict)  # import header overrides
    # An import may deactivate at most the larger of these without an admin's confirmation.
    deactivate_limit_people: int = 10
    deactivate_limit_share: float = 0.05  # of the active staff
    # How a CSV file whose dates fit both orders (03/11/2026) is read: False = month-first.
    ambiguous_dates_day_first: bool = False
    write_in_max_chars: int = 100  # longest write-in topic a form answer may propose

    @property
    def school_year(self) -> str:
        """The school year label, e.g. '2026-27'."""
        return f"{self.season_start.year}-{str(self.season_start.year + 1)[-2:]}"


_DATE_FIELDS = {"season_start", "season_end", "survey_close"}


def _encode(name: str, value):
    if name in _DATE_FIELDS:
        return value.isoformat() if value else None
    return value


def _decode(name: str, value):
    if name in _DATE_FIELDS:
        return date.fromisoformat(value) if value else None
    return value


def load(con) -> Settings:
    """The school's settings: stored values over the defaults."""
    rows = db.read(con).execute("SELECT key, value FROM settings").fetchall()
    known = {f.name for f in fields(Settings)}
    stored = {k: _decode(k, json.loads(v)) for k, v in rows if k in known}
    return replace(Settings(), **{**stored, **_season_dates(con)})


def _season_dates(con) -> dict:
    """The current season's dates (the seasons table holds them; see pdcore.seasons), and
    the interest survey's close: next season's once it is open, else this season's."""
    season = seasons.current(con)
    if season is None:
        return {}
    survey = seasons.upcoming(con) or season
    return {
        "season_start": season.starts_on,
        "season_end": season.ends_on,
        "survey_close": survey.survey_close,
    }


@authz.write(authz.ADMIN)
def save(con, actor, **changes) -> Settings:
    """Store changed settings (validated) and return the new whole."""
    known = {f.name for f in fields(Settings)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    new = replace(load(con), **changes)
    problems = validate(new)
    if problems:
        raise ValueError(" ".join(problems))
    with db.transaction(con) as cur:
        for key, value in changes.items():
            cur.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(_encode(key, value))],
            )
        seasons.set_dates(cur, changes)
        db.audit(cur, actor.id, "settings.save", detail=json.dumps(sorted(changes)))
    return new


def validate(s: Settings) -> list[str]:
    """Plain-words problems with a settings value, empty when all is well."""
    problems = []
    if s.season_end <= s.season_start:
        problems.append("The season must end after it starts.")
    # Named as the Settings page names them, so the admin knows which box to change.
    sizes = [
        ("Smallest cohort", s.min_size),
        ("Ideal from", s.ideal_min),
        ("Ideal up to", s.ideal_max),
        ("Largest cohort", s.max_size),
    ]
    if s.min_size < 1:
        problems.append("'Smallest cohort' must be at least 1.")
    for (low_name, low), (high_name, high) in zip(sizes, sizes[1:], strict=False):
        if low > high:
            problems.append(f"'{high_name}' ({high}) must be at least '{low_name}' ({low}).")
    if s.offer_threshold < 1:
        problems.append("The offer threshold must be at least 1.")
    if not 1 <= s.session_minutes <= 480:
        problems.append("A staff-development session must last 1 to 480 minutes.")
    if s.meetings_per_month < 1 or s.meeting_minutes < 1:
        problems.append("Meetings per month and minutes per meeting must be positive.")
    if not (0 <= s.health_amber <= s.health_green <= 1):
        problems.append("Health thresholds must satisfy 0 <= amber <= green <= 1.")
    if s.deactivate_limit_people < 0 or not (0 <= s.deactivate_limit_share <= 1):
        problems.append(
            "The deactivation limit must be a number of people (0 or more) and a share "
            "between 0 and 1."
        )
    if s.write_in_max_chars < 10:
        problems.append("Write-in topics must be allowed at least 10 characters.")
    return problems


def deactivation_limit(s: Settings, active: int) -> int:
    """How many active staff one import may deactivate without an admin's confirmation."""
    return max(s.deactivate_limit_people, int(s.deactivate_limit_share * active))


def as_dict(s: Settings) -> dict:
    """Settings as plain JSON-able values (for display and export)."""
    return {k: _encode(k, v) for k, v in asdict(s).items()}


@authz.write(authz.ADMIN)
def save_slots(con, actor, slots: list[tuple[int | None, str, bool]]) -> int:
    """Replace the school's meeting-slot list with `slots` (id or None for a new one, label,
    in the school day), in the order given, in one transaction; returns how many there are.

    A slot that cohorts, meetings or availability still use cannot be removed (rename it).
    """
    from pdcore.model import ValidationError
    from pdcore.roster import slot_key

    clean = [(sid, " ".join((label or "").split()), bool(in_day)) for sid, label, in_day in slots]
    clean = [s for s in clean if s[1]]
    if not clean:
        raise ValidationError("Keep at least one meeting slot.")
    too_long = next((label for _, label, _ in clean if len(label) > limits.SLOT_LABEL_MAX), None)
    if too_long:
        raise ValidationError(
            f"A slot name can be at most {limits.SLOT_LABEL_MAX} characters; "
            f"shorten {too_long[:20]}... and save again."
        )
    keys = [slot_key(label) for _, label, _ in clean]
    if len(set(keys)) != len(keys):
        raise ValidationError("Two slots have the same name; give each slot its own name.")
    with db.transaction(con) as cur:
        existing = {
            r[0]: r[1] for r in cur.execute("SELECT id, label FROM meeting_slots").fetchall()
        }
        kept = {sid for sid, _, _ in clean if sid in existing}
        for sid in set(existing) - kept:
            used = cur.execute(
                "SELECT (SELECT count(*) FROM cohorts WHERE slot_id = $slot)"
                " + (SELECT count(*) FROM meetings WHERE slot_id = $slot)"
                " + (SELECT count(*) FROM availability WHERE slot_id = $slot)",
                {"slot": sid},
            ).fetchone()[0]
            if used:
                raise ValidationError(
                    f"{existing[sid]} is in use by cohorts or people's availability; "
                    "rename it instead of removing it."
                )
            cur.execute("DELETE FROM meeting_slots WHERE id = ?", [sid])
        # Labels are unique: park the kept ones on temporary names before renaming.
        for sid in kept:
            cur.execute("UPDATE meeting_slots SET label = ? WHERE id = ?", [f"__slot_{sid}", sid])
        next_id = max(existing, default=0) + 1
        for order, (sid, label, in_day) in enumerate(clean, start=1):
            if sid in kept:
                cur.execute(
                    "UPDATE meeting_slots SET label = ?, in_school_day = ?, sort_order = ? "
                    "WHERE id = ?",
                    [label, in_day, order, sid],
                )
            else:
                cur.execute(
                    "INSERT INTO meeting_slots (id, label, in_school_day, sort_order) "
                    "VALUES (?, ?, ?, ?)",
                    [next_id, label, in_day, order],
                )
                next_id += 1
        db.audit(cur, actor.id, "settings.slots", detail=json.dumps({"slots": len(clean)}))
    return len(clean)
