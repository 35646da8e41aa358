"""Imports: roster and form-response rows (from a CSV file or a Google Sheet) -> validated
records and a list of problems -> one transaction that upserts them.

Two kinds of bad input. A whole-source problem (a missing or duplicated column, an empty
sheet, a file that is not CSV, a sheet that cannot be read) raises SourceProblem before
anything is written: one sentence saying what is wrong and what to do. A row problem (a bad
email, an unknown role, a colleague not on the roster) skips that row or value and is listed
as `row 6, Email Address: 'not-an-email' is not an email address`, with the row number as
the sheet shows it (the header is row 1); the rest imports.

Every import is one transaction and idempotent (a second run changes nothing), and every
run, ok, held or failed, is logged in sync_runs with who was added, changed and deactivated.
A person missing from the roster is deactivated, never deleted, and a roster can only shrink
the school on purpose: more deactivations than settings.deactivation_limit, or any skipped
roster row (the skipped person may be the one "missing"), hold them for an admin to confirm.
A missing cell (a short CSV row, a column the source lacks) keeps what is on file. When one
person submitted the form several times, the latest timestamp wins, also against an answer
given in the app since. CSV imports, syncs and pushes take IMPORT_LOCK: one at a time.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path

import pandas as pd

from pdcore import authz, clock, db, form_dates, roster, settings, topics
from pdcore.model import StaffMember, ValidationError

# field -> (default header, required). Headers match ignoring case and surrounding spaces;
# settings.column_map["roster"] / ["responses"] maps a field to the school's own header.
ROSTER_FIELDS: dict[str, tuple[str, bool]] = {
    "email": ("Email", True),
    "name": ("Name", True),
    "department": ("Department", False),
    "role": ("Role", False),
    "active": ("Active", False),
    "school": ("School", False),
}
RESPONSE_FIELDS: dict[str, tuple[str, bool]] = {
    "timestamp": ("Timestamp", True),
    "email": ("Email Address", True),
    "first_choice": ("First choice", True),
    "second_choice": ("Second choice", False),
    "third_choice": ("Third choice", False),
    "other_topic": ("Other topic", False),
    "mode": ("How I want to learn", False),
    "priority": ("What matters more", False),
    "slots": ("When I can meet", False),
    "colleagues": ("Colleagues I'd like to work with", False),
    "dept_pref": ("Department preference", False),
}

# The form's options, compared on letters and digits only ("Expert-led" == "expert led").
MODE_OPTIONS = {
    "cohort": "cohort",
    "individualproject": "individual",
    "individual": "individual",
    "expertled": "expert",
    "expert": "expert",
}
PRIORITY_OPTIONS = {"whoiworkwith": "who", "who": "who", "whenwemeet": "when", "when": "when"}
DEPT_OPTIONS = {
    "samedepartment": "same",
    "same": "same",
    "mixofdepartments": "mix",
    "mix": "mix",
    "nopreference": "none",
    "none": "none",
}
ROLE_OPTIONS = {"teacher": "teacher", "coach": "coach", "admin": "admin"}
YES = {"yes", "y", "true", "1", "active", "x"}
NO = {"no", "n", "false", "0", "inactive", "left"}

EXPORTS = ("cohorts", "unmatched", "health", "participation")

# Free-text answers that mean "no answer".
NO_ANSWER = {"na", "n/a", "n.a.", "none", "-", "--", "nil", "no answer", "nothing"}
# A quoted CSV cell may span a few lines (a paragraph answer); more is a missing quote.
MAX_CELL_LINES = 10
# A form-responses source far shorter than the last sync's is the wrong sheet or a filter.
SHRINK_RATIO = 0.5

_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
# One writer at a time in this process: a CSV import, a sync (scheduled or "Sync now") and a
# push each hold it from their first read to their commit, so none undoes another's change.
IMPORT_LOCK = threading.Lock()
LOCK_WAIT_SECONDS = 60.0


class SourceProblem(ValidationError):
    """The whole source is unusable; nothing was written. The message says what to do."""


class ShrinkHeld(SourceProblem):
    """The import would deactivate more people than the limit; nothing was written until an
    admin confirms. `people` is who would go, as (email, name)."""

    def __init__(self, message: str, people: list[tuple[str, str]]):
        super().__init__(message)
        self.people = people


@contextmanager
def one_writer(what: str = "import") -> Iterator[None]:
    """Hold IMPORT_LOCK (waiting a while for another import, sync or push to finish)."""
    if not IMPORT_LOCK.acquire(timeout=LOCK_WAIT_SECONDS):
        raise SourceProblem(
            f"Another import, sync or push is still running, so this {what} did not start: "
            "try again in a minute."
        )
    try:
        yield
    finally:
        IMPORT_LOCK.release()


@dataclass(frozen=True)
class Problem:
    """One skipped row or value, located as the sheet shows it."""

    row: int
    column: str
    message: str
    source: str = ""  # 'roster' or 'responses'

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class Counts:
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    # Who, for the roster: names, and "Name (department Math -> Science)" for a change.
    added_people: list[str] = field(default_factory=list)
    changed_people: list[str] = field(default_factory=list)
    deactivated_people: list[str] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # (email, name) not deactivated


def _names(people: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(people[:limit])
    return shown + (f" and {len(people) - limit} more" if len(people) > limit else "")


@dataclass
class ImportResult:
    """What one import did: counts (per source and in all), problems and notes."""

    run_id: int
    source: str
    roster: Counts | None
    responses: Counts | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _total(self, name: str) -> int:
        return sum(getattr(c, name) for c in (self.roster, self.responses) if c)

    @property
    def rows_read(self) -> int:
        return self._total("rows_read")

    @property
    def added(self) -> int:
        return self._total("added")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def deactivated(self) -> int:
        return self._total("deactivated")

    def summary(self) -> str:
        """One line: rows read, added, updated, unchanged, deactivated, problems."""
        parts = []
        for label, c in (("roster", self.roster), ("responses", self.responses)):
            if c:
                text = (
                    f"{label}: {c.rows_read} rows read, {c.added} added, {c.updated} updated, "
                    f"{c.unchanged} unchanged"
                )
                if label == "roster":
                    text += f", {c.deactivated} deactivated"
                parts.append(text)
        n = len(self.problems)
        tail = f"; {n} row problem{'s' if n != 1 else ''} skipped" if n else ""
        return "; ".join(parts) + tail + "."

    def people(self) -> list[str]:
        """Who the roster added, changed (and what) and deactivated, one sentence each."""
        c = self.roster
        if c is None:
            return []
        out = []
        for label, names in (
            ("Added", c.added_people),
            ("Changed", c.changed_people),
            ("Deactivated", c.deactivated_people),
        ):
            if names:
                out.append(f"{label}: {_names(names)}.")
        return out

    @property
    def held(self) -> list[tuple[str, str]]:
        return self.roster.held if self.roster else []

    def problem_table(self) -> pd.DataFrame:
        """Problems as a table: sheet, row, column, problem."""
        return pd.DataFrame(
            [(p.source, p.row, p.column, p.message) for p in self.problems],
            columns=["sheet", "row", "column", "problem"],
        )


# ---- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSource:
    """Where the school's data lives, stored in settings.column_map."""

    spreadsheet: str = ""  # the key (from the URL)
    roster_worksheet: str = "Roster"
    responses_worksheet: str = "Form Responses 1"
    cohorts_worksheet: str = "Cohorts"
    unmatched_worksheet: str = "Unmatched"
    roster_columns: dict = field(default_factory=dict)
    response_columns: dict = field(default_factory=dict)

    def worksheet_for(self, export: str) -> str:
        return {"cohorts": self.cohorts_worksheet, "unmatched": self.unmatched_worksheet}[export]


