"""Cohort formation on the school's data: suggestions, unmatched staff, preview then apply.

Reads people, cohorts and rules from the database (whatever filled it: the app, a Sheets
sync or a file import), hands plain data to the pure engine in pdcore.matching, and writes
an accepted plan school by school, one transaction each. Existing cohorts are never broken up.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import pandas as pd

from pdcore import authz, clock, cohorts, db, matching, notices, roster, settings, topics
from pdcore.model import PermissionDenied, StaffMember, ValidationError


@dataclass(frozen=True)
class SchoolData:
    """Everything the engine needs, as plain data."""

    people: dict[int, matching.Person]  # every active staff member with survey answers
    cohorts: list[matching.Cohort]  # active group cohorts with their current members
    topics: list[matching.Topic]
    rules: matching.Rules
    slot_labels: dict[int, str]
    topic_names: dict[int, str]
    staff: dict[int, tuple[str, str, str, str]]  # id -> (name, email, department, school)
    placed: set[int]  # in an active cohort or individual project
    waiting_since: dict[int, date]  # when each unplaced person started waiting


_PEOPLE_SQL = """
    WITH ranked AS (
        SELECT i.staff_id, array_agg(coalesce(t.merged_into, t.id) ORDER BY i.rank) AS choices
        FROM interests i JOIN topics t ON t.id = i.topic_id GROUP BY i.staff_id
    ), free AS (
        SELECT staff_id, array_agg(slot_id) AS slot_ids FROM availability GROUP BY staff_id
    ), named AS (
        SELECT c.staff_id, array_agg(c.colleague_id) AS named FROM colleague_requests c
        JOIN staff o ON o.id = c.colleague_id AND o.active AND o.role = 'teacher'
        GROUP BY c.staff_id
    )
    SELECT s.id, s.name, s.email, s.department, s.school,
           r.staff_id IS NOT NULL OR p.staff_id IS NOT NULL AS answered,
           p.mode, p.priority, p.dept_pref,
           coalesce(ranked.choices, ARRAY[]::INTEGER[]), coalesce(free.slot_ids, ARRAY[]::INTEGER[]),
           coalesce(named.named, ARRAY[]::INTEGER[])
    FROM staff s
    LEFT JOIN survey_responses r ON r.staff_id = s.id
    LEFT JOIN learning_prefs p ON p.staff_id = s.id
    LEFT JOIN ranked ON ranked.staff_id = s.id
    LEFT JOIN free ON free.staff_id = s.id
    LEFT JOIN named ON named.staff_id = s.id
    WHERE s.active AND s.role = 'teacher'
"""


def _read_people(rows, staff: dict, people: dict) -> None:
    """Rows of _PEOPLE_SQL into staff (everyone) and people (those who answered)."""
    for sid, name, email, dept, school, answered, mode, priority, dept_pref, *lists in rows:
        dept, school = sys.intern(dept), sys.intern(school)
        staff[sid] = (name, email, dept, school)
        if not answered:
            continue  # never answered the survey: nothing to match on
        choices, slot_ids, named = lists
        people[sid] = matching.Person(
            id=sid,
            name=name,
            department=dept,
            school=school,
            choices=tuple(dict.fromkeys(choices))[:3],
            mode=mode or "cohort",
            priority=priority or "when",
            slots=frozenset(slot_ids),
            colleagues=frozenset(named),
            dept_pref=dept_pref or "none",
        )


def why_here(con, staff_id: int) -> matching.MemberFit | None:
    """How a teacher's wishes are met in their current cohort, in the words of the formation
    preview's quality card; None when they are in no group cohort or gave no answers."""
    info = cohorts.current_cohort(con, staff_id)
    if info is None or info.kind != "cohort":
        return None
    staff: dict = {}
    people: dict = {}
    _read_people(
        db.read(con)
        .execute(_PEOPLE_SQL + " AND s.id = ANY(?)", [list(info.member_ids)])
        .fetchall(),
        staff,
        people,
    )
    me = people.get(staff_id)
    if me is None:
        return None
    others = [
        people.get(m) or matching.Person(id=m, name=staff[m][0], department=staff[m][2])
        for m in info.member_ids
        if m != staff_id and m in staff
    ]
    return matching.member_fit(
        me, others, info.topic_id, info.slot_id, info.topic, info.slot_label or "time to be agreed"
    )


