"""'A short list for me': at most three suggestions, each with one sentence of why.

For teachers who feel overwhelmed by choice. Drawn from their survey answers (ranked topics,
how they want to learn), their department and their availability: cohorts of their topics
with open seats at a slot they are free, named colleagues, colleagues from their department
who chose the same topic and have no group yet, an individual project or expert-led option.

:func:`pick` is pure (plain data in, suggestions out) so the rules are unit-tested;
:func:`short_list` gathers the data from the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pdcore import cohorts, db, formation, matching, roster, survey, topics

LIMIT = 3
RANK_WORDS = ("first", "second", "third")


@dataclass(frozen=True)
class Seeker:
    """The person asking, as the short list sees them."""

    id: int
    department: str
    choices: tuple[int, ...] = ()  # topic ids, ranked
    mode: str = "cohort"
    priority: str = "when"
    dept_pref: str = "none"
    slots: frozenset[int] = frozenset()
    colleagues: frozenset[int] = frozenset()  # people they named
    left: frozenset[int] = frozenset()  # cohorts they have left: not suggested again


@dataclass(frozen=True)
class Option:
    """An active cohort in the person's school with at least one open seat."""

    cohort_id: int
    topic_id: int
    name: str
    slot_id: int | None
    slot_label: str
    open_seats: int
    members: tuple[matching.Person, ...] = ()  # with their answers, where known


@dataclass(frozen=True)
class Suggestion:
    kind: str  # 'join' | 'start' | 'individual' | 'expert'
    title: str
    why: str  # one sentence
    topic_id: int | None = None
    cohort_id: int | None = None
    slot_id: int | None = None
    score: float = field(default=0.0, compare=False)


def _rank_of(seeker: Seeker, topic_id: int) -> int | None:
    return seeker.choices.index(topic_id) if topic_id in seeker.choices else None


def _score_option(seeker: Seeker, option: Option, rules: matching.Rules) -> tuple[float, list[str]]:
    """A fit score and the reasons behind it, in the order a person would say them. The
    score is the engine's own (matching.join_score), as on Find a group."""
    me = matching.Person(
        id=seeker.id,
        name="",
        department=seeker.department,
        choices=seeker.choices,
        mode=seeker.mode,
        priority=seeker.priority,
        slots=seeker.slots,
        colleagues=seeker.colleagues,
        dept_pref=seeker.dept_pref,
    )
    score = matching.join_score(me, option.members, option.topic_id, option.slot_id, rules)
    parts = []
    rank = _rank_of(seeker, option.topic_id)
    if rank is not None:
        parts.append(f"your {RANK_WORDS[rank]} choice")
    if option.slot_label:
        if option.slot_id in seeker.slots:
            parts.append(f"meets {option.slot_label}, when you are free")
        else:
            parts.append(f"meets {option.slot_label}")
    named = [m.name for m in option.members if m.id in seeker.colleagues]
    if named:
        parts.append(" and ".join(named[:2]) + (" is" if len(named) == 1 else " are") + " in it")
    asked = [
        m.name
        for m in option.members
        if seeker.id in m.colleagues and m.id not in seeker.colleagues
    ]
    if asked:
        parts.append(" and ".join(asked[:2]) + " asked to work with you")
    same = sum(1 for m in option.members if m.department == seeker.department)
    others = len(option.members) - same
    if seeker.dept_pref == "mix":
        if others:
            parts.append(f"{others} from other departments")
    elif same:
        parts.append(f"{same} from {seeker.department or 'your department'}")
    parts.append(f"{option.open_seats} open seat{'s' if option.open_seats != 1 else ''}")
    return score, parts


def _sentence(parts: Sequence[str]) -> str:
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] + "."


