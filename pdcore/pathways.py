"""Online learning pathways: a listed course (name, link, ordered steps) and each person's progress.

A step a person marks done is recorded with its time; that progress is shown as evidence in
their growth plan for the school year it happened in (see pdcore.growth).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from pdcore import authz, db, roster
from pdcore.model import PermissionDenied, Role, StaffMember, ValidationError

MAX_NAME = 120
MAX_DESCRIPTION = 1000
MAX_STEP = 200
MAX_STEPS = 60


@dataclass(frozen=True)
class Step:
    id: int
    position: int
    title: str
    done_at: datetime | None  # None when not done (or no person was asked about)

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Pathway:
    id: int
    name: str
    link: str
    description: str
    steps: tuple[Step, ...]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def started(self) -> bool:
        return self.done > 0


def pathway_list(con, staff_id: int | None = None) -> list[Pathway]:
    """Every pathway the school lists, by name, with its steps in order.

    With `staff_id`, each step carries when that person marked it done.
    """
    cur = db.read(con)
    rows = cur.execute(
        """
        SELECT p.id, p.name, p.link, p.description, s.id, s.position, s.title, pr.done_at
        FROM pathways p
        LEFT JOIN pathway_steps s ON s.pathway_id = p.id
        LEFT JOIN pathway_progress pr ON pr.step_id = s.id AND pr.staff_id = ?
        ORDER BY p.name, s.position, s.id
        """,
        [staff_id if staff_id is not None else -1],
    ).fetchall()
    found: dict[int, tuple[tuple, list[Step]]] = {}
    for pid, name, link, desc, sid, pos, title, done_at in rows:
        head, steps = found.setdefault(pid, ((pid, name, link, desc), []))
        if sid is not None:
            steps.append(Step(sid, pos, title, done_at))
    return [Pathway(*head, steps=tuple(steps)) for head, steps in found.values()]


@authz.write(authz.SELF)
def mark_step(con, actor: StaffMember, step_id: int, done: bool = True) -> None:
    """Mark one step of a pathway done (or not done again) for this person.

    Un-marking exists for a mis-click; the audit log keeps both.
    """
    staff_id = actor.id
    with db.transaction(con) as cur:
        step = cur.execute(
            "SELECT s.title, p.name FROM pathway_steps s JOIN pathways p ON p.id = s.pathway_id "
            "WHERE s.id = ?",
            [step_id],
        ).fetchone()
        if not step:
            raise ValidationError("That pathway step no longer exists; reload the page.")
        if done:
            cur.execute(
                "INSERT INTO pathway_progress (staff_id, step_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [staff_id, step_id],
            )
        else:
            cur.execute(
                "DELETE FROM pathway_progress WHERE staff_id = ? AND step_id = ?",
                [staff_id, step_id],
            )
        db.audit(
            cur,
            staff_id,
            "pathway.step_done" if done else "pathway.step_undone",
            "pathway_step",
            step_id,
        )


@authz.write(authz.COACH)
def add_pathway(
    con, actor: StaffMember, name: str, link: str, description: str, steps: list[str]
) -> int:
    """List a new pathway (coaches and admins): a name, an http(s) link and its steps in order."""
    actor_id = actor.id
    from pdcore.growth import clean_link, clean_text

    actor = roster.by_id(con, actor_id)
    if actor is None or actor.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied("Only coaches and admins can list a pathway.")
    name = clean_text(name, "The pathway's name", MAX_NAME, required=True)
    link = clean_link(link)
    description = clean_text(description, "The description", MAX_DESCRIPTION)
    titles = [clean_text(s, "A step", MAX_STEP) for s in steps]
    titles = [t for t in titles if t]
    if not titles:
        raise ValidationError("Give the pathway at least one step (one per line).")
    if len(titles) > MAX_STEPS:
        raise ValidationError(f"A pathway can have at most {MAX_STEPS} steps.")
    with db.transaction(con) as cur:
        if cur.execute("SELECT 1 FROM pathways WHERE lower(name) = lower(?)", [name]).fetchone():
            raise ValidationError(f"There is already a pathway called {name!r}.")
        pid = cur.execute(
            "INSERT INTO pathways (name, link, description) VALUES (?, ?, ?) RETURNING id",
            [name, link, description],
        ).fetchone()[0]
        for pos, title in enumerate(titles, start=1):
            cur.execute(
                "INSERT INTO pathway_steps (pathway_id, position, title) VALUES (?, ?, ?)",
                [pid, pos, title],
            )
        db.audit(cur, actor_id, "pathway.add", "pathway", pid)
    return pid


def evidence_for(
    con, staff_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[tuple[datetime, str, str]]:
    """Steps this person finished (between `since` and `until`), as (when, sentence, link)."""
    rows = (
        db.read(con)
        .execute(
            """
        SELECT pr.done_at, s.title, p.name, p.link
        FROM pathway_progress pr
        JOIN pathway_steps s ON s.id = pr.step_id
        JOIN pathways p ON p.id = s.pathway_id
        WHERE pr.staff_id = ?
          AND (? IS NULL OR pr.done_at >= ?) AND (? IS NULL OR pr.done_at < ?)
        ORDER BY pr.done_at, p.name, s.position
        """,
            [staff_id, since, since, until, until],
        )
        .fetchall()
    )
    return [
        (when, f"Finished {title} of {name} (pathway)", link) for when, title, name, link in rows
    ]


def uptake(con) -> pd.DataFrame:
    """Per pathway: pathway, link, steps, started (people), finished (every step done)."""
    return (
        db.read(con)
        .execute(
            """
        WITH steps AS (
            SELECT p.id, p.name, p.link, count(s.id) AS steps
            FROM pathways p LEFT JOIN pathway_steps s ON s.pathway_id = p.id
            GROUP BY p.id, p.name, p.link
        ), per_person AS (
            SELECT s.pathway_id, pr.staff_id, count(*) AS done
            FROM pathway_progress pr JOIN pathway_steps s ON s.id = pr.step_id
            JOIN staff st ON st.id = pr.staff_id AND st.active
            GROUP BY s.pathway_id, pr.staff_id
        )
        SELECT steps.name AS pathway, steps.link, steps.steps,
               count(pp.staff_id) AS started,
               count(pp.staff_id) FILTER (WHERE pp.done >= steps.steps) AS finished
        FROM steps LEFT JOIN per_person pp ON pp.pathway_id = steps.id
        GROUP BY steps.id, steps.name, steps.link, steps.steps ORDER BY steps.name
        """
        )
        .df()
    )