def load(con, today: date | None = None) -> SchoolData:
    """Read the school into plain data (a handful of queries, whatever the size)."""
    today = today or clock.today()
    cur = db.read(con)
    conf = settings.load(con)
    rules = matching.Rules(
        min_size=conf.min_size,
        max_size=conf.max_size,
        ideal_min=conf.ideal_min,
        ideal_max=conf.ideal_max,
        offer_threshold=conf.offer_threshold,
    )
    # One row per active teacher with their survey answers as lists, read in batches so a
    # district of 50,000 never holds every row twice (see benchmarks/README.md, memory).
    staff: dict[int, tuple[str, str, str, str]] = {}
    people: dict[int, matching.Person] = {}
    cur.execute(_PEOPLE_SQL)
    while batch := cur.fetchmany(5000):
        _read_people(batch, staff, people)
    group_cohorts, placed = [], set()
    for c in cohorts.active_cohorts(con):
        placed.update(c.member_ids)
        if c.kind != "individual":
            group_cohorts.append(
                matching.Cohort(c.id, c.topic_id, c.name, c.slot_id, c.member_ids, c.school)
            )
    topic_rows = topics.topic_list(con, include_retired=True)
    engine_topics = [
        matching.Topic(
            t.id,
            t.name,
            "offered" if t.is_offered else t.status if t.status == "retired" else "proposed",
        )
        for t in topic_rows
    ]
    waiting_since = {}
    for sid, left, created in cur.execute(
        "SELECT s.id, max(m.left_at), s.created_at FROM staff s "
        "LEFT JOIN memberships m ON m.staff_id = s.id WHERE s.active GROUP BY s.id, s.created_at"
    ).fetchall():
        start = max(d for d in (conf.season_start, left and left.date(), created.date()) if d)
        waiting_since[sid] = min(start, today)
    return SchoolData(
        people=people,
        cohorts=group_cohorts,
        topics=engine_topics,
        rules=rules,
        slot_labels={s.id: s.label for s in roster.slots(con)},
        topic_names={t.id: t.name for t in topic_rows},
        staff=staff,
        placed=placed,
        waiting_since=waiting_since,
    )


def suggestions_for(con, staff_id: int, topic_id: int | None = None) -> list[matching.CohortFit]:
    """Existing cohorts of a topic (default: the person's first choice) ranked by fit for them,
    each with its reasons in plain words. Full cohorts come last with open_seats == 0."""
    data = load(con)
    person = data.people.get(staff_id)
    if person is None:
        name, _email, dept, school = data.staff.get(staff_id, ("", "", "", ""))
        person = matching.Person(id=staff_id, name=name, department=dept, school=school)
    return matching.rank_cohorts_for(
        person, data.cohorts, data.people, data.rules, data.slot_labels, topic_id
    )


# ------------------------------------------------------------------ preview and apply


