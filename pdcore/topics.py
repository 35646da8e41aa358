"""Topics: the offered list, proposed write-ins, demand from the survey, and admin decisions.

A topic counts as offered when an admin offered it, or, while it is undecided ('proposed'),
when at least the offer threshold of people chose it first. Retired topics never are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pandas as pd

from pdcore import authz, db, settings
from pdcore.model import StaffMember, ValidationError


@dataclass(frozen=True)
class TopicInfo:
    id: int
    name: str
    description: str
    status: str  # 'offered' | 'proposed' | 'retired'
    is_write_in: bool
    expert_led: bool
    first_choice: int  # active people who ranked it first
    any_rank: int  # active people who ranked it at all
    is_offered: bool  # by an admin, or by reaching the threshold while undecided


def is_offered(status: str, first_choice: int, threshold: int) -> bool:
    """The one rule for 'offered' (see module docstring)."""
    return status == "offered" or (status == "proposed" and first_choice >= threshold)


def topic_list(con, include_retired: bool = False) -> list[TopicInfo]:
    """Every topic not merged away, with survey demand, most wanted first."""
    threshold = settings.load(con).offer_threshold
    rows = (
        db.read(con)
        .execute(
            """
        SELECT t.id, t.name, t.description, t.status, t.is_write_in, t.expert_led,
               count(DISTINCT i.staff_id) FILTER (WHERE i.rank = 1) AS first_choice,
               count(DISTINCT i.staff_id) AS any_rank
        FROM topics t
        LEFT JOIN interests i ON i.topic_id = t.id
             AND i.staff_id IN (SELECT id FROM staff WHERE active)
        WHERE t.merged_into IS NULL AND (? OR t.status <> 'retired')
        GROUP BY t.id, t.name, t.description, t.status, t.is_write_in, t.expert_led
        ORDER BY first_choice DESC, any_rank DESC, t.name
        """,
            [include_retired],
        )
        .fetchall()
    )
    return [TopicInfo(*r, is_offered=is_offered(r[3], r[6], threshold)) for r in rows]


def offered(con) -> list[TopicInfo]:
    """The topics teachers can form cohorts on now."""
    return [t for t in topic_list(con) if t.is_offered]


# --- Typed names: what a survey answer or a form response means ------------------------------


def name_key(name: str) -> str:
    """Typed topic names mean the same topic when they match ignoring case and spaces
    ("Web tools" == "webtools"). Looser likenesses ("PBL") are only suggested to an admin."""
    return "".join((name or "").casefold().split())


class TopicResolver:
    """Typed topic names -> topic ids inside one write transaction (one read of the topics).

    A name matching a topic by `name_key` means that topic, or the topic it was merged into;
    `resolve` turns any other name into a proposed write-in (listed in `created`).
    """

    def __init__(self, cur, actor_id: int | None = None):
        self.cur = cur
        self.actor_id = actor_id
        rows = cur.execute("SELECT id, name, status, merged_into FROM topics").fetchall()
        self._rows = {r[0]: r for r in rows}
        self._by_key = {name_key(r[1]): r[0] for r in rows}
        self.created: list[str] = []

    def find(self, name: str) -> tuple[int, str, str] | None:
        """(id, name, status) of the topic a name means, following merges; None if new."""
        topic_id, seen = self._by_key.get(name_key(name)), set()
        while topic_id in self._rows and self._rows[topic_id][3] is not None:
            if topic_id in seen:
                break
            seen.add(topic_id)
            topic_id = self._rows[topic_id][3]
        row = self._rows.get(topic_id)
        return row[:3] if row else None

    def resolve(self, name: str) -> int:
        """The topic id a name means, creating a proposed write-in for a new name."""
        found = self.find(name)
        if found:
            return found[0]
        text = " ".join(name.split())
        topic_id = self.cur.execute(
            "INSERT INTO topics (name, status, is_write_in) VALUES (?, 'proposed', TRUE) "
            "RETURNING id",
            [text],
        ).fetchone()[0]
        self._rows[topic_id] = (topic_id, text, "proposed", None)
        self._by_key[name_key(text)] = topic_id
        self.created.append(text)
        db.audit(self.cur, self.actor_id, "topic.write_in", "topic", topic_id)
        return topic_id


# --- Write-in grouping and the admin's decisions (offer, retire, merge) -----------------------

# Abbreviations people type for topics the school already knows, as whole words.
ABBREVIATIONS = {
    "pbl": "project based learning",
    "sbg": "standards based grading",
    "sbl": "standards based learning",
    "udl": "universal design for learning",
    "sel": "social emotional learning",
    "ai": "artificial intelligence",
    "ela": "english language arts",
    "ell": "english language learners",
    "esl": "english language learners",
    "ml": "multilingual learners",
    "gafe": "google suite",
    "g suite": "google suite",
    "gsuite": "google suite",
    "hs": "high school",
    "pd": "professional development",
    "&": "and",
}
_SEPARATORS = str.maketrans({c: " " for c in "-_/.,;:()[]'\"!?"})


def normalize_name(name: str) -> str:
    """The comparison key of a topic name: case, spaces, hyphens and punctuation ignored, and
    known abbreviations spelled out ("PBL", "project-based learning " and "Project Based
    Learning" all give "projectbasedlearning")."""
    words = (name or "").lower().replace("&", " & ").translate(_SEPARATORS).split()
    text = " ".join(words)
    # Longest abbreviations first, so "g suite" wins over a shorter one inside it.
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        text = f" {text} ".replace(f" {short} ", f" {ABBREVIATIONS[short]} ").strip()
    return text.replace(" ", "")


@dataclass(frozen=True)
class MergeSuggestion:
    """Topics whose names mean the same thing, and the one to fold them into."""

    key: str
    target_id: int
    target_name: str
    source_ids: tuple[int, ...]
    source_names: tuple[str, ...]
    people: int  # people who ranked any of them (counted per topic, so an upper bound)
    moving: int  # answers that name one of the write-ins (they would count for the target)


def suggest_merges(topics: list[TopicInfo]) -> list[MergeSuggestion]:
    """Groups of topics with the same normalised name that include at least one write-in.

    The target is the school's own (not written-in) topic, then an offered one, then the most
    wanted; an admin confirms each suggestion before anything changes.
    """
    groups: dict[str, list[TopicInfo]] = {}
    for t in topics:
        groups.setdefault(normalize_name(t.name), []).append(t)
    out = []
    for key, group in groups.items():
        if len(group) < 2 or not any(t.is_write_in for t in group):
            continue
        target = min(
            group,
            key=lambda t: (t.is_write_in, t.status != "offered", -t.any_rank, t.id),
        )
        sources = [t for t in group if t.id != target.id]
        out.append(
            MergeSuggestion(
                key,
                target.id,
                target.name,
                tuple(t.id for t in sources),
                tuple(t.name for t in sources),
                sum(t.any_rank for t in group),
                sum(t.any_rank for t in sources),
            )
        )
    return sorted(out, key=lambda s: (-s.people, s.target_name))


def merge_suggestions(con) -> list[MergeSuggestion]:
    """Write-ins that look like another topic (see suggest_merges), from the database."""
    return suggest_merges(topic_list(con, include_retired=True))


def demand_frame(con, school: str | None = None) -> pd.DataFrame:
    """One row per topic (retired ones too) with survey demand and whether it is offered.

    With `school` (see authz.scope) the demand counts only that school's people; whether a
    topic is offered stays the install's (topics are shared by every school)."""
    rows = topic_list(con, include_retired=True)
    if school is not None:
        counts = {
            r[0]: r[1:]
            for r in db.read(con)
            .execute(
                """
            SELECT i.topic_id, count(DISTINCT i.staff_id) FILTER (WHERE i.rank = 1),
                   count(DISTINCT i.staff_id)
            FROM interests i JOIN staff s ON s.id = i.staff_id
            WHERE s.active AND s.school = ? GROUP BY i.topic_id
            """,
                [school],
            )
            .fetchall()
        }
        rows = [
            replace(t, first_choice=first, any_rank=anywhere)
            for t in rows
            for first, anywhere in [counts.get(t.id, (0, 0))]
        ]
        rows.sort(key=lambda t: (-t.first_choice, -t.any_rank, t.name))
    return pd.DataFrame(
        [
            (
                t.id,
                t.name,
                t.status,
                t.is_write_in,
                t.expert_led,
                t.first_choice,
                t.any_rank,
                t.is_offered,
            )
            for t in rows
        ],
        columns=[
            "topic_id",
            "topic",
            "status",
            "write_in",
            "expert_led",
            "first_choice",
            "any_rank",
            "offered",
        ],
    )


def _topic_row(cur, topic_id: int):
    row = cur.execute(
        "SELECT id, name, status, merged_into FROM topics WHERE id = ?", [topic_id]
    ).fetchone()
    if row is None:
        raise ValidationError("That topic no longer exists; reload the page.")
    if row[3] is not None:
        raise ValidationError(f"{row[1]} was already merged into another topic; reload the page.")
    return row


@authz.write(authz.ADMIN)
def set_status(con, actor: StaffMember, topic_id: int, status: str) -> int:
    """Offer, retire or reopen ('proposed') a topic; returns its active cohorts.

    Cohorts already running on a retired topic carry on: retiring only stops new choices.
    """
    if status not in ("offered", "proposed", "retired"):
        raise ValidationError(f"Unknown topic status {status!r}.")
    with db.transaction(con) as cur:
        _id, name, old, _ = _topic_row(cur, topic_id)
        if old != status:
            cur.execute("UPDATE topics SET status = ? WHERE id = ?", [status, topic_id])
            action = {"offered": "offer", "retired": "retire", "proposed": "reopen"}[status]
            db.audit(
                cur,
                actor.id,
                f"topic.{action}",
                "topic",
                topic_id,
                json.dumps({"from": old, "to": status, "name": name}),
            )
        return cur.execute(
            "SELECT count(*) FROM cohorts WHERE topic_id = ? AND status = 'active'", [topic_id]
        ).fetchone()[0]


@authz.write(authz.ADMIN)
def offer(con, actor: StaffMember, topic_id: int) -> int:
    """Offer a topic: teachers can form cohorts on it whatever the survey count."""
    return set_status(con, actor, topic_id, "offered")


@authz.write(authz.ADMIN)
def retire(con, actor: StaffMember, topic_id: int) -> int:
    """Retire a topic: no new choices or cohorts; returns the active cohorts that carry on."""
    return set_status(con, actor, topic_id, "retired")


# Tables whose topic_id follows a merge (the topic concept keeps these references).
_TOPIC_REFERENCES = (
    ("cohorts", "topic_id"),
    ("help_requests", "topic_id"),
    ("growth_plans", "topic_id"),
    ("sd_sessions", "topic_id"),
)


@authz.write(authz.ADMIN)
def merge(con, actor: StaffMember, source_ids, target_id: int) -> int:
    """Fold `source_ids` into `target_id` in one transaction; returns the people moved.

    Survey choices move to the target, keeping each person's best rank once (a person who
    ranked both "PBL" and "Project Based Learning" keeps one choice, ranks closed up); cohorts,
    requests, plans and sessions follow; the sources are marked merged, never deleted.
    """
    sources = sorted({int(s) for s in source_ids} - {int(target_id)})
    if not sources:
        raise ValidationError("Pick at least one topic to merge into another one.")
    with db.transaction(con) as cur:
        target = _topic_row(cur, target_id)
        names = [_topic_row(cur, s)[1] for s in sources]
        marks = ", ".join("?" for _ in sources)
        affected = [
            r[0]
            for r in cur.execute(
                f"SELECT DISTINCT staff_id FROM interests WHERE topic_id IN ({marks})", sources
            ).fetchall()
        ]
        # What the merge changes, kept in its audit row so undo_merge can put it back.
        before = {
            "sources": sources,
            "interests": {},
            "refs": {
                table: cur.execute(
                    f"SELECT id, {column} FROM {table} WHERE {column} IN ({marks})", sources
                ).fetchall()
                for table, column in _TOPIC_REFERENCES
            },
            "merged_into": cur.execute(
                f"SELECT id, merged_into FROM topics WHERE merged_into IN ({marks}) "
                f"OR id IN ({marks})",
                [*sources, *sources],
            ).fetchall(),
        }
        for staff_id in affected:
            ranked = cur.execute(
                "SELECT topic_id FROM interests WHERE staff_id = ? ORDER BY rank", [staff_id]
            ).fetchall()
            before["interests"][str(staff_id)] = [r[0] for r in ranked]
            kept: list[int] = []
            for (tid,) in ranked:
                tid = target_id if tid in sources else tid
                if tid not in kept:
                    kept.append(tid)
            cur.execute("DELETE FROM interests WHERE staff_id = ?", [staff_id])
            cur.executemany(
                "INSERT INTO interests (staff_id, rank, topic_id) VALUES (?, ?, ?)",
                [(staff_id, rank, tid) for rank, tid in enumerate(kept, start=1)],
            )
        for table, column in _TOPIC_REFERENCES:
            cur.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} IN ({marks})",
                [target_id, *sources],
            )
        # Keep merge chains one step long: earlier merges into a source now point at the target.
        cur.execute(
            f"UPDATE topics SET merged_into = ? WHERE merged_into IN ({marks}) OR id IN ({marks})",
            [target_id, *sources, *sources],
        )
        db.audit(
            cur,
            actor.id,
            "topic.merge",
            "topic",
            target_id,
            json.dumps(
                {"into": target[1], "merged": names, "people": len(affected), "before": before}
            ),
        )
    return len(affected)