def source_config(con) -> SheetSource:
    """The spreadsheet, worksheet names and column mapping saved for this school."""
    cmap = settings.load(con).column_map or {}
    sheets_cfg = cmap.get("worksheets", {})
    base = SheetSource()
    return SheetSource(
        spreadsheet=cmap.get("spreadsheet", ""),
        roster_worksheet=sheets_cfg.get("roster", base.roster_worksheet),
        responses_worksheet=sheets_cfg.get("responses", base.responses_worksheet),
        cohorts_worksheet=sheets_cfg.get("cohorts", base.cohorts_worksheet),
        unmatched_worksheet=sheets_cfg.get("unmatched", base.unmatched_worksheet),
        roster_columns=dict(cmap.get("roster", {})),
        response_columns=dict(cmap.get("responses", {})),
    )


@authz.write(authz.ADMIN)
def save_source_config(con, actor, **changes) -> SheetSource:
    """Save the spreadsheet (URL or key), worksheet names and column mapping.

    Column mappings keep only headers that differ from the defaults, so a school that uses
    the standard form keeps following the defaults.
    """
    config = replace(source_config(con), **changes)
    key = config.spreadsheet.strip()
    if key:
        from pdcore import sheets

        key = sheets.spreadsheet_key(key)
    for label, value in (
        ("roster", config.roster_worksheet),
        ("form responses", config.responses_worksheet),
    ):
        if value != value.strip():
            raise ValidationError(f"The {label} worksheet name has spaces around it: remove them.")
    for export in ("cohorts", "unmatched"):
        if not config.worksheet_for(export).strip():
            raise ValidationError(f"Name the worksheet the {export} are pushed to.")
    pushed = {config.cohorts_worksheet, config.unmatched_worksheet}
    read = {config.roster_worksheet, config.responses_worksheet} - {""}
    if pushed & read:
        raise ValidationError(
            "A push worksheet has the same name as the roster or responses worksheet: pushing "
            "would overwrite your data. Choose another name."
        )

    def trimmed(columns: dict, fields: dict) -> dict:
        return {
            f: h.strip()
            for f, h in columns.items()
            if f in fields and h and h.strip() and _hkey(h) != _hkey(fields[f][0])
        }

    column_map = {
        "spreadsheet": key,
        "worksheets": {
            "roster": config.roster_worksheet,
            "responses": config.responses_worksheet,
            "cohorts": config.cohorts_worksheet.strip(),
            "unmatched": config.unmatched_worksheet.strip(),
        },
        "roster": trimmed(config.roster_columns, ROSTER_FIELDS),
        "responses": trimmed(config.response_columns, RESPONSE_FIELDS),
    }
    settings.save(con, actor, column_map=column_map)
    return source_config(con)


# ---- reading rows ----------------------------------------------------------------------------


def csv_rows(data: bytes | str, what: str = "file") -> list[list[str]]:
    """The rows of a CSV file as text; SourceProblem when it is not a CSV file."""
    if isinstance(data, bytes):
        if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise SourceProblem(
                f"The {what} is an Excel workbook, not CSV: open it and use File > Save as > "
                "CSV (or in Google Sheets, File > Download > CSV), then upload that."
            )
        if b"\x00" in data[:4096]:
            raise SourceProblem(f"The {what} is not a CSV file (it holds binary data).")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    else:
        text = data.lstrip("\ufeff")
    try:
        # The header line decides the separator: Excel in many locales writes ";", and
        # answers (slot lists, colleagues) hold commas and semicolons of their own.
        first = text.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: (counts[d], d == ","))
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows, line, lines = [], 1, None
        for record in reader:
            if reader.line_num > line:  # a quoted cell holds line breaks: check it
                lines = lines or io.StringIO(text).readlines()  # as the reader counts them
                _check_record(lines, what, len(rows) + 1, line, reader.line_num)
            rows.append(list(record))
            line = reader.line_num + 1
        return rows
    except csv.Error as exc:
        raise SourceProblem(f"The {what} is not a readable CSV file ({exc}).") from exc


def _check_record(lines: list[str], what: str, row: int, first: int, last: int) -> None:
    """Refuse a record (file lines `first`..`last`) that runs to the end of the file inside a
    quote, or spans too many lines: a closing quote is missing and the rest of the file would
    become one cell."""
    unclosed = sum(part.count('"') for part in lines[first - 1 : last]) % 2 == 1
    if unclosed or last - first + 1 > MAX_CELL_LINES:
        where = f"row {row} (line {first} of the file)"
        raise SourceProblem(
            f"The {what} has a quoted cell starting on {where} that runs for "
            f"{last - first + 1} lines{' to the end of the file' if unclosed else ''}: a "
            'closing quote (") is probably missing. Fix that row and import again; nothing '
            "was imported."
        )


def _hkey(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def _opt(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.casefold())


def _column_letter(index: int) -> str:
    n, letters = index + 1, ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _blank(row: Sequence[str]) -> bool:
    return not any(str(v).strip() for v in row)


def _resolve_columns(
    header: Sequence[str], fields: dict, mapping: Mapping, what: str
) -> tuple[dict[str, int], dict[str, str]]:
    """Field -> column index, and field -> header as the sheet spells it."""
    keys = [_hkey(h) for h in header]
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    missing = []
    for name, (default, required) in fields.items():
        wanted = (mapping or {}).get(name) or default
        hits = [i for i, k in enumerate(keys) if k and k == _hkey(wanted)]
        if len(hits) > 1:
            cols = " and ".join(_column_letter(i) for i in hits)
            raise SourceProblem(
                f"The {what} has two columns named '{wanted}' (columns {cols}): rename or "
                "delete one, then try again."
            )
        if not hits:
            if required:
                missing.append(wanted)
            continue
        index[name] = hits[0]
        names[name] = str(header[hits[0]]).strip()
    if missing:
        have = ", ".join(f"'{h.strip()}'" for h in header if str(h).strip()) or "none"
        need = " and ".join(f"'{m}'" for m in missing)
        raise SourceProblem(
            f"The {what} has no {need} column (its columns are {have}): rename the column, "
            "or map it under Column mapping on the Data page."
        )
    return index, names


def _header_and_rows(rows: list[list[str]], what: str):
    """The header row and the data rows with their sheet row numbers (header is row 1)."""
    if not rows or all(_blank(r) for r in rows):
        raise SourceProblem(f"The {what} is empty: it needs a header row and one row per person.")
    header = [str(h) for h in rows[0]]
    if _blank(header):
        raise SourceProblem(f"The {what}'s first row is blank: row 1 must hold the column names.")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if not _blank(r)]
    return header, body


def _cell(row: Sequence[str], index: dict[str, int], name: str) -> str | None:
    """The trimmed cell for a field; None when the source has no such column or the row
    stops short of it (a missing cell is "not given", never "blank")."""
    if name not in index:
        return None
    i = index[name]
    return str(row[i]).strip() if i < len(row) else None