@dataclass(frozen=True)
class FormationPlan:
    """A proposed formation and the names to show it; nothing is written until apply()."""

    formation: matching.Formation
    data: SchoolData = field(repr=False)
    # An admin's steering: placements kept on a re-run, pairs never put together, and the
    # plan before the last change (undo).
    locked: frozenset[int] = frozenset()
    apart: frozenset[tuple[int, int]] = frozenset()
    previous: FormationPlan | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _cohort_names(self) -> dict[int, str]:
        return {c.id: c.name for c in self.data.cohorts}

    # -------------------------------------------------------------- steering

    def seat_of(self, pid: int) -> tuple[str, int] | None:
        """("new", index of the proposed cohort) or ("join", existing cohort id), or None."""
        for k, new in enumerate(self.formation.new_cohorts):
            if pid in new.member_ids:
                return ("new", k)
        for cohort_id, member in self.formation.joins:
            if member == pid:
                return ("join", cohort_id)
        return None

    def members(self, seat: tuple[str, int]) -> list[int]:
        """Everyone in a proposed cohort, or in an existing one once the plan is applied."""
        kind, key = seat
        if kind == "new":
            return list(self.formation.new_cohorts[key].member_ids)
        cohort = next(c for c in self.data.cohorts if c.id == key)
        return [*cohort.member_ids, *(p for c, p in self.formation.joins if c == key)]

    def seat_label(self, seat: tuple[str, int]) -> str:
        kind, key = seat
        if kind == "new":
            return f"{new_cohort_name(self.data, self.formation.new_cohorts[key])} (proposed)"
        return f"{self.cohort_name(key)} (existing)"

    def _seat_info(self, seat: tuple[str, int]) -> tuple[int, int | None, str]:
        kind, key = seat
        if kind == "new":
            new = self.formation.new_cohorts[key]
            return new.topic_id, new.slot_id, new.school
        cohort = next(c for c in self.data.cohorts if c.id == key)
        return cohort.topic_id, cohort.slot_id, cohort.school

    def seats_for(self, pid: int) -> list[tuple[str, int]]:
        """Where an admin may move a person: proposed or existing cohorts in their school, on
        one of their topics, with room, at a time they are free for WHEN priority, and with
        nobody they must not be with."""
        person = self.data.people.get(pid)
        if person is None:
            return []
        here = self.seat_of(pid)
        seats = [("new", k) for k in range(len(self.formation.new_cohorts))]
        seats += [("join", c.id) for c in self.data.cohorts]
        return [s for s in seats if s != here and self._refusal(person, s) is None]

    def _refusal(self, person: matching.Person, seat: tuple[str, int]) -> str | None:
        topic, slot, school = self._seat_info(seat)
        members = self.members(seat)
        label = self.seat_label(seat)
        if school != person.school:
            return f"{label} is in another school."
        if topic not in person.choices:
            return f"{label} is not on one of {person.name}'s topics."
        if person.priority != "who" and (slot is None or slot not in person.slots):
            return f"{person.name} is not free when {label} meets."
        if len(members) >= self.data.rules.max_size:
            return f"{label} is full ({self.data.rules.max_size} is the maximum)."
        for a, b in self.apart:
            other = b if a == person.id else a if b == person.id else None
            if other in members:
                name = self.data.staff.get(other, ("someone",))[0]
                return f"{person.name} and {name} are never to be together."
        return None

    def move(self, pid: int, seat: tuple[str, int]) -> FormationPlan:
        """The plan with one person moved (from a cohort, or from the unplaced) and locked
        there, so a re-run keeps them; ValidationError says why a move is refused."""
        person = self.data.people.get(pid)
        if person is None or pid in self.data.placed:
            raise ValidationError("Only people the plan is placing can be moved.")
        refusal = self._refusal(person, seat)
        if refusal:
            raise ValidationError(refusal)
        here = self.seat_of(pid)
        low = self.data.rules.min_size
        if here and here[0] == "new":
            left = len(self.formation.new_cohorts[here[1]].member_ids) - 1
            if 0 < left < low:
                raise ValidationError(
                    f"{self.seat_label(here)} would keep {left} member(s), under the minimum "
                    f"of {low}: move the others first, or lock and re-run."
                )
        f = self.formation
        joins = [(c, p) for c, p in f.joins if p != pid]
        new = [
            replace(n, member_ids=tuple(m for m in n.member_ids if m != pid)) for n in f.new_cohorts
        ]
        if seat[0] == "join":
            joins.append((seat[1], pid))
        else:
            target = new[seat[1]]
            new[seat[1]] = replace(target, member_ids=tuple(sorted((*target.member_ids, pid))))
        formation = matching.Formation(
            joins=tuple(sorted(joins)),
            new_cohorts=tuple(n for n in new if n.member_ids),
            unplaced=tuple(u for u in f.unplaced if u.person_id != pid),
        )
        return replace(self, formation=formation, locked=self.locked | {pid}, previous=self)

    def toggle_lock(self, pid: int) -> FormationPlan:
        locked = self.locked - {pid} if pid in self.locked else self.locked | {pid}
        return replace(self, locked=locked, previous=self)

    def never_together(self, a: int, b: int) -> FormationPlan:
        """The pair is kept apart from the next re-run on (a lock of both in one cohort is
        dropped: the pair rule wins)."""
        if a == b:
            raise ValidationError("Pick two different people.")
        seat = self.seat_of(a)
        locked = self.locked
        if seat is not None and seat == self.seat_of(b):
            locked = locked - {a, b}
        pair = (min(a, b), max(a, b))
        return replace(self, apart=self.apart | {pair}, locked=locked, previous=self)

    def undo(self) -> FormationPlan:
        return self.previous or self

    def rerun(self, seed: int = 0) -> FormationPlan:
        """The engine again around the locks: locked people stay where they are (a proposed
        cohort with locked members is kept and may grow), everyone else is placed afresh,
        and no never-together pair shares a cohort."""
        data, f, locked = self.data, self.formation, self.locked
        kept_joins = [(c, p) for c, p in f.joins if p in locked]
        extra: dict[int, list[int]] = {}
        for c, p in kept_joins:
            extra.setdefault(c, []).append(p)
        fixed = [replace(c, member_ids=(*c.member_ids, *extra.get(c.id, ()))) for c in data.cohorts]
        kept = {}
        for k, n in enumerate(f.new_cohorts):
            members = tuple(m for m in n.member_ids if m in locked)
            if members:
                kept[-(k + 1)] = matching.Cohort(
                    -(k + 1), n.topic_id, new_cohort_name(data, n), n.slot_id, members, n.school
                )
        todo = [p for pid, p in data.people.items() if pid not in data.placed and pid not in locked]
        formation = matching.form_cohorts(
            todo,
            [*fixed, *kept.values()],
            data.topics,
            data.rules,
            data.slot_labels,
            data.topic_names,
            seed=seed,
            members_by_id=data.people,
            apart=sorted(self.apart),
        )
        joins = [(c, p) for c, p in formation.joins if c > 0] + kept_joins
        new = list(formation.new_cohorts)
        for cid, c in kept.items():
            grown = tuple(p for k, p in formation.joins if k == cid)
            new.append(
                matching.NewCohort(
                    c.topic_id, c.slot_id, tuple(sorted((*c.member_ids, *grown))), c.school, c.name
                )
            )
        result = matching.Formation(tuple(sorted(joins)), tuple(new), formation.unplaced)
        return replace(self, formation=result, previous=self)

    def card(self, seat: tuple[str, int]) -> pd.DataFrame:
        """The quality card of one cohort: per member, how each wish is met."""
        topic, slot, _school = self._seat_info(seat)
        members = self.members(seat)
        people = {m: self._person(m) for m in members}
        rows = []
        for m in members:
            fit = matching.member_fit(
                people[m],
                [people[o] for o in members if o != m],
                topic,
                slot,
                self.data.topic_names.get(topic, "?"),
                self.data.slot_labels.get(slot, "time to be agreed"),
            )
            status = (
                "locked" if m in self.locked else ("already in it" if m in self.data.placed else "")
            )
            rows.append({"name": people[m].name, **fit.words(), "status": status})
        return pd.DataFrame(
            rows, columns=["name", "topic", "time", "named colleagues", "department", "status"]
        )

    def _person(self, pid: int) -> matching.Person:
        name, _email, dept, school = self.data.staff.get(pid, ("?", "", "", ""))
        return self.data.people.get(pid) or matching.Person(
            id=pid, name=name, department=dept, school=school
        )

    def cohort_name(self, cohort_id: int) -> str:
        """The name of an existing cohort the plan fills."""
        return self._cohort_names.get(cohort_id, f"#{cohort_id}")

    def summary(self) -> str:
        """The plan in one sentence, naming only what it would do."""
        f = self.formation
        joined, into = len(f.joins), len({c for c, _ in f.joins})
        fresh = sum(len(n.member_ids) for n in f.new_cohorts)
        left = len(f.unplaced)
        still = (
            f"{left} stay unplaced (reasons below)."
            if left
            else "Everyone who asked for a cohort would have one."
        )
        if not joined and not fresh:
            if not left:
                return "Everyone who asked for a cohort already has one."
            return f"Nobody can be placed right now; {still}"
        parts = []
        if joined:
            parts.append(f"{joined} into open seats of {into} existing cohort(s)")
        if fresh:
            parts.append(f"{fresh} into {len(f.new_cohorts)} new cohort(s)")
        return f"Would place {joined + fresh} people: {' and '.join(parts)}. {still}"

    def table(self) -> pd.DataFrame:
        """One row per person the plan places."""
        rows = []
        for cohort_id, pid in self.formation.joins:
            rows.append(("Join existing", self.cohort_name(cohort_id), *self._who(pid)))
        for new in self.formation.new_cohorts:
            for pid in new.member_ids:
                rows.append(("New cohort", new_cohort_name(self.data, new), *self._who(pid)))
        return pd.DataFrame(rows, columns=["action", "cohort", "name", "email", "department"])

    def unplaced_table(self) -> pd.DataFrame:
        rows = [
            (*self._who(u.person_id)[:2], u.reason, "; ".join(u.suggestions))
            for u in self.formation.unplaced
        ]
        return pd.DataFrame(rows, columns=["name", "email", "reason", "suggestion"])

    def _who(self, pid: int) -> tuple[str, str, str]:
        name, email, dept, _school = self.data.staff.get(pid, ("?", "?", "?", ""))
        return name, email, dept