@authz.write(authz.ADMIN)
def undo_merge(con, actor: StaffMember, target_id: int) -> list[str]:
    """Undo the latest merge into `target_id` (admins): the merged topics come back with
    their choices, cohorts, requests, plans and sessions. A person who changed their survey
    since keeps the newer answer. Returns the names that came back."""
    with db.transaction(con) as cur:
        row = cur.execute(
            "SELECT id, detail FROM audit_log WHERE action = 'topic.merge' AND entity_id = ? "
            "AND id NOT IN (SELECT entity_id FROM audit_log WHERE action = 'topic.unmerge') "
            "ORDER BY id DESC LIMIT 1",
            [target_id],
        ).fetchone()
        detail = json.loads(row[1]) if row else {}
        if "before" not in detail:
            raise ValidationError("There is no merge into this topic left to undo.")
        before = detail["before"]
        for staff_id, ranked in before["interests"].items():
            now = [
                r[0]
                for r in cur.execute(
                    "SELECT topic_id FROM interests WHERE staff_id = ? ORDER BY rank", [staff_id]
                ).fetchall()
            ]
            sources = set(before["sources"])
            merged = list(dict.fromkeys(target_id if t in sources else t for t in ranked))
            if now != merged:
                continue  # they answered again since: their newer answer stands
            cur.execute("DELETE FROM interests WHERE staff_id = ?", [staff_id])
            cur.executemany(
                "INSERT INTO interests (staff_id, rank, topic_id) VALUES (?, ?, ?)",
                [(int(staff_id), rank, tid) for rank, tid in enumerate(ranked, start=1)],
            )
        for table, column in _TOPIC_REFERENCES:
            for rid, topic_id in before["refs"].get(table, []):
                cur.execute(
                    f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} = ?",
                    [topic_id, rid, target_id],
                )
        for topic_id, merged_into in before["merged_into"]:
            cur.execute("UPDATE topics SET merged_into = ? WHERE id = ?", [merged_into, topic_id])
        db.audit(
            cur, actor.id, "topic.unmerge", "audit_log", row[0],
            json.dumps({"into": detail["into"], "back": detail["merged"]}),
        )  # fmt: skip
    return list(detail["merged"])