def _short_row(n: int, row: Sequence[str], index: dict[str, int], names) -> Problem:
    """A row problem naming the columns a short row lacks (what is on file was kept)."""
    missing = [names[f] for f, i in index.items() if i >= len(row)]
    return Problem(
        n,
        missing[0],
        f"the row has {len(row)} cells, fewer than the header; "
        f"{', '.join(repr(m) for m in missing)} kept as on file",
    )


def _answer(text: str | None) -> str | None:
    """A free-text answer with 'NA', 'none', 'n/a', '-' read as no answer ('')."""
    if text is None:
        return None
    return "" if text.casefold() in NO_ANSWER else text


@dataclass(frozen=True)
class RosterRecord:
    row: int
    email: str
    name: str  # '' = keep the name on file (the row had none)
    department: str | None  # None = keep what is on file (no column)
    role: str | None  # None = keep (no column, or a value we could not read)
    active: bool | None
    school: str | None


@dataclass(frozen=True)
class ResponseRecord:
    row: int
    email: str
    submitted_at: datetime
    choices: tuple[str, ...]  # topic names as typed, ranked
    other_topic: str
    mode: str | None
    priority: str | None
    dept_pref: str | None
    slots: str | None  # the checkbox answer as written; None = not given (keep what is on file)
    colleagues: tuple[tuple[str, int], ...] | None  # (email, row) pairs


@dataclass
class Parsed:
    """Validated records of one source, its row problems, and its headers as spelled."""

    records: list
    problems: list[Problem]
    rows_read: int
    names: dict[str, str]  # field -> the header as the source spells it
    superseded: int = 0  # form submissions replaced by a later one from the same person
    skipped: int = 0  # rows skipped whole (no usable email)
    notes: list[str] = field(default_factory=list)


def parse_roster(rows: list[list[str]], mapping: Mapping | None = None) -> Parsed:
    """Roster rows -> one record per person (the later row wins) and row problems."""
    header, body = _header_and_rows(rows, "roster")
    index, names = _resolve_columns(header, ROSTER_FIELDS, mapping or {}, "roster")
    width = max(index.values()) + 1  # a row shorter than this lacks a cell we read
    problems: list[Problem] = []
    by_email: dict[str, RosterRecord] = {}
    skipped = 0
    for n, row in body:
        raw_email = _cell(row, index, "email")
        email = roster.normalize_email(raw_email)
        if not _EMAIL.fullmatch(email):
            what = f"'{raw_email}' is not an email address" if raw_email else "is empty"
            problems.append(Problem(n, names["email"], what + "; the row was skipped"))
            skipped += 1
            continue
        if len(row) < width:
            problems.append(_short_row(n, row, index, names))
        name = " ".join((_cell(row, index, "name") or "").split())
        role_text = _cell(row, index, "role")
        role = None
        if role_text:  # an empty role keeps the one on file (teacher for someone new)
            role = ROLE_OPTIONS.get(role_text.casefold())
            if role is None:
                problems.append(
                    Problem(
                        n,
                        names["role"],
                        f"'{role_text}' is not a role (teacher, coach or admin); "
                        "the role on file was kept (teacher for someone new)",
                    )
                )
        active_text = _cell(row, index, "active")
        active = None
        if active_text is not None:
            key = active_text.casefold()
            active = True if not key or key in YES else False if key in NO else None
            if active is None:
                problems.append(
                    Problem(n, names["active"], f"'{active_text}' is not yes or no; kept as is")
                )
        record = RosterRecord(
            row=n,
            email=email,
            name=name,
            department=_cell(row, index, "department"),
            role=role,
            active=active,
            school=_cell(row, index, "school"),
        )
        if email in by_email:
            problems.append(
                Problem(
                    n,
                    names["email"],
                    f"'{email}' is also on row {by_email[email].row}; this later row was used",
                )
            )
        by_email[email] = record
    return Parsed(list(by_email.values()), problems, len(body), names, skipped=skipped)


def parse_timestamp(
    text: str,
    day_first: bool = False,
    source_zone: tzinfo | None = None,
    school_zone: tzinfo | None = None,
) -> datetime | None:
    """A form timestamp in the school's zone (see pdcore.form_dates for the formats)."""
    return form_dates.parse(text, day_first, source_zone, school_zone)


@functools.lru_cache(maxsize=1024)
def _option_pattern(option: str) -> re.Pattern | None:
    letters = [re.escape(ch) for ch in option if not ch.isspace()]
    if not letters:
        return None
    return re.compile(r",\s*" + r"\s*".join(letters) + r"\s*(?=,)", re.IGNORECASE)


def split_choices(text: str, options: Collection[str]) -> tuple[list[str], list[str]]:
    """A checkbox answer -> (the options it names, the parts that match none).

    Google Forms joins checked options with ", ", and an option may hold commas of its own
    ("Before school (7:00, 7:30)"), so known options are matched first, longest first, each
    as a whole item between commas (ignoring case and spaces). What is left is split on
    commas outside parentheses.
    """
    rest = f",{text},"
    found = []
    for option in sorted(options, key=len, reverse=True):
        pattern = _option_pattern(option)
        if pattern is None:
            continue
        rest, hits = pattern.subn(",", rest)
        if hits:
            found.append(option)
    unknown, depth, part = [], 0, ""
    for ch in rest + ",":
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth <= 0:
            part = part.strip()
            if part and part.casefold() not in NO_ANSWER and part not in unknown:
                unknown.append(part)
            part, depth = "", 0
        else:
            part += ch
    return found, unknown


def _split_list(text: str, pattern: str) -> list[str]:
    return [p.strip() for p in re.split(pattern, text or "") if p.strip()]