def new_cohort_name(data: SchoolData, new: matching.NewCohort) -> str:
    if new.name:
        return new.name
    topic = data.topic_names.get(new.topic_id, "Cohort")
    slot = data.slot_labels.get(new.slot_id, "time to be agreed")
    return f"{topic}, {slot}"


def preview(con, today: date | None = None, seed: int = 0) -> FormationPlan:
    """What auto-formation would do for everyone still unplaced (nothing is written)."""
    data = load(con, today)
    todo = [p for pid, p in data.people.items() if pid not in data.placed]
    formation = matching.form_cohorts(
        todo,
        data.cohorts,
        data.topics,
        data.rules,
        data.slot_labels,
        data.topic_names,
        seed=seed,
        members_by_id=data.people,
    )
    return FormationPlan(formation, data)


@dataclass(frozen=True)
class ApplyResult:
    joined: int
    created: int
    skipped: list[str]

    def summary(self) -> str:
        text = f"Placed {self.joined} people; {self.created} new cohort(s) created."
        if self.skipped:
            text += f" {len(self.skipped)} change(s) skipped because the data changed since the preview."
        return text


@authz.write(authz.ADMIN)
def apply(con, actor, plan: FormationPlan) -> ApplyResult:
    """Write a previewed plan school by school, each school in its own transaction, re-checking
    every seat as it goes (so a district's apply never holds the write lock for long: joins
    elsewhere wait for one school at most).

    A seat that someone took since the preview, or a person who joined a cohort meanwhile,
    is skipped and reported; a new cohort left below the minimum size is not created.
    Everyone placed is told on Home.
    """
    actor_id = actor.id
    data = plan.data
    joins_by_school: dict[str, list[tuple[int, int]]] = {}
    for cohort_id, pid in plan.formation.joins:
        school = data.staff.get(pid, ("", "", "", ""))[3]
        joins_by_school.setdefault(school, []).append((cohort_id, pid))
    new_by_school: dict[str, list[matching.NewCohort]] = {}
    for new in plan.formation.new_cohorts:
        new_by_school.setdefault(new.school, []).append(new)
    result = ApplyResult(0, 0, [])
    for k, school in enumerate(sorted(set(joins_by_school) | set(new_by_school))):
        if k:
            time.sleep(0.005)  # the write lock is not fair: let a waiting join in first
        part = _apply_school(
            con, data, joins_by_school.get(school, []), new_by_school.get(school, []), actor_id
        )
        result = ApplyResult(
            result.joined + part.joined,
            result.created + part.created,
            result.skipped + part.skipped,
        )
    return result


