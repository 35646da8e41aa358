"""Who may write what: one registry of every write operation in pdcore and its rule.

Every public pdcore function that writes is declared with `@authz.write(RULE)`. Its second
parameter is `actor`, the person asking (a StaffMember, or a staff id resolved to one from the
roster, so a role always comes from the roster as it is now). The decorator checks the rule
before the function runs and refuses with PermissionDenied; tests walk pdcore for functions
that open a transaction without a rule, so a new write cannot be added without one.

Schools: a person's `school` scopes what they may touch. A blank school means the whole
install (a district office, or a school that never filled in the column): an admin or coach
with school "" covers every school. Install-wide operations (settings, topics, imports,
syncs, formation) need an admin who covers every school on the roster: a district admin, or
the admin of the install's only school.

The command line acts as COMMAND_LINE, the machine's owner: whoever can run `python -m
pdcore` can open the database file anyway, so it counts as a district admin. Only pdcore.cli
and the command modules it registers use it; a test keeps pages and pdcore.ui from naming it.
The scheduled sync acts as SCHEDULED_SYNC in the same way, for imports only.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from pdcore import db, roster
from pdcore.model import PermissionDenied, Role, StaffMember

# The command line (see module docstring). Id 0 is never a roster id: the audit log records
# actor_id 0 for what was done from the command line.
COMMAND_LINE = StaffMember(
    id=0, email="", name="Command line", department="", role=Role.ADMIN, school=""
)

# The scheduled Google Sheets sync an admin turns on in Settings (pdcore.ui.sync_schedule):
# it may import and nothing else a page would ask for. Audit actor_id -1.
SCHEDULED_SYNC = StaffMember(
    id=-1, email="", name="Scheduled sync", department="", role=Role.ADMIN, school=""
)
SYSTEM_ACTORS = (COMMAND_LINE, SCHEDULED_SYNC)

Actor = StaffMember | int


def resolve(con, actor: Actor | None) -> StaffMember:
    """The acting person as the roster knows them now; PermissionDenied if not on it."""
    if _is_system(actor):
        return actor
    try:
        staff_id = int(actor.id if isinstance(actor, StaffMember) else actor)
    except (TypeError, ValueError):
        staff_id = 0
    person = roster.by_id(con, staff_id) if staff_id > 0 else None
    if person is None or not person.active:
        raise PermissionDenied("You are not on the school's active roster.")
    return person


def covers(person: StaffMember, school: str) -> bool:
    """Whether `person`'s school scope includes `school` (a blank school covers all)."""
    return person.school == "" or person.school == school


def scope(viewer: StaffMember) -> str | None:
    """The school a viewer's dashboards read (None: every school, for a district-wide viewer).

    Pass it as the `school` of the pdcore reads that list people, cohorts or answers."""
    return viewer.school or None


def _staff_school(con, staff_id) -> str | None:
    row = db.read(con).execute("SELECT school FROM staff WHERE id = ?", [staff_id]).fetchone()
    return row[0] if row else None


def _schools(con) -> set[str]:
    rows = (
        db.read(con)
        .execute("SELECT DISTINCT school FROM staff WHERE active AND school <> ''")
        .fetchall()
    )
    return {r[0] for r in rows}


# ---- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A named check: `check(con, actor, arguments)` raises PermissionDenied or returns."""

    name: str
    check: Callable[[object, StaffMember, dict], None]
    roles: frozenset[Role]  # the roles that may ever pass it (for tests and docs)
    subject: str | None = None  # the argument naming the person or cohort acted on


def _is_system(actor: StaffMember) -> bool:
    return any(actor is system for system in SYSTEM_ACTORS)


def _self_check(con, actor, args) -> None:
    # resolve() already refused anyone not on the active roster.
    if _is_system(actor):
        raise PermissionDenied("The command line acts for no one person; sign in as them.")


SELF = Rule("self", _self_check, frozenset(Role))
"""Anyone on the active roster, acting on their own records only (no subject argument)."""


def _install_admin(con, actor, args) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only an admin can do this.")
    if actor.school and not _schools(con) <= {actor.school}:
        raise PermissionDenied(
            "This changes every school on the roster; a district admin (no school) can do it."
        )


ADMIN = Rule("admin", _install_admin, frozenset({Role.ADMIN}))
"""An install-wide operation: an admin who covers every school (see module docstring)."""


def _import(con, actor, args) -> None:
    if actor is not SCHEDULED_SYNC:
        _install_admin(con, actor, args)


IMPORT = Rule("admin or scheduled sync", _import, frozenset({Role.ADMIN}))
"""Importing the roster and responses: an install-wide admin, or the scheduled sync."""