def parse_responses(
    rows: list[list[str]],
    mapping: Mapping | None = None,
    day_first: bool | None = None,
    *,
    source_zone: tzinfo | None = None,
    ambiguous_day_first: bool = False,
    max_write_in: int = 100,
) -> Parsed:
    """Form rows -> the latest answer per person (by timestamp) and row problems.

    `day_first` is the date order a Sheet's locale declares; None reads it from the file's
    own dates (a CSV), with `ambiguous_day_first` deciding a file whose dates fit both.
    """
    header, body = _header_and_rows(rows, "form responses")
    index, names = _resolve_columns(header, RESPONSE_FIELDS, mapping or {}, "form responses")
    width = max(index.values()) + 1  # a row shorter than this lacks a cell we read
    problems: list[Problem] = []
    notes: list[str] = []
    latest: dict[str, ResponseRecord] = {}
    superseded = 0
    school_zone = clock.school_timezone()
    if day_first is None:
        try:
            order = form_dates.file_order(
                ((n, _cell(row, index, "timestamp") or "") for n, row in body),
                ambiguous_day_first,
            )
        except form_dates.MixedDates as exc:
            raise SourceProblem(
                f"{exc} in the '{names['timestamp']}' column, so no date can be trusted: "
                "export the file again from one place; nothing was imported."
            ) from exc
        day_first = order.day_first
        if order.ambiguous:
            reading = "day-first (3 November)" if day_first else "month-first (March 11)"
            notes.append(
                f"Every date in the file fits both orders (such as '{order.example}'); they "
                f"were read {reading}, as the setting for ambiguous dates says. If that is "
                "wrong, change it on the Data page and import the file again."
            )

    def free_text(n, row, name) -> str:
        """A write-in answer: no-answer words dropped, too long ones refused."""
        text = " ".join((_answer(_cell(row, index, name)) or "").split())
        if len(text) > max_write_in:
            problems.append(
                Problem(
                    n,
                    names[name],
                    f"is {len(text):,} characters long; a topic name can be at most "
                    f"{max_write_in}, so it was skipped (the rest of the answer was kept)",
                )
            )
            return ""
        return text

    def option(n, row, name, options) -> str | None:
        text = _cell(row, index, name)
        if not text:
            return None
        value = options.get(_opt(text))
        if value is None:
            choices = sorted({k for k in _option_labels(name)})
            problems.append(
                Problem(
                    n,
                    names[name],
                    f"'{text}' is not one of the form's options ({', '.join(choices)}); skipped",
                )
            )
        return value

    for n, row in body:
        raw_email = _cell(row, index, "email")
        email = roster.normalize_email(raw_email)
        if not _EMAIL.fullmatch(email):
            what = f"'{raw_email}' is not an email address" if raw_email else "is empty"
            problems.append(Problem(n, names["email"], what + "; the row was skipped"))
            continue
        stamp_text = _cell(row, index, "timestamp")
        stamp = parse_timestamp(stamp_text, day_first, source_zone, school_zone)
        if stamp is None:
            problems.append(
                Problem(
                    n,
                    names["timestamp"],
                    f"'{stamp_text}' is not a date and time; the row was skipped",
                )
            )
            continue
        if len(row) < width:
            problems.append(_short_row(n, row, index, names))
        choices = [
            c
            for c in (
                free_text(n, row, f)
                for f in ("first_choice", "second_choice", "third_choice")
                if f in index
            )
            if c
        ]
        slots_text = _answer(_cell(row, index, "slots"))
        colleagues_text = _answer(_cell(row, index, "colleagues"))
        record = ResponseRecord(
            row=n,
            email=email,
            submitted_at=stamp,
            choices=tuple(choices),
            other_topic=free_text(n, row, "other_topic") if "other_topic" in index else "",
            mode=option(n, row, "mode", MODE_OPTIONS),
            priority=option(n, row, "priority", PRIORITY_OPTIONS),
            dept_pref=option(n, row, "dept_pref", DEPT_OPTIONS),
            slots=slots_text,
            colleagues=None
            if colleagues_text is None
            else tuple((c, n) for c in _split_list(colleagues_text, r"[,;\s]+")),
        )
        previous = latest.get(email)
        if previous is None or record.submitted_at >= previous.submitted_at:
            latest[email] = record
        if previous is not None:
            superseded += 1
    return Parsed(list(latest.values()), problems, len(body), names, superseded, notes=notes)


def _option_labels(name: str) -> list[str]:
    return {
        "mode": ["Cohort", "Individual project", "Expert-led"],
        "priority": ["Who I work with", "When we meet"],
        "dept_pref": ["Same department", "Mix of departments", "No preference"],
    }[name]


# ---- applying records ------------------------------------------------------------------------


def _bulk(cur, sql: str, frame: pd.DataFrame) -> None:
    """Run `sql` against `frame` registered as _rows (one statement for many rows)."""
    if frame.empty:
        return
    cur.register("_rows", frame)
    try:
        cur.execute(sql)
    finally:
        cur.unregister("_rows")


def _confirmed(confirm: bool | Collection[str], people: list[tuple[str, str]]) -> bool:
    """True when the admin confirmed these deactivations (all, or exactly these people)."""
    if confirm is True:
        return True
    return bool(confirm) and {e for e, _n in people} <= set(confirm)


def _apply_roster(
    cur,
    parsed: Parsed,
    problems: list[Problem],
    confirm: bool | Collection[str] = False,
    limit_of: Callable[[int], int] = lambda active: 0,
    last_rows: int | None = None,
) -> Counts:
    """Upsert the roster's people; deactivate (never delete) the active ones it lacks.

    Raises ShrinkHeld, before anything is written, when more people would go than
    `limit_of(active staff)` and the admin has not confirmed them.
    """
    records, names = parsed.records, parsed.names
    counts = Counts(rows_read=0)
    existing = {
        r[1]: r
        for r in cur.execute(
            "SELECT id, email, name, department, role, school, active FROM staff"
        ).fetchall()
    }
    inserts, updates = [], []
    leaving: list[tuple[str, str]] = []
    seen = set()
    for rec in records:
        seen.add(rec.email)
        old = existing.get(rec.email)
        if not rec.name:
            what = "this new person was not added" if old is None else "the name on file was kept"
            problems.append(Problem(rec.row, names["name"], f"is empty; {what}"))
        if old is None:
            if not rec.name:
                continue
            inserts.append(
                (
                    rec.email,
                    rec.name,
                    rec.department or "",
                    rec.role or "teacher",
                    rec.school or "",
                    rec.active is not False,
                )
            )
            counts.added += 1
            counts.added_people.append(rec.name)
            continue
        sid, _email, name, dept, role, school, active = old
        new = (
            rec.name or name,
            dept if rec.department is None else rec.department,
            role if rec.role is None else rec.role,
            school if rec.school is None else rec.school,
            active if rec.active is None else rec.active,
        )
        if new == (name, dept, role, school, active):
            counts.unchanged += 1
            continue
        updates.append((sid, *new, active and not new[4], not active and new[4]))
        if active and not new[4]:
            leaving.append((rec.email, name))
            continue
        counts.updated += 1
        what = [
            f"{label} {before or '(none)'} -> {after or '(none)'}"
            for label, before, after in zip(
                ("name", "department", "role", "school"),
                (name, dept, role, school),
                new[:4],
                strict=True,
            )
            if before != after
        ]
        if not active and new[4]:
            what.insert(0, "back on the roster")
        counts.changed_people.append(f"{new[0]} ({'; '.join(what)})")
    # Everyone active who is no longer on the roster is deactivated (never deleted), unless
    # a roster row was skipped: the skipped person may be the one who seems to be missing.
    gone = [r for e, r in existing.items() if e not in seen and r[6]]
    if gone and parsed.skipped and not _confirmed(confirm, [(r[1], r[2]) for r in gone]):
        counts.held = [(r[1], r[2]) for r in gone]
        gone = []
    leaving += [(r[1], r[2]) for r in gone]
    updates += [(r[0], r[2], r[3], r[4], r[5], False, True, False) for r in gone]
    active_now = sum(1 for r in existing.values() if r[6])
    limit = limit_of(active_now)
    if len(leaving) > limit and not _confirmed(confirm, leaving):
        shrink = ""
        if last_rows and parsed.rows_read < last_rows * SHRINK_RATIO:
            shrink = (
                f" The roster has {parsed.rows_read} rows where the last import had "
                f"{last_rows}: is it a filtered view or the wrong sheet?"
            )
        raise ShrinkHeld(
            f"This roster would deactivate {len(leaving)} of {active_now} active staff, more "
            f"than the {limit} an import may deactivate without a confirmation, so nothing was "
            f"written.{shrink} Who would go: {_names([n for _e, n in leaving])}. If that is "
            "right, confirm the deactivations on the Data page (or run the import again with "
            "--confirm-deactivate).",
            leaving,
        )
    counts.deactivated = len(leaving)
    counts.deactivated_people = [n for _e, n in leaving]
    cols = ["id", "name", "department", "role", "school", "active", "leaving", "returning"]
    _bulk(
        cur,
        "UPDATE staff SET name = _rows.name, department = _rows.department, role = _rows.role, "
        "school = _rows.school, active = _rows.active, deactivated_at = CASE "
        "WHEN _rows.leaving THEN current_localtimestamp() WHEN _rows.returning THEN NULL "
        "ELSE staff.deactivated_at END FROM _rows WHERE staff.id = _rows.id",
        pd.DataFrame(updates, columns=cols),
    )
    _bulk(
        cur,
        "INSERT INTO staff (email, name, department, role, school, active, deactivated_at) "
        "SELECT email, name, department, role, school, active, "
        "CASE WHEN active THEN NULL ELSE current_localtimestamp() END FROM _rows",
        pd.DataFrame(inserts, columns=["email", "name", "department", "role", "school", "active"]),
    )
    admins = cur.execute("SELECT count(*) FROM staff WHERE active AND role = 'admin'").fetchone()
    if not admins[0]:
        raise SourceProblem(
            "This roster leaves no active admin, so nobody could sign in to fix it: add at "
            "least one person with Role 'admin', then try again."
        )
    return counts