def _apply_school(con, data: SchoolData, joins, new_cohorts, actor_id) -> ApplyResult:
    """One school's share of a plan, in one transaction."""
    joined, created, skipped = 0, 0, []
    with db.transaction(con) as cur:
        for cohort_id, pid in joins:
            try:
                cohorts.add_member(cur, cohort_id, pid, "placed", actor_id)
                joined += 1
                _close_place_me(cur, pid, actor_id)
                _tell_placed(cur, pid, cohort_id)
            except cohorts.ValidationError as exc:
                skipped.append(f"{data.staff.get(pid, ('?',))[0]}: {exc}")
        names_taken = {r[0] for r in cur.execute("SELECT name FROM cohorts").fetchall()}
        for new in new_cohorts:
            free = [
                pid
                for pid in new.member_ids
                if not cur.execute(
                    "SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
                    "WHERE m.staff_id = ? AND m.left_at IS NULL AND c.status = 'active'",
                    [pid],
                ).fetchone()
            ]
            name = _unique(new_cohort_name(data, new), names_taken)
            if len(free) < data.rules.min_size:
                skipped.append(f"{name}: too few of its members are still free.")
                continue
            cohort_id = cohorts.create_cohort(
                cur,
                topic_id=new.topic_id,
                name=name,
                slot_id=new.slot_id,
                school=new.school,
                created_by=actor_id,
            )
            names_taken.add(name)
            created += 1
            for pid in free:
                cohorts.add_member(cur, cohort_id, pid, "placed", actor_id)
                joined += 1
                _close_place_me(cur, pid, actor_id)
                _tell_placed(cur, pid, cohort_id)
        db.audit(cur, actor_id, "formation.apply", detail=f'{{"joined": {joined}}}')
    return ApplyResult(joined, created, skipped)