def _staff_role(con, actor, args) -> None:
    if actor.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Only coaches and admins can do this.")


COACH = Rule("coach", _staff_role, frozenset({Role.COACH, Role.ADMIN}))
"""Coaching work that belongs to no one person (PLC notes, pathways, session planning)."""


def for_person(
    param: str = "staff_id",
    roles=(Role.COACH, Role.ADMIN),
    self_ok: bool = True,
    owner_sql: str | None = None,
) -> Rule:
    """The write acts on the person in argument `param` (None means the actor): allowed to
    that person themselves (when `self_ok`), or to someone of `roles` whose school covers
    the person's school. With `owner_sql`, `param` names a record and the query (one `?`
    for it) finds the person it belongs to."""
    allowed = frozenset(roles)

    def check(con, actor, args) -> None:
        subject = args.get(param)
        if owner_sql is not None:
            row = db.read(con).execute(owner_sql, [subject]).fetchone()
            if row is None:
                raise PermissionDenied("That no longer exists (or is not yours); reload the page.")
            subject = row[0]
        if subject is None or subject == actor.id:
            if self_ok:
                return _self_check(con, actor, args)
            raise PermissionDenied("You cannot do this for yourself.")
        if actor.role not in allowed:
            words = " and ".join(f"{r.value}s" for r in sorted(allowed))
            raise PermissionDenied(
                "You can change only your own records"
                + (f"; {words} of the school can do this for someone else." if words else ".")
            )
        school = _staff_school(con, subject)
        if school is None:
            raise PermissionDenied("That person is not on the roster.")
        if not covers(actor, school):
            raise PermissionDenied(
                f"That person is in another school ({school}); only its own coaches and "
                "admins can do this."
            )

    label = f"{'self or ' if self_ok else ''}{'/'.join(sorted(allowed))} of {param}'s school"
    return Rule(label, check, allowed | ({Role.TEACHER} if self_ok else set()), subject=param)


def member_of(param: str = "cohort_id") -> Rule:
    """The write changes a cohort's records: only its current members may."""

    def check(con, actor, args) -> None:
        found = (
            db.read(con)
            .execute(
                "SELECT count(*) FROM memberships WHERE cohort_id = ? AND staff_id = ? "
                "AND left_at IS NULL",
                [args.get(param), actor.id],
            )
            .fetchone()[0]
        )
        if not found:
            raise PermissionDenied(
                "Only the cohort's current members can change its records. "
                "Join the cohort first, or open your own cohort from My cohort."
            )

    return Rule(f"member of {param}", check, frozenset(Role), subject=param)


def _command_line(con, actor, args) -> None:
    if actor is not COMMAND_LINE:
        raise PermissionDenied("Only the command line can do this.")


SYSTEM = Rule("command line", _command_line, frozenset())
"""Only the machine's owner at the command line (e.g. filling a database with the demo)."""


# ---- the registry --------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteOp:
    name: str  # 'pdcore.cohorts.join'
    function: Callable
    rule: Rule


REGISTRY: dict[str, WriteOp] = {}


def write(rule: Rule) -> Callable:
    """Declare a write operation: `fn(con, actor, ...)` runs only when `rule` allows `actor`.

    The function receives the resolved StaffMember as `actor`.
    """

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        names = list(signature.parameters)
        if names[:2] != ["con", "actor"]:
            raise TypeError(f"{fn.__qualname__}: a write takes (con, actor, ...), not {names[:2]}")
        if rule.subject and rule.subject not in names:
            raise TypeError(f"{fn.__qualname__}: its rule needs an argument {rule.subject!r}")

        @functools.wraps(fn)
        def guarded(con, actor, *args, **kwargs):
            person = resolve(con, actor)
            if person is SCHEDULED_SYNC and rule is not IMPORT:
                raise PermissionDenied("The scheduled sync may only import.")
            bound = signature.bind(con, person, *args, **kwargs)
            bound.apply_defaults()
            rule.check(con, person, bound.arguments)
            return fn(con, person, *args, **kwargs)

        name = f"{fn.__module__}.{fn.__qualname__}"
        guarded.write_rule = rule
        REGISTRY[name] = WriteOp(name, guarded, rule)
        return guarded

    return decorate


UNGUARDED: dict[str, str] = {}  # writes that no person asks for: name -> why that is safe


def unguarded(why: str) -> Callable:
    """Declare a write that is not a person's action (so it has no actor), saying why it is
    safe; the registry test lists these for review like any rule."""

    def decorate(fn: Callable) -> Callable:
        UNGUARDED[f"{fn.__module__}.{fn.__qualname__}"] = why
        return fn

    return decorate