def _apply_responses(
    cur,
    records: list[ResponseRecord],
    problems: list[Problem],
    names: dict[str, str],
    source: str,
    notes: list[str],
) -> Counts:
    counts = Counts()
    staff, active_ids = {}, set()
    for sid, email, active in cur.execute("SELECT id, email, active FROM staff").fetchall():
        staff[email] = sid
        if active:
            active_ids.add(sid)

    # Topics by name (a merged write-in answers as the topic it was folded into).
    topic_names = topics.TopicResolver(cur)
    topic_id = topic_names.resolve

    # Slots by label, and the form's answers an admin mapped to a slot (slot_answers).
    slot_labels = {
        label: sid for sid, label in cur.execute("SELECT id, label FROM meeting_slots").fetchall()
    }
    for answer, sid in cur.execute(
        "SELECT answer, slot_id FROM slot_answers WHERE slot_id IS NOT NULL"
    ).fetchall():
        slot_labels.setdefault(answer, sid)
    unknown_slots: dict[str, int] = {}  # answer -> first row

    # What is on file now, for everyone, in a few reads (fast at 5,000 rows).
    on_file_survey = {
        r[0]: (r[1], r[2])
        for r in cur.execute(
            "SELECT staff_id, submitted_at, other_topic FROM survey_responses"
        ).fetchall()
    }
    on_file_interests: dict[int, list] = {}
    for sid, _rank, tid in cur.execute(
        "SELECT staff_id, rank, topic_id FROM interests ORDER BY staff_id, rank"
    ).fetchall():
        on_file_interests.setdefault(sid, []).append(tid)
    on_file_prefs = {
        r[0]: (r[1], r[2], r[3])
        for r in cur.execute(
            "SELECT staff_id, mode, priority, dept_pref FROM learning_prefs"
        ).fetchall()
    }
    on_file_slots: dict[int, set] = {}
    for sid, slot in cur.execute("SELECT staff_id, slot_id FROM availability").fetchall():
        on_file_slots.setdefault(sid, set()).add(slot)
    on_file_mates: dict[int, set] = {}
    for sid, mate in cur.execute(
        "SELECT staff_id, colleague_id FROM colleague_requests"
    ).fetchall():
        on_file_mates.setdefault(sid, set()).add(mate)

    survey_rows, interest_rows, pref_rows, slot_rows_new, mate_rows = [], [], [], [], []
    replace_ids, slot_ids_replaced, mate_ids_replaced = [], [], []
    for rec in sorted(records, key=lambda r: r.row):
        sid = staff.get(rec.email)
        if sid is None:
            problems.append(
                Problem(
                    rec.row,
                    names["email"],
                    f"'{rec.email}' is not on the roster; the row was skipped",
                )
            )
            continue
        on_file = on_file_survey.get(sid)
        if on_file and on_file[0] > rec.submitted_at:
            counts.unchanged += 1  # answered again (in the app) since: the latest wins
            continue
        ranked: list[int] = []
        for choice in rec.choices:
            tid = topic_id(choice)
            if tid not in ranked:
                ranked.append(tid)
        if rec.other_topic:
            tid = topic_id(rec.other_topic)
            if tid not in ranked and len(ranked) < 3:
                ranked.append(tid)
        ranked = ranked[:3]
        old_prefs = on_file_prefs.get(sid, ("cohort", "when", "none"))
        prefs = (
            rec.mode or old_prefs[0],
            rec.priority or old_prefs[1],
            rec.dept_pref or old_prefs[2],
        )
        slots = on_file_slots.get(sid, set())
        if rec.slots is not None:
            matched, unknown = split_choices(rec.slots, slot_labels)
            slots = {slot_labels[label] for label in matched}
            for answer in unknown:
                unknown_slots.setdefault(answer, rec.row)
                problems.append(
                    Problem(
                        rec.row,
                        names["slots"],
                        f"'{answer}' is not one of the school's meeting slots; the other times "
                        "were kept. Map it to a slot (or add it as one) on the Data page, then "
                        "import again",
                    )
                )
        mates = on_file_mates.get(sid, set())
        if rec.colleagues is not None:
            mates = set()
            for mate_email, row in rec.colleagues:
                mail = roster.normalize_email(mate_email)
                if not _EMAIL.fullmatch(mail):
                    problems.append(
                        Problem(
                            row,
                            names["colleagues"],
                            f"'{mate_email}' is not an email address; skipped",
                        )
                    )
                elif mail not in staff or staff[mail] not in active_ids:
                    problems.append(
                        Problem(row, names["colleagues"], f"'{mail}' is not on the roster; skipped")
                    )
                elif staff[mail] != sid:
                    mates.add(staff[mail])
        wanted = (rec.submitted_at, rec.other_topic, ranked, prefs, slots, mates)
        before = (
            on_file[0] if on_file else None,
            on_file[1] if on_file else None,
            on_file_interests.get(sid, []),
            on_file_prefs.get(sid),
            on_file_slots.get(sid, set()),
            on_file_mates.get(sid, set()),
        )
        if on_file and wanted == before:
            counts.unchanged += 1
            continue
        if on_file:
            counts.updated += 1
        else:
            counts.added += 1
        replace_ids.append(sid)
        survey_rows.append((sid, rec.submitted_at, source, rec.other_topic))
        interest_rows += [(sid, rank, tid) for rank, tid in enumerate(ranked, start=1)]
        pref_rows.append((sid, *prefs))
        slot_ids_replaced.append(sid)
        slot_rows_new += [(sid, s) for s in sorted(slots)]
        mate_ids_replaced.append(sid)
        mate_rows += [(sid, m) for m in sorted(mates)]

    if replace_ids:
        ids = pd.DataFrame({"staff_id": replace_ids})
        for table in (
            "survey_responses",
            "interests",
            "learning_prefs",
            "availability",
            "colleague_requests",
        ):
            _bulk(cur, f"DELETE FROM {table} WHERE staff_id IN (SELECT staff_id FROM _rows)", ids)
        _bulk(
            cur,
            "INSERT INTO survey_responses (staff_id, submitted_at, source, other_topic) "
            "SELECT staff_id, submitted_at, source, other_topic FROM _rows",
            pd.DataFrame(
                survey_rows, columns=["staff_id", "submitted_at", "source", "other_topic"]
            ),
        )
        _bulk(
            cur,
            "INSERT INTO interests (staff_id, rank, topic_id) "
            "SELECT staff_id, rank, topic_id FROM _rows",
            pd.DataFrame(interest_rows, columns=["staff_id", "rank", "topic_id"]),
        )
        _bulk(
            cur,
            "INSERT INTO learning_prefs (staff_id, mode, priority, dept_pref) "
            "SELECT staff_id, mode, priority, dept_pref FROM _rows",
            pd.DataFrame(pref_rows, columns=["staff_id", "mode", "priority", "dept_pref"]),
        )
        _bulk(
            cur,
            "INSERT INTO availability (staff_id, slot_id) SELECT staff_id, slot_id FROM _rows",
            pd.DataFrame(slot_rows_new, columns=["staff_id", "slot_id"]),
        )
        _bulk(
            cur,
            "INSERT INTO colleague_requests (staff_id, colleague_id) "
            "SELECT staff_id, colleague_id FROM _rows",
            pd.DataFrame(mate_rows, columns=["staff_id", "colleague_id"]),
        )
    if unknown_slots:
        _bulk(
            cur,
            "INSERT INTO slot_answers (answer) SELECT answer FROM _rows "
            "WHERE answer NOT IN (SELECT answer FROM slot_answers)",
            pd.DataFrame({"answer": list(unknown_slots)}),
        )
        notes.append(
            "Meeting times the school has no slot for: "
            + ", ".join(f"'{s}'" for s in unknown_slots)
            + ". Map each to a slot, or add it as a new one, on the Data page."
        )
    if topic_names.created:
        notes.append(
            "New write-in topics proposed: "
            + ", ".join(f"'{t}'" for t in topic_names.created)
            + "."
        )
    return counts