def _tell_placed(cur, staff_id: int, cohort_id: int) -> None:
    name = cur.execute("SELECT name FROM cohorts WHERE id = ?", [cohort_id]).fetchone()[0]
    notices.notify(cur, staff_id, f"You were placed in the cohort {name} (automatic formation).")


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def _close_place_me(cur, staff_id: int, actor_id: int | None) -> None:
    cur.execute(
        "UPDATE help_requests SET status = 'done', resolved_at = current_localtimestamp(), "
        "resolved_by = ? WHERE staff_id = ? AND kind = 'place_me' AND status = 'open'",
        [actor_id, staff_id],
    )


# ------------------------------------------------------------------ mid-year


@dataclass(frozen=True)
class MidYearSuggestion:
    """Something an admin could do for a cohort that has thinned out."""

    kind: str  # 'seat' (move the last member into an open cohort) | 'merge' (two small ones)
    cohort_ids: tuple[int, ...]  # the thin cohort first
    staff_id: int | None  # the person to seat, for 'seat'
    text: str  # one sentence, names as written (escape before rendering as markdown)


def mid_year_suggestions(
    con, data: SchoolData | None = None, school: str | None = None
) -> list[MidYearSuggestion]:
    """For every group cohort down to one member: seat that person in the open cohort that
    suits them best (ranked by the engine's own scorer, only cohorts a WHEN-priority person
    is free for), or merge with another small cohort of its topic at its time; and for two
    cohorts below the ideal size on one topic at one time in one school, a merge when
    together they fit the maximum. Only `school`'s cohorts when given (see authz.scope).
    Nothing is written."""
    data = data or load(con)
    rules = data.rules
    names = {c.id: c.name for c in data.cohorts}
    out: list[MidYearSuggestion] = []
    small = [
        c
        for c in data.cohorts
        if len(c.member_ids) < rules.ideal_min and (school is None or c.school == school)
    ]
    merged: set[frozenset[int]] = set()
    seated: set[int] = set()  # thin cohorts whose last member already has a seat suggested
    for c in sorted(small, key=lambda c: (len(c.member_ids), c.id)):
        if c.id in seated:
            continue
        partners = [
            o
            for o in small
            if o.id != c.id
            and o.id not in seated
            and (o.school, o.topic_id, o.slot_id) == (c.school, c.topic_id, c.slot_id)
            and len(o.member_ids) + len(c.member_ids) <= rules.max_size
        ]
        if len(c.member_ids) == 1:
            pid = c.member_ids[0]
            seat = _best_open_cohort(data, pid, exclude=c.id)
            if seat is not None:
                fit, cohort = seat
                who = data.staff.get(pid, ("?",))[0]
                out.append(
                    MidYearSuggestion(
                        "seat",
                        (c.id, cohort.id),
                        pid,
                        f"{c.name} is down to one member: seat {who} in {cohort.name} "
                        f"({fit.sentence()}; {fit.open_seats} open seat"
                        f"{'s' if fit.open_seats != 1 else ''}).",
                    )
                )
                seated.add(c.id)
                continue
        for o in partners:
            pair = frozenset({c.id, o.id})
            if pair in merged:
                continue
            merged.add(pair)
            topic = data.topic_names.get(c.topic_id, "their topic")
            slot = data.slot_labels.get(c.slot_id, "no set time")
            n = len(c.member_ids) + len(o.member_ids)
            out.append(
                MidYearSuggestion(
                    "merge",
                    (c.id, o.id),
                    None,
                    f"Merge {names[c.id]} and {names[o.id]}: both meet {slot} on {topic}; "
                    f"together {n} members.",
                )
            )
            break
    return out