def pick(
    seeker: Seeker,
    options: Sequence[Option],
    topic_names: Mapping[int, str],
    *,
    slot_labels: Mapping[int, str] | None = None,
    peers_without_group: Mapping[int, int] | None = None,
    expert_topics: frozenset[int] = frozenset(),
    rules: matching.Rules | None = None,
    limit: int = LIMIT,
) -> list[Suggestion]:
    """At most `limit` suggestions, best first, each with one sentence of why.

    Cohorts are drawn only from the person's chosen topics (any topic when they chose none),
    ranked by the engine's score (so the best cohort Find a group shows for a topic is the
    best of that topic here too); an individual-project or expert-led wish comes first when
    they said so.
    """
    rules = rules or matching.Rules()
    slot_labels = slot_labels or {}
    peers_without_group = peers_without_group or {}
    out: list[Suggestion] = []
    first = seeker.choices[0] if seeker.choices else None
    if seeker.mode == "individual" and first is not None:
        out.append(
            Suggestion(
                "individual",
                f"An individual project on {topic_names.get(first, 'your topic')}",
                "You said you would rather work on your own: set your own goal and keep "
                "the same meeting and reflection log as a cohort.",
                topic_id=first,
            )
        )
    if seeker.mode == "expert":
        expert = next((t for t in seeker.choices if t in expert_topics), None)
        if expert is not None:
            out.append(
                Suggestion(
                    "expert",
                    f"The expert-led option in {topic_names.get(expert, 'your topic')}",
                    "You said you would like to learn from an expert, and the school offers "
                    "one for this topic.",
                    topic_id=expert,
                )
            )
    wanted = set(seeker.choices)
    scored = []
    for option in options:
        if option.open_seats <= 0 or (wanted and option.topic_id not in wanted):
            continue
        if option.cohort_id in seeker.left:
            continue
        score, parts = _score_option(seeker, option, rules)
        scored.append((score, option, parts))
    scored.sort(key=lambda s: (-s[0], s[1].cohort_id))
    # Three cohorts meeting at the same time are one choice, not three: the best cohort of
    # each (topic, slot) goes first, the rest only fill remaining places.
    seen: set[tuple[int, int | None]] = set()
    distinct, repeats = [], []
    for item in scored:
        key = (item[1].topic_id, item[1].slot_id)
        (repeats if key in seen else distinct).append(item)
        seen.add(key)
    ranked = distinct + repeats
    # Find a group's best cohort on the first choice (same score) is always on the list when
    # the person can make it, even when cohorts on later choices score higher.
    room = limit - len(out)
    on_first = [x for x in scored if first is not None and x[1].topic_id == first]
    if on_first and on_first[0][0] > -matching.W_PLACE / 2 and on_first[0] not in ranked[:room]:
        ranked = [*ranked[: max(0, room - 1)], on_first[0]]
    for score, option, parts in ranked:
        if len(out) >= limit:
            break
        out.append(
            Suggestion(
                "join",
                f"Join {option.name}",
                _sentence(parts),
                topic_id=option.topic_id,
                cohort_id=option.cohort_id,
                slot_id=option.slot_id,
                score=score,
            )
        )
    # Colleagues from the same department on the same topic, with no group yet: start one.
    for rank, topic_id in enumerate(seeker.choices):
        if len(out) >= limit:
            break
        peers = peers_without_group.get(topic_id, 0)
        if peers < 1:
            continue
        slot_id = min(seeker.slots) if seeker.slots else None
        when = f" at {slot_labels[slot_id]}" if slot_id in slot_labels else ""
        out.append(
            Suggestion(
                "start",
                f"Start a cohort on {topic_names.get(topic_id, 'your topic')}{when}",
                f"Your {RANK_WORDS[rank]} choice, and {peers} "
                f"colleague{'s' if peers != 1 else ''} from {seeker.department or 'your department'} "
                f"chose it too and {'have' if peers != 1 else 'has'} no group yet.",
                topic_id=topic_id,
                slot_id=slot_id,
            )
        )
    return out[:limit]


def short_list(con, staff_id: int) -> list[Suggestion]:
    """The short list for one person, from the database (see :func:`pick`)."""
    me = roster.by_id(con, staff_id)
    if me is None:
        return []
    cur = db.read(con)
    answer = survey.answer(con, staff_id)
    prefs = survey.preferences(con, staff_id)
    all_topics = topics.topic_list(con)
    offered_ids = {t.id for t in all_topics if t.is_offered}
    # A person can only form or join cohorts on offered topics; keep their ranking among those.
    choices = tuple(t for t in (answer.choices if answer else ()) if t in offered_ids)
    seeker = Seeker(
        id=staff_id,
        department=me.department,
        choices=choices,
        mode=prefs.mode,
        priority=prefs.priority,
        dept_pref=prefs.dept_pref,
        slots=frozenset(prefs.slot_ids),
        colleagues=frozenset(prefs.colleague_ids),
        left=frozenset(
            r[0]
            for r in cur.execute(
                "SELECT cohort_id FROM memberships WHERE staff_id = ? AND left_at IS NOT NULL",
                [staff_id],
            ).fetchall()
        ),
    )
    data = formation.load(con)  # everyone's answers, as Find a group and the engine see them

    def member(m: int) -> matching.Person:
        name, _email, dept, _school = data.staff[m]
        return data.people.get(m) or matching.Person(id=m, name=name, department=dept)

    options = []
    for c in cohorts.active_cohorts(con, school=me.school):
        if c.kind != "cohort" or staff_id in c.member_ids or c.topic_id not in offered_ids:
            continue
        options.append(
            Option(
                c.id,
                c.topic_id,
                c.name,
                c.slot_id,
                c.slot_label,
                max(0, data.rules.max_size - c.size),
                tuple(member(m) for m in c.member_ids if m in data.staff),
            )
        )
    peers = dict(
        cur.execute(
            """
        SELECT i.topic_id, count(*) FROM interests i
        JOIN staff s ON s.id = i.staff_id
        WHERE i.rank = 1 AND s.active AND s.role = 'teacher' AND s.id <> ?
          AND s.department = ? AND s.school = ?
          AND NOT EXISTS (SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
                          WHERE m.staff_id = s.id AND m.left_at IS NULL AND c.status = 'active')
        GROUP BY i.topic_id
        """,
            [staff_id, me.department, me.school],
        ).fetchall()
    )
    return pick(
        seeker,
        options,
        {t.id: t.name for t in all_topics},
        slot_labels={s.id: s.label for s in roster.slots(con)},
        peers_without_group=peers,
        expert_topics=frozenset(t.id for t in all_topics if t.expert_led),
        rules=data.rules,
    )