def _last_rows(cur, column: str, source: str | None = None) -> int | None:
    """Rows a source had in the last successful run that read it (None: never read)."""
    sql = f"SELECT {column} FROM sync_runs WHERE status = 'ok' AND {column} IS NOT NULL"
    params = []
    if source:
        sql += " AND source = ?"
        params.append(source)
    row = cur.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
    return row[0] if row else None


def _all_failed(what: str, parsed: Parsed, problems: list[Problem]) -> SourceProblem:
    first = "; ".join(str(p) for p in problems[:3])
    return SourceProblem(
        f"Every one of the {parsed.rows_read} rows of the {what} has a problem, so nothing "
        f"was imported ({first}). Fix the rows or the column mapping, then import again."
    )


@authz.write(authz.IMPORT)
def run_import(
    con,
    actor,
    *,
    roster_rows: list[list[str]] | None = None,
    response_rows: list[list[str]] | None = None,
    source: str = "csv",
    day_first: bool | None = None,
    source_zone: tzinfo | None = None,
    label: str = "",
    confirm_deactivate: bool | Collection[str] = False,
) -> ImportResult:
    """Validate and apply roster and/or response rows in ONE transaction, logged in sync_runs.

    Raises SourceProblem (logged as a failed run, nothing else written) when a whole source
    is unusable, and ShrinkHeld (logged as held, with who would go) when the roster would
    deactivate more people than the limit and `confirm_deactivate` (True, or the emails the
    admin saw) does not cover them. `source` is 'csv' or 'sheets'. `day_first` is the date
    order the source declares (a Sheet's locale); None reads it from the dates themselves.
    """
    started = clock.now()
    try:
        if roster_rows is None and response_rows is None:
            raise SourceProblem("Choose a roster file, a form responses file, or both.")
        config = source_config(con)
        prefs = settings.load(con)
        problems: list[Problem] = []
        notes: list[str] = []
        # Parse both sources before writing anything: a whole-source problem in either
        # one must leave the database as it was.
        roster_parsed = response_parsed = None
        if roster_rows is not None:
            roster_parsed = parse_roster(roster_rows, config.roster_columns)
            if roster_parsed.rows_read and not roster_parsed.records:
                raise _all_failed("roster", roster_parsed, roster_parsed.problems)
        if response_rows is not None:
            response_parsed = parse_responses(
                response_rows,
                config.response_columns,
                day_first,
                source_zone=source_zone,
                ambiguous_day_first=prefs.ambiguous_dates_day_first,
                max_write_in=prefs.write_in_max_chars,
            )
        with db.transaction(con) as cur:
            roster_counts = response_counts = None
            if roster_parsed is not None:
                roster_problems = list(roster_parsed.problems)
                roster_counts = _apply_roster(
                    cur,
                    roster_parsed,
                    roster_problems,
                    confirm_deactivate,
                    lambda active: settings.deactivation_limit(prefs, active),
                    _last_rows(cur, "roster_rows"),
                )
                problems += [replace(p, source="roster") for p in roster_problems]
                roster_counts.rows_read = roster_parsed.rows_read
                if roster_counts.held:
                    skipped = ", ".join(
                        str(p.row) for p in roster_parsed.problems if "row was skipped" in p.message
                    )
                    notes.append(
                        f"{len(roster_counts.held)} people missing from the roster were NOT "
                        f"deactivated, because roster row {skipped} was skipped (that may be one "
                        f"of them): {_names([n for _e, n in roster_counts.held])}. Fix the row, "
                        "or confirm the deactivations on the Data page."
                    )
            if response_parsed is not None:
                last = _last_rows(cur, "response_rows", "sheets") if source == "sheets" else None
                if (
                    last
                    and last - response_parsed.rows_read >= 10
                    and (response_parsed.rows_read < last * SHRINK_RATIO)
                ):
                    raise SourceProblem(
                        f"The form responses have {response_parsed.rows_read} rows where the "
                        f"last sync read {last}: is the worksheet filtered, or the wrong one? "
                        "Nothing was imported."
                    )
                response_problems = list(response_parsed.problems)
                response_counts = _apply_responses(
                    cur,
                    response_parsed.records,
                    response_problems,
                    response_parsed.names,
                    "form" if source == "sheets" else "import",
                    notes,
                )
                problems += [replace(p, source="responses") for p in response_problems]
                response_counts.rows_read = response_parsed.rows_read
                landed = response_counts.added + response_counts.updated
                if response_parsed.rows_read and not landed + response_counts.unchanged:
                    raise _all_failed("form responses", response_parsed, response_problems)
                notes += response_parsed.notes
                n = response_parsed.superseded
                if n:
                    notes.insert(
                        0,
                        f"{n} earlier form submission{'s were' if n != 1 else ' was'} replaced "
                        "by a later one from the same person.",
                    )
            problems.sort(key=lambda p: (p.source != "roster", p.row, p.column))
            result = ImportResult(0, source, roster_counts, response_counts, problems, notes)
            message = " ".join(
                [(label + ": " if label else "") + result.summary(), *result.people(), *notes]
            )
            details = {}
            if roster_counts:
                details = {
                    "added": roster_counts.added_people,
                    "changed": roster_counts.changed_people,
                    "deactivated": roster_counts.deactivated_people,
                }
            result.run_id = cur.execute(
                "INSERT INTO sync_runs (started_at, finished_at, source, status, rows_read, "
                "added, updated, unchanged, deactivated, problems, message, held, roster_rows, "
                "response_rows, details) VALUES (?, current_localtimestamp(), ?, 'ok', ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    started,
                    source,
                    result.rows_read,
                    result.added,
                    result.updated,
                    result.unchanged,
                    result.deactivated,
                    json.dumps(
                        [
                            {
                                "sheet": p.source,
                                "row": p.row,
                                "column": p.column,
                                "problem": p.message,
                            }
                            for p in problems
                        ]
                    ),
                    message,
                    _held_json(result.held),
                    roster_parsed.rows_read if roster_parsed else None,
                    response_parsed.rows_read if response_parsed else None,
                    json.dumps(details),
                ],
            ).fetchone()[0]
            db.audit(
                cur,
                actor.id,
                "data.import",
                "sync_runs",
                result.run_id,
                json.dumps(
                    {
                        "source": source,
                        "added": result.added,
                        "updated": result.updated,
                        "deactivated": result.deactivated,
                        "problems": len(problems),
                    }
                ),
            )
        return result
    except Exception as exc:
        _log_failure(con, source, started, exc)
        raise