@authz.write(authz.ADMIN)
def seat_lone_member(con, actor: StaffMember, suggestion: MidYearSuggestion) -> str:
    """Carry out a 'seat' suggestion in one transaction: the last member leaves the thinned
    cohort (which closes, keeping its history) and joins the suggested one. Admins only."""
    if suggestion.kind != "seat" or suggestion.staff_id is None:
        raise ValidationError("Only a suggestion to seat someone can be carried out here.")
    thin, target = suggestion.cohort_ids
    pid = suggestion.staff_id
    with db.transaction(con) as cur:
        school = cur.execute("SELECT school FROM staff WHERE id = ?", [pid]).fetchone()
        if school is None or (actor.school and school[0] != actor.school):
            raise PermissionDenied("They are in another school; its admins can move them.")
        if not cohorts.is_member(cur, thin, pid):
            raise ValidationError("They have already left that cohort; refresh the page.")
        cohorts._end_membership(cur, thin, pid, "moved: the cohort was down to one member")
        cohorts._close_if_empty(cur, thin, actor.id)
        cohorts.add_member(cur, target, pid, "placed", actor.id)
        _tell_placed(cur, pid, target)
        db.audit(cur, actor.id, "cohort.seat_lone_member", "cohort", target)
    return f"Seated {roster_name(con, pid)} in {cohorts.get(con, target).name}."


def roster_name(con, staff_id: int) -> str:
    person = roster.by_id(con, staff_id)
    return person.name if person else "them"


def _best_open_cohort(data: SchoolData, pid: int, exclude: int):
    """The open cohort the engine's scorer ranks best for one person, among their topics
    (and times, for WHEN priority), with its fit; None when none."""
    name, _email, dept, school = data.staff.get(pid, ("", "", "", ""))
    person = data.people.get(pid) or matching.Person(id=pid, name=name, department=dept)
    others = [c for c in data.cohorts if c.id != exclude and c.school == school]
    best = None
    for topic_id in dict.fromkeys(person.choices):
        for fit in matching.rank_cohorts_for(
            person, others, data.people, data.rules, data.slot_labels, topic_id
        ):
            cohort = next(c for c in others if c.id == fit.cohort_id)
            free = cohort.slot_id is not None and cohort.slot_id in person.slots
            if fit.open_seats <= 0 or (person.priority != "who" and not free):
                continue
            if best is None or fit.score > best[0].score:
                best = (fit, cohort)
    return best


# ------------------------------------------------------------------ unmatched staff


@dataclass(frozen=True)
class UnmatchedPerson:
    staff_id: int
    email: str
    name: str
    department: str
    school: str
    days_waiting: int
    choices: tuple[str, ...]
    reason: str
    suggestions: tuple[str, ...]
    place_me: bool


def unmatched(con, today: date | None = None, school: str | None = None) -> list[UnmatchedPerson]:
    """Every active teacher with no cohort and no individual project (of one `school` when
    given, see authz.scope), with the engine's reason and suggestions (what auto-formation
    would do for them comes first)."""
    today = today or clock.today()
    plan = preview(con, today)
    data = plan.data
    engine_says = {u.person_id: u for u in plan.formation.unplaced}
    would_place = {}
    for cohort_id, pid in plan.formation.joins:
        would_place[pid] = f"auto-formation would seat them in {plan.cohort_name(cohort_id)}"
    for new in plan.formation.new_cohorts:
        for pid in new.member_ids:
            would_place[pid] = (
                f"auto-formation would form {new_cohort_name(data, new)} "
                f"with {len(new.member_ids) - 1} others"
            )
    asked = {
        r[0]
        for r in db.read(con)
        .execute("SELECT staff_id FROM help_requests WHERE kind = 'place_me' AND status = 'open'")
        .fetchall()
    }
    out = []
    for sid, (name, email, dept, staff_school) in sorted(
        data.staff.items(), key=lambda kv: kv[1][0]
    ):
        if sid in data.placed or (school is not None and staff_school != school):
            continue
        person = data.people.get(sid)
        if person is None:
            reason = "has not answered the interest survey"
            suggestions = ("ask them to take the two-minute survey", "talk to a coach")
        elif person.mode == "individual":
            reason = "wants an individual project but has not started one"
            suggestions = ("start an individual project on their first choice",)
        elif sid in engine_says:
            reason, suggestions = engine_says[sid].reason, engine_says[sid].suggestions
        else:
            reason = "not placed yet"
            suggestions = (would_place.get(sid, "run auto-formation"),)
        out.append(
            UnmatchedPerson(
                staff_id=sid,
                email=email,
                name=name,
                department=dept,
                school=staff_school,
                days_waiting=(today - data.waiting_since.get(sid, today)).days,
                choices=tuple(
                    data.topic_names.get(t, "?") for t in (person.choices if person else ())
                ),
                reason=reason,
                suggestions=tuple(suggestions),
                place_me=sid in asked,
            )
        )
    return out


def unmatched_frame(con, today: date | None = None, school: str | None = None) -> pd.DataFrame:
    """The `export unmatched` table (email, name, topic, reason, suggestion) plus context, of
    one `school` when given."""
    rows = [
        {
            "email": u.email,
            "name": u.name,
            "department": u.department,
            "topic": u.choices[0] if u.choices else "",
            "choices": "; ".join(u.choices),
            "days_waiting": u.days_waiting,
            "reason": u.reason,
            "suggestion": "; ".join(u.suggestions),
            "asked_to_be_placed": u.place_me,
        }
        for u in unmatched(con, today, school)
    ]
    columns = [
        "email",
        "name",
        "department",
        "topic",
        "choices",
        "days_waiting",
        "reason",
        "suggestion",
        "asked_to_be_placed",
    ]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------ command line


def register_cli(sub) -> None:
    p = sub.add_parser(
        "form-cohorts",
        help="place everyone still unplaced: fill open seats, then form new cohorts",
        description="Preview (and unless --dry-run, apply school by school) auto-formation "
        "for every active teacher with no cohort. Existing cohorts are never broken up.",
    )
    p.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    p.set_defaults(run=_cmd_form_cohorts)


def _cmd_form_cohorts(args: argparse.Namespace) -> int:
    con = db.connect(args.db)
    plan = preview(con)
    print(plan.summary())
    table = plan.table()
    if not table.empty:
        print(table.to_string(index=False))
    unplaced = plan.unplaced_table()
    if not unplaced.empty:
        print("\nStill unplaced:")
        print(unplaced.to_string(index=False))
    if args.dry_run:
        print("\nDry run: nothing was written.")
        return 0
    result = apply(con, authz.COMMAND_LINE, plan)
    print("\n" + result.summary())
    for line in result.skipped:
        print(f"warning: {line}")
    return 0