def _held_json(people: list[tuple[str, str]]) -> str | None:
    return json.dumps([{"email": e, "name": n} for e, n in people]) if people else None


def _log_failure(con, source: str, started: datetime, exc: Exception) -> None:
    """Record a failed (or held) run in its own transaction (the import's was rolled back)."""
    message = str(exc) if isinstance(exc, ValidationError) else f"Unexpected error: {exc!r}"
    held = isinstance(exc, ShrinkHeld)
    with db.transaction(con) as cur:
        cur.execute(
            "INSERT INTO sync_runs (started_at, finished_at, source, status, message, held) "
            "VALUES (?, current_localtimestamp(), ?, ?, ?, ?)",
            [
                started,
                source,
                "held" if held else "failed",
                message,
                _held_json(exc.people) if held else None,
            ],
        )


def pending_confirmation(con) -> tuple[int, str, list[tuple[str, str]], str] | None:
    """Deactivations awaiting an admin, from the latest run that read a roster: (run id,
    source, [(email, name)], message), or None when that run left nobody waiting."""
    row = (
        db.read(con)
        .execute(
            "SELECT id, source, held, message FROM sync_runs WHERE status = 'held' "
            "OR (status = 'ok' AND roster_rows IS NOT NULL) ORDER BY id DESC LIMIT 1"
        )
        .fetchone()
    )
    if not row or not row[2]:
        return None
    people = [(p["email"], p["name"]) for p in json.loads(row[2])]
    return row[0], row[1], people, row[3]


@authz.write(authz.ADMIN)
def import_files(
    con,
    actor,
    roster_csv: bytes | str | None = None,
    responses_csv: bytes | str | None = None,
    label: str = "",
    confirm_deactivate: bool | Collection[str] = False,
) -> ImportResult:
    """Import a roster CSV and/or a form-responses CSV (their contents) in one transaction."""
    started = clock.now()
    try:
        roster_rows = None if roster_csv is None else csv_rows(roster_csv, "roster file")
        response_rows = (
            None if responses_csv is None else csv_rows(responses_csv, "form responses file")
        )
    except SourceProblem as exc:
        _log_failure(con, "csv", started, exc)
        raise
    with one_writer("import"):
        return run_import(
            con,
            actor,
            roster_rows=roster_rows,
            response_rows=response_rows,
            source="csv",
            label=label,
            confirm_deactivate=confirm_deactivate,
        )


# ---- Google Sheets ---------------------------------------------------------------------------


def sheets_ready(con, info: Mapping | None) -> bool:
    """True when a service account is configured and a spreadsheet is connected."""
    return bool(info) and bool(source_config(con).spreadsheet)


@authz.write(authz.IMPORT)
def sync_sheets(
    con,
    actor,
    *,
    info: Mapping | None = None,
    client=None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
    confirm_deactivate: bool | Collection[str] = False,
) -> ImportResult:
    """Read the roster and form responses from the connected spreadsheet (its metadata, then
    one batch_get) and import them. `client` is a gspread client (built from `info` when not
    given). The spreadsheet's locale decides the date order, its time zone the times'.

    Every failure is logged as a failed run; the expected ones (Google, the source) raise
    ValidationError with one sentence.
    """
    from pdcore import sheets

    started = clock.now()
    with one_writer("sync"):
        try:
            config = source_config(con)
            if not config.spreadsheet:
                raise SourceProblem(
                    "No spreadsheet is connected yet: paste its link on the Data page."
                )
            if client is None:
                if not info:
                    raise SourceProblem(
                        "Google Sheets is not set up: add a service account key to "
                        ".streamlit/secrets.toml (see the Data page)."
                    )
                client = sheets.client_for(info)
            wanted = {
                name: title
                for name, title in (
                    ("roster", config.roster_worksheet),
                    ("responses", config.responses_worksheet),
                )
                if title
            }
            if not wanted:
                raise SourceProblem("Name the roster or form responses worksheet to sync.")
            data = sheets.read_worksheets(
                client,
                config.spreadsheet,
                wanted,
                who=sheets.service_account_email(info),
                sleep=sleep,
                progress=progress,
            )
        except Exception as exc:  # every run is logged, the unexpected ones too
            _log_failure(con, "sheets", started, exc)
            raise
        if progress:
            rows = sum(max(len(t) - 1, 0) for t in data.tables.values())
            progress(f"Read {rows} rows in {data.api_calls} requests; checking and saving...")
        return run_import(
            con,
            actor,
            roster_rows=data.tables.get("roster"),
            response_rows=data.tables.get("responses"),
            source="sheets",
            day_first=form_dates.locale_day_first(data.locale or "en_US"),
            source_zone=form_dates.zone(data.time_zone),
            label=f"'{data.title}'" if data.title else "",
            confirm_deactivate=confirm_deactivate,
        )


def last_sync(con, source: str | None = None):
    """(started_at, status) of the latest run (of one source when given), or None."""
    sql = "SELECT started_at, status FROM sync_runs"
    params: list = []
    if source:
        sql += " WHERE source = ?"
        params.append(source)
    return db.read(con).execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()


def last_error(con, source: str) -> str:
    """The message of the latest failed run of a source ('' when none failed)."""
    row = (
        db.read(con)
        .execute(
            "SELECT message FROM sync_runs WHERE source = ? AND status = 'failed' "
            "ORDER BY id DESC LIMIT 1",
            [source],
        )
        .fetchone()
    )
    return row[0] if row else ""


def sync_history(con, limit: int = 50) -> pd.DataFrame:
    """The latest runs, newest first, with their counts, outcome and problems."""
    frame = (
        db.read(con)
        .execute(
            "SELECT id, started_at, source, status, rows_read, added, updated, unchanged, "
            "deactivated, json_array_length(problems::JSON) AS problems, message "
            "FROM sync_runs ORDER BY id DESC LIMIT ?",
            [limit],
        )
        .df()
    )
    return frame


def run_problems(con, run_id: int) -> pd.DataFrame:
    """The row problems of one logged run: sheet, row, column, problem."""
    row = db.read(con).execute("SELECT problems FROM sync_runs WHERE id = ?", [run_id]).fetchone()
    items = json.loads(row[0]) if row else []
    return pd.DataFrame(
        [
            (i.get("sheet", ""), i.get("row"), i.get("column", ""), i.get("problem", ""))
            for i in items
        ],
        columns=["sheet", "row", "column", "problem"],
    )


# ---- form answers that match no meeting slot -------------------------------------------------


def unmapped_slot_answers(con) -> list[str]:
    """Meeting-time answers from the form that match no slot and wait for an admin."""
    rows = db.read(con).execute(
        "SELECT answer FROM slot_answers WHERE slot_id IS NULL "
        "AND lower(answer) NOT IN (SELECT lower(label) FROM meeting_slots) ORDER BY first_seen"
    )
    return [r[0] for r in rows.fetchall()]


@authz.write(authz.ADMIN)
def map_slot_answer(con, actor: StaffMember, answer: str, slot_id: int | None) -> str:
    """Map a form's meeting-time answer to a slot, or (slot_id None) add it as a new slot.
    The next import reads the answer as that slot. Returns the slot's label."""
    with db.transaction(con) as cur:
        if slot_id is None:
            label = " ".join(answer.split())[:80]
            in_day = any(w in label.lower() for w in ("lunch", "planning", "workday", "period"))
            slot_id = cur.execute(
                "INSERT INTO meeting_slots (id, label, in_school_day, sort_order) SELECT "
                "coalesce(max(id), 0) + 1, ?, ?, coalesce(max(sort_order), 0) + 1 "
                "FROM meeting_slots RETURNING id",
                [label, in_day],
            ).fetchone()[0]
        found = cur.execute("SELECT label FROM meeting_slots WHERE id = ?", [slot_id]).fetchone()
        if found is None:
            raise ValidationError("That meeting slot no longer exists: choose another.")
        cur.execute(
            "INSERT INTO slot_answers (answer, slot_id) VALUES (?, ?)"
            " ON CONFLICT (answer) DO UPDATE SET slot_id = excluded.slot_id",
            [answer, slot_id],
        )
        db.audit(
            cur,
            actor.id,
            "data.slot_answer",
            "meeting_slots",
            slot_id,
            json.dumps({"answer": answer}),
        )
    return found[0]


# ---- exports ---------------------------------------------------------------------------------


def export_frame(con, what: str, school: str | None = None) -> pd.DataFrame:
    """One of the exports as a table: cohorts, unmatched, health or participation; of one
    `school` when given (see authz.scope: a school's admin downloads their school)."""
    if what == "cohorts":
        from pdcore import cohorts

        return cohorts.cohort_frame(con, school)
    if what == "unmatched":
        from pdcore import formation

        return formation.unmatched_frame(con, school=school)
    if what == "health":
        from pdcore import health

        return health.health_table(con, school=school)
    if what == "participation":
        from pdcore import participation

        return participation.participation_table(con, school=school)
    raise ValidationError(f"There is no '{what}' export; choose one of {', '.join(EXPORTS)}.")


@authz.write(authz.ADMIN)
def push_to_sheet(
    con,
    actor,
    what: str,
    *,
    info: Mapping | None = None,
    client=None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, int]:
    """Replace the contents of the named worksheet with the cohorts or unmatched table.

    Returns (worksheet title, rows written).
    """
    from pdcore import sheets

    if what not in ("cohorts", "unmatched"):
        raise ValidationError("Only cohorts and unmatched staff can be pushed to the Sheet.")
    config = source_config(con)
    if not config.spreadsheet:
        raise SourceProblem("No spreadsheet is connected yet: paste its link on the Data page.")
    if client is None:
        if not info:
            raise SourceProblem("Google Sheets is not set up: add a service account key first.")
        client = sheets.client_for(info)
    title = config.worksheet_for(what)
    with one_writer("push"):
        frame = export_frame(con, what)
        written = sheets.write_worksheet(
            client,
            config.spreadsheet,
            title,
            frame,
            who=sheets.service_account_email(info),
            sleep=sleep,
        )
    with db.transaction(con) as cur:
        db.audit(
            cur,
            actor.id,
            "data.push",
            detail=json.dumps({"what": what, "worksheet": title, "rows": written}),
        )
    return title, written


# ---- command line ----------------------------------------------------------------------------


def _print_result(result: ImportResult) -> None:
    print(f"Import done ({result.source}): {result.summary()}")
    for line in [*result.people(), *result.notes]:
        print(line)
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)


def _print_refusal(exc: ValidationError) -> int:
    """One sentence on stderr (and who would go, one a line, for a held import); exit 1."""
    text = str(exc)
    print(
        f"error: {text}{'' if 'nothing was' in text.lower() else ' Nothing was written.'}",
        file=sys.stderr,
    )
    for email, name in getattr(exc, "people", []):
        print(f"  would deactivate: {name} <{email}>", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace) -> int:
    if not args.roster and not args.responses:
        print("error: give --roster FILE.csv, --responses FILE.csv, or both.", file=sys.stderr)
        return 2
    con = db.connect(args.db)
    try:
        result = import_files(
            con,
            authz.COMMAND_LINE,
            roster_csv=Path(args.roster).read_bytes() if args.roster else None,
            responses_csv=Path(args.responses).read_bytes() if args.responses else None,
            label=", ".join(str(p) for p in (args.roster, args.responses) if p),
            confirm_deactivate=args.confirm_deactivate,
        )
    except ValidationError as exc:
        return _print_refusal(exc)
    _print_result(result)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from pdcore import sheets

    try:
        info = sheets.credentials_info(sheets.secrets_from_file())
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    con = db.connect(args.db)
    try:
        result = sync_sheets(
            con,
            authz.COMMAND_LINE,
            info=info,
            progress=lambda msg: print(msg, file=sys.stderr),
            confirm_deactivate=args.confirm_deactivate,
        )
    except ValidationError as exc:
        return _print_refusal(exc)
    except Exception as exc:  # logged in the run history; one line here, not a traceback
        print(
            f"error: the sync stopped on an unexpected error ({exc!r}); nothing was written.",
            file=sys.stderr,
        )
        return 1
    _print_result(result)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pdcore import exports

    con = db.connect(args.db)
    frame = export_frame(con, args.what)
    if args.out:
        Path(args.out).write_bytes(exports.to_csv_bytes(frame))
        print(f"Wrote {len(frame)} rows to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(exports.inert_frame(frame).to_csv(index=False))
    return 0


CONFIRM_HELP = (
    "deactivate everyone the roster lacks even when that is more than the limit, or a roster "
    "row was skipped (run once without it to see who)"
)


def register_cli(subparsers) -> None:
    """Add the `import`, `sync` and `export` commands to pdcore's command line."""
    p = subparsers.add_parser("import", help="import a roster and/or form responses from CSV files")
    p.add_argument("--roster", metavar="FILE.csv", help="the roster (Email, Name, ...)")
    p.add_argument("--responses", metavar="FILE.csv", help="the form responses")
    p.add_argument("--confirm-deactivate", action="store_true", help=CONFIRM_HELP)
    p.set_defaults(run=cmd_import)

    p = subparsers.add_parser(
        "sync",
        help="sync the roster and form responses from the connected Google Sheet "
        "(service account from .streamlit/secrets.toml or the environment)",
    )
    p.add_argument("--confirm-deactivate", action="store_true", help=CONFIRM_HELP)
    p.set_defaults(run=cmd_sync)

    p = subparsers.add_parser("export", help="write a table as CSV (stdout or --out)")
    p.add_argument("what", choices=EXPORTS)
    p.add_argument("--out", metavar="FILE.csv", help="write here instead of standard output")
    p.set_defaults(run=cmd_export)
