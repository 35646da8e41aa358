"""The demo school: a seeded, reproducible school part-way through its cohort season.

Generated on first run when the database is empty, and by `python -m pdcore demo`. Large
sizes (5,000 or 50,000 staff) become a district of schools of about 260, for benchmarks.
Everything is relative to `today`, so the season is always the current one and the numbers
on the dashboards are true of the data.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from pdcore import authz, clock, db, postgres, roster, seasons, settings
from pdcore import meetings as meetings_mod

SCHOOL_SIZE = 260

TOPICS: tuple[tuple[str, str, float], ...] = (
    # (name, description, popularity weight); skewed like a real survey
    (
        "Google Certification Level 1",
        "Work through the Google Certified Educator Level 1 modules together and sit the exam.",
        14,
    ),
    (
        "Google Certification Level 2",
        "Level 2 modules and exam, for those already certified at Level 1.",
        6,
    ),
    (
        "Using Google Suite",
        "Docs, Sheets, Forms, Classroom: everyday workflows that save time with students.",
        12,
    ),
    ("Web Tools", "Try one new web tool a month in class and debrief what worked.", 9),
    (
        "Project Based Learning",
        "Design, run and assess a project with a driving question and a public product.",
        16,
    ),
    (
        "Writing and Literacy",
        "Writing across the content areas: prompts, feedback and reading strategies.",
        14,
    ),
    (
        "Student Centered Classrooms and Genius Hour",
        "Hand over choice: genius hour, inquiry questions and student-led learning.",
        11,
    ),
    (
        "Workshop Model in a HS Classroom",
        "Mini-lesson, work time, conferring, share: the workshop model for teenagers.",
        8,
    ),
    (
        "Beyond the Grade",
        "Standards-based and feedback-first grading: what a grade should say.",
        4,
    ),
)

# Write-ins as people typed them: a few spellings of one idea, and ideas too small to offer.
WRITE_INS: tuple[tuple[str, int], ...] = (
    ("PBL", 2),
    ("project-based learning ", 1),
    ("Restorative Practices", 3),
    ("AI in the Classroom", 2),
    ("Co-teaching", 1),
)

DEPARTMENTS: tuple[tuple[str, float], ...] = (
    ("English", 14),
    ("Mathematics", 14),
    ("Science", 13),
    ("Social Studies", 11),
    ("World Languages", 8),
    ("Fine Arts", 7),
    ("Career and Technical Education", 8),
    ("Special Education", 11),
)

SCHOOL_NAMES = (
    "Riverside High School",
    "Lincoln High School",
    "Cedar Ridge High School",
    "Westfield High School",
    "Oak Park High School",
    "Lakeview High School",
    "Summit High School",
    "Harbor High School",
    "Pine Valley High School",
    "Eastgate High School",
)

FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "Jonah",
    "Kira",
    "Leo",
    "Maya",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xena",
    "Yusuf",
    "Zoe",
    "Aaron",
    "Bianca",
    "Caleb",
    "Diana",
    "Ethan",
    "Fatima",
    "Gabe",
    "Hannah",
    "Isaac",
    "Jade",
    "Kofi",
    "Lena",
    "Marcus",
    "Nadia",
    "Owen",
    "Paula",
    "Rafael",
    "Sofia",
    "Theo",
    "Uma",
    "Victor",
    "Wendy",
]
LAST = [
    "Ruiz",
    "Okafor",
    "Chen",
    "Patel",
    "Novak",
    "Haddad",
    "Kim",
    "Moreau",
    "Brooks",
    "Silva",
    "Tanaka",
    "Nguyen",
    "Larsen",
    "Diaz",
    "Mensah",
    "Cohen",
    "Rossi",
    "Walsh",
    "Singh",
    "Baker",
    "Foster",
    "Ortiz",
    "Murphy",
    "Ali",
    "Santos",
    "Bauer",
    "Reyes",
    "Price",
    "Hughes",
    "Park",
    "Ward",
    "Ivanova",
    "Castillo",
    "Doyle",
    "Evans",
    "Fischer",
    "Greene",
    "Hart",
    "Jensen",
    "Kowalski",
]

# Named people for the demo sign-in, so a visitor can be each role at once.
DEMO_ADMINS = (("Dana Whitfield", "Principal"), ("Marcus Bell", "Assistant Principal"))
DEMO_COACHES = (
    ("Maya Okafor", "Blended learning, Google tools and the library: tech in every room."),
    ("Luis Herrera", "Writing, literacy and intervention plans; new teachers."),
)
DEMO_TEACHER = "Ana Ruiz"
EMAIL_DOMAIN = "demo-school.org"

AGENDAS = ("read", "try-a-lesson", "share", "modules", "other")
GOAL_STARTS = (
    "Each of us will try {x} in one unit and bring student work to debrief.",
    "Finish {x} together and share one lesson each by March.",
    "Build a shared bank of {x} resources for our courses.",
)
REFLECTIONS = (
    "Students asked better questions once we gave them the protocol first.",
    "The rubric we drafted together made feedback twice as fast.",
    "Trying it in two classes at once was too much; next month one class.",
    "Sharing student work was the most useful twenty minutes of the month.",
    "We realised we were on two different paths and adjusted our goal.",
    "Reading the chapter before we met meant we spent the hour on our own classes.",
    "Two of us co-planned a lesson; watching it taught each of us something different.",
    "Quiet students spoke more when the first ten minutes were in pairs.",
    "We agreed on one small change each and reported back: it kept us honest.",
)
# Reflections only a cohort on one of these topics would write.
TOPIC_REFLECTIONS = {
    "Google Certification Level 1": ("The module quizzes are easier done in pairs; we did three.",),
    "Google Certification Level 2": ("We booked the exam together; a date made the modules real.",),
    "Writing and Literacy": ("Short daily writing beat one long essay for getting drafts in.",),
    "Project Based Learning": ("A public audience changed how seriously students took the work.",),
}
COACHING_FOCUS = (
    "Planning a first genius-hour week",
    "Feedback on a writing rubric",
    "Setting up Google Classroom workflows",
    "Classroom routines for group work",
)
PLC_NEEDS = (
    "Writing intervention plans for struggling readers",
    "Time to build blended Learner Pathways",
    "Common grading language across departments",
    "Support for new teachers with Google Classroom",
    "Co-planning time with special education",
)
PLAN_FOCUS = (
    "{x}: more student voice in my classes",
    "Bring {x} into my hardest unit",
    "{x}, with better feedback for students",
)
PLAN_GOALS = (
    ("Run one unit with the new approach", "Students' final products, compared with last year's"),
    ("Give feedback within two days on every draft", "My gradebook timestamps and a student poll"),
    ("Try two new strategies and keep the one that works", "Exit tickets before and after"),
    ("Share a lesson with my cohort and get feedback", "Notes from the cohort's debrief"),
    ("Finish the certification modules", "The certificate, by April"),
)
LEAVE_REASONS = ("schedule changed", "moved to a coaching plan", "group was not a fit", "")


@dataclass(frozen=True)
class DemoSummary:
    staff: int
    schools: int
    cohorts: int
    meetings: int
    unplaced: int


def _bulk(cur, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows at once through a DataFrame (fast at 50,000 staff)."""
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=columns)
    cur.register("_bulk_rows", frame)
    cols = ", ".join(columns)
    cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _bulk_rows")
    cur.unregister("_bulk_rows")


def _reserve_ids(cur, sequence: str, n: int) -> list[int]:
    """Take n ids from a sequence (DuckDB cannot set a sequence, so draw from it)."""
    if n == 0:
        return []
    return [
        r[0]
        for r in cur.execute(
            f"SELECT nextval('{sequence}') FROM generate_series(1, ?)", [n]
        ).fetchall()
    ]


def _weighted(rng: random.Random, items, k: int = 1):
    names = [i[0] for i in items]
    weights = [i[-1] for i in items]
    return rng.choices(names, weights=weights, k=k)


def _pick_distinct(rng: random.Random, names: list[str], weights: list[float], k: int) -> list[str]:
    chosen: list[str] = []
    pool = list(zip(names, weights, strict=True))
    for _ in range(min(k, len(pool))):
        total = sum(w for _, w in pool)
        r = rng.uniform(0, total)
        acc = 0.0
        for idx, (name, w) in enumerate(pool):
            acc += w
            if acc >= r:
                chosen.append(name)
                pool.pop(idx)
                break
    return chosen


@authz.unguarded("fills an EMPTY database only (it refuses one with staff); demo mode decides when")
def generate(
    con, staff: int = SCHOOL_SIZE, seed: int = 7, today: date | None = None
) -> DemoSummary:
    """Fill an EMPTY database with a demo school (or district) in one transaction."""
    today = today or clock.today()
    if roster.staff_count(con):
        raise ValueError("The database already has staff; the demo only fills an empty one.")
    rng = random.Random(seed)
    season_start, season_end = settings.current_season(today)
    formed_on = season_start - timedelta(days=12)  # the first day of cohorts
    last_day = min(today - timedelta(days=1), season_end)
    # August to mid-October the interest survey runs and no cohort has formed yet.
    before_cohorts = today < formed_on
    # Last season: the school year before, closed in May (always before today).
    last_start, last_end = date(season_start.year - 1, 11, 1), date(season_start.year, 4, 30)
    last_formed = last_start - timedelta(days=12)
    n_schools = max(1, round(staff / SCHOOL_SIZE))
    schools = [
        SCHOOL_NAMES[i % len(SCHOOL_NAMES)] + ("" if i < len(SCHOOL_NAMES) else f" {i + 1}")
        for i in range(n_schools)
    ]

    with db.transaction(con) as cur:
        roster.ensure_default_slots(cur)
        slot_rows = cur.execute("SELECT id, label, in_school_day FROM meeting_slots").fetchall()
        slot_ids = [r[0] for r in slot_rows]
        slot_label = {r[0]: r[1] for r in slot_rows}
        lunch = {r[0] for r in slot_rows if "lunch" in r[1].lower()}
        in_day = {r[0]: r[2] for r in slot_rows}
        db.audit(cur, None, "demo.generate", detail=f'{{"staff": {staff}, "seed": {seed}}}')
        # Two seasons: last year's, closed, and this one (the migration's first season goes).
        cur.execute("DELETE FROM seasons")
        last_season_id, season_id = _reserve_ids(cur, "season_id_seq", 2)
        cur.execute(
            "INSERT INTO seasons (id, label, starts_on, ends_on, survey_opens, survey_close, "
            "status, created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, 'closed', ?, ?), "
            "(?, ?, ?, ?, ?, ?, 'current', ?, NULL)",
            [
                last_season_id,
                seasons.label_for(last_start),
                last_start,
                last_end,
                last_formed - timedelta(days=40),
                last_formed - timedelta(days=5),
                datetime.combine(last_formed - timedelta(days=45), time(8)),
                datetime.combine(last_end + timedelta(days=20), time(16)),
                season_id,
                seasons.label_for(season_start),
                season_start,
                season_end,
                last_end - timedelta(days=21),  # next year's survey opens before this one ends
                formed_on - timedelta(days=5),
                datetime.combine(last_end - timedelta(days=22), time(8)),
            ],
        )
        for key, value in (
            ("season_start", season_start.isoformat()),
            ("season_end", season_end.isoformat()),
            ("survey_close", (formed_on - timedelta(days=5)).isoformat()),
            ("allowed_domain", EMAIL_DOMAIN),
        ):
            cur.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, f'"{value}"'],
            )

        # Topics: the nine offered ones, and write-ins as proposed.
        topic_ids = _reserve_ids(cur, "topic_id_seq", len(TOPICS) + len(WRITE_INS))
        topic_rows = [
            (tid, name, desc, "offered", False, name.startswith("Google Certification Level 2"))
            for tid, (name, desc, _) in zip(topic_ids, TOPICS, strict=False)
        ]
        write_in_ids = topic_ids[len(TOPICS) :]
        topic_rows += [
            (tid, name, "", "proposed", True, False)
            for tid, (name, _) in zip(write_in_ids, WRITE_INS, strict=True)
        ]
        _bulk(
            cur,
            "topics",
            ["id", "name", "description", "status", "is_write_in", "expert_led"],
            topic_rows,
        )
        topic_names = [t[0] for t in TOPICS]
        topic_weights = [t[2] for t in TOPICS]
        topic_id = dict(zip(topic_names, topic_ids, strict=False))

        # Staff: per school, two coaches and a few admins; the rest teach.
        ids = _reserve_ids(cur, "staff_id_seq", staff)
        people = []  # (id, email, name, dept, role, school, coach_focus)
        used_emails: set[str] = set()
        for n, sid in enumerate(ids):
            school_idx = min(n * n_schools // staff, n_schools - 1)
            local = n - (school_idx * staff // n_schools)
            if school_idx == 0 and local < len(DEMO_ADMINS):
                name, role, focus = DEMO_ADMINS[local][0], "admin", ""
            elif school_idx == 0 and local < len(DEMO_ADMINS) + len(DEMO_COACHES):
                name, focus = DEMO_COACHES[local - len(DEMO_ADMINS)]
                role = "coach"
            elif school_idx == 0 and local == len(DEMO_ADMINS) + len(DEMO_COACHES):
                name, role, focus = DEMO_TEACHER, "teacher", ""
            else:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                role = "admin" if local in (0, 1) else "coach" if local in (2, 3) else "teacher"
                focus = "Instructional coaching" if role == "coach" else ""
            base = name.lower().replace(" ", ".")
            email, k = f"{base}@{EMAIL_DOMAIN}", 2
            while email in used_emails:
                email, k = f"{base}{k}@{EMAIL_DOMAIN}", k + 1
            used_emails.add(email)
            dept = "Administration" if role == "admin" else "Coaching" if role == "coach" else None
            dept = dept or _weighted(rng, DEPARTMENTS)[0]
            people.append((sid, email, name, dept, role, schools[school_idx], focus))
        on_roster_since = datetime.combine(last_formed - timedelta(days=60), time(8))
        _bulk(
            cur,
            "staff",
            ["id", "email", "name", "department", "role", "school", "coach_focus", "created_at"],
            [(*p, on_roster_since) for p in people],
        )
        teachers = [p for p in people if p[4] == "teacher"]
        coaches_by_school = defaultdict(list)
        for p in people:
            if p[4] == "coach":
                coaches_by_school[p[5]].append(p[0])

        # Each department shares a planning period, so its people share a slot.
        dept_slot = {d: rng.choice([s for s in slot_ids if s not in lunch]) for d, _ in DEPARTMENTS}

        survey, interests, prefs, avail, requests = [], [], [], [], []
        choice_of: dict[int, list[int]] = {}
        mode_of: dict[int, str] = {}
        slots_of: dict[int, set[int]] = {}
        by_topic_school: dict[tuple[int, str], list[int]] = defaultdict(list)
        write_in_left = {
            tid: count for tid, (_, count) in zip(write_in_ids, WRITE_INS, strict=True)
        }
        for sid, _email, _name, dept, _role, school, _ in teachers:
            # A few never answer the survey (the watchlist notices them).
            if sid != ids[len(DEMO_ADMINS) + len(DEMO_COACHES)] and rng.random() < 0.06:
                continue
            picks = _pick_distinct(rng, topic_names, topic_weights, rng.choice((1, 2, 3, 3, 3)))
            chosen = [topic_id[p] for p in picks]
            other = ""
            for tid, left in write_in_left.items():
                if left and rng.random() < 0.05:
                    write_in_left[tid] -= 1
                    chosen = [tid, *chosen][:3]
                    other = next(r[1] for r in topic_rows if r[0] == tid)
                    break
            submitted = datetime.combine(
                formed_on - timedelta(days=rng.randint(150, 175)), time(rng.randint(7, 16))
            )
            survey.append((sid, submitted, "form", other))
            interests += [(sid, rank, tid) for rank, tid in enumerate(chosen, start=1)]
            choice_of[sid] = chosen
            mode = "individual" if rng.random() < 0.03 else "cohort"
            mode_of[sid] = mode
            prefs.append(
                (
                    sid,
                    mode,
                    rng.choice(("who", "when")),
                    _weighted(rng, (("same", 3), ("mix", 2), ("none", 5)))[0],
                )
            )
            own = {dept_slot[dept]}
            while len(own) < rng.randint(2, 5):
                s = rng.choice(slot_ids)
                if s not in lunch or rng.random() < 0.25:
                    own.add(s)
            slots_of[sid] = own
            avail += [(sid, s) for s in sorted(own)]
            by_topic_school[(chosen[0], school)].append(sid)
        _bulk(
            cur, "survey_responses", ["staff_id", "submitted_at", "source", "other_topic"], survey
        )
        _bulk(cur, "interests", ["staff_id", "rank", "topic_id"], interests)
        _bulk(cur, "learning_prefs", ["staff_id", "mode", "priority", "dept_pref"], prefs)
        _bulk(cur, "availability", ["staff_id", "slot_id"], avail)
        more_avail = []  # a cohort's slot, for members who had not ticked it (below)

        # About a fifth name one to three colleagues, mostly on their own first topic.
        school_of = {p[0]: p[5] for p in teachers}
        for sid, *_ in teachers:
            if sid in choice_of and rng.random() < 0.2:
                school = school_of[sid] if n_schools > 1 else schools[0]
                same_topic = [o for o in by_topic_school[(choice_of[sid][0], school)] if o != sid]
                for other in rng.sample(same_topic, min(len(same_topic), rng.randint(1, 3))):
                    requests.append((sid, other))
        _bulk(cur, "colleague_requests", ["staff_id", "colleague_id"], sorted(set(requests)))
        if before_cohorts:
            by_topic_school.clear()

        # Cohorts: on the first day of cohorts, each topic's room splits into groups of 3-7
        # around a shared slot; some people do not find a group (the pain the app is for).
        cohort_rows, member_rows, unplaced = [], [], []
        cohort_members: dict[int, list[int]] = {}
        cohort_slot: dict[int, int] = {}
        individual_cohorts = []
        names_used: dict[tuple[str, str], int] = defaultdict(int)
        for (tid, school), members in sorted(by_topic_school.items()):
            group_pool = [m for m in members if mode_of[m] == "cohort"]
            for m in members:
                if mode_of[m] == "individual":
                    individual_cohorts.append((tid, school, m))
            rng.shuffle(group_pool)
            while group_pool:
                if len(group_pool) < 3:
                    unplaced += group_pool
                    break
                size = min(len(group_pool), rng.randint(3, 7))
                if len(group_pool) - size in (1, 2):
                    size = len(group_pool) if len(group_pool) <= 10 else size
                group, group_pool = group_pool[:size], group_pool[size:]
                # A shy minority stays out of the room's groups.
                shy = [m for m in group if rng.random() < 0.04]
                group = [m for m in group if m not in shy]
                unplaced += shy
                if len(group) < 2:
                    unplaced += group
                    continue
                slot_votes = defaultdict(int)
                for m in group:
                    for s in slots_of[m]:
                        slot_votes[s] += 1
                slot = max(sorted(slot_votes), key=lambda s: slot_votes[s])
                # They agreed to meet then, so each of them is free then.
                for m in group:
                    if slot not in slots_of[m]:
                        slots_of[m].add(slot)
                        more_avail.append((m, slot))
                (cid,) = _reserve_ids(cur, "cohort_id_seq", 1)
                name = f"{_short(topic_rows, tid)}, {slot_label[slot]}"
                # Names repeat across a district's schools, but not within one: (B), (C)...
                names_used[(school, name)] += 1
                if (n := names_used[(school, name)]) > 1:
                    name += f" ({chr(64 + n)})" if n <= 26 else f" ({n})"
                cohort_rows.append(
                    (
                        cid,
                        tid,
                        name,
                        "cohort",
                        slot,
                        school,
                        None,
                        group[0],
                        datetime.combine(formed_on, time(15)),
                    )
                )
                cohort_members[cid] = group
                cohort_slot[cid] = slot
        _bulk(cur, "availability", ["staff_id", "slot_id"], more_avail)
        for tid, school, m in individual_cohorts:
            (cid,) = _reserve_ids(cur, "cohort_id_seq", 1)
            cohort_rows.append(
                (
                    cid,
                    tid,
                    f"Individual project: {_short(topic_rows, tid)}",
                    "individual",
                    None,
                    school,
                    None,
                    m,
                    datetime.combine(formed_on, time(15)),
                )
            )
            cohort_members[cid] = [m]
        created_of = {r[0]: r[8] for r in cohort_rows}
        individual = {r[0] for r in cohort_rows if r[3] == "individual"}
        for cid, members in cohort_members.items():
            created = created_of[cid]
            how = "started" if cid in individual else None
            for i, m in enumerate(members):
                member_rows.append(
                    [cid, m, how or ("started" if i == 0 else "joined"), created, None, ""]
                )

        # Life during the season: leavers, a split, a cohort shrunk to one, quiet cohorts.
        group_ids = [r[0] for r in cohort_rows if r[3] == "cohort"]
        quiet = set(rng.sample(group_ids, min(len(group_ids), max(1, len(group_ids) // 10))))
        leavers = set()
        for cid in rng.sample(group_ids, min(len(group_ids), max(1, len(group_ids) // 12))):
            members = cohort_members[cid]
            if len(members) >= 3:
                leaver = members[-1]
                leavers.add((cid, leaver))
        shrunk = next(
            (c for c in group_ids if len(cohort_members[c]) == 3 and c not in quiet), None
        )
        if shrunk:
            for m in cohort_members[shrunk][1:]:
                leavers.add((shrunk, m))
        leave_on = datetime.combine(min(season_start + timedelta(days=10), today), time(12))
        for row in member_rows:
            if (row[0], row[1]) in leavers:
                row[4] = leave_on
                row[5] = rng.choice(LEAVE_REASONS)
        split_from = next(
            (c for c in group_ids if len(cohort_members[c]) >= 6 and c not in quiet), None
        )
        if split_from:
            moving = cohort_members[split_from][-3:]
            (new_id,) = _reserve_ids(cur, "cohort_id_seq", 1)
            parent = next(r for r in cohort_rows if r[0] == split_from)
            split_at = datetime.combine(min(season_start + timedelta(days=8), today), time(16))
            cohort_rows.append(
                (
                    new_id,
                    parent[1],
                    parent[2] + " (split)",
                    "cohort",
                    parent[4],
                    parent[5],
                    split_from,
                    moving[0],
                    split_at,
                )
            )
            for row in member_rows:
                if row[0] == split_from and row[1] in moving:
                    row[4], row[5] = split_at, "split into a new cohort"
            member_rows += [[new_id, m, "split", split_at, None, ""] for m in moving]
            cohort_members[split_from] = cohort_members[split_from][:-3]
            cohort_members[new_id] = moving
            cohort_slot[new_id] = parent[4]
            group_ids.append(new_id)
        # Last season, closed: the cohorts this season's carried over from, and others.
        staying_now = defaultdict(list)
        for r in member_rows:
            if r[4] is None:
                staying_now[r[0]].append(r[1])
        used_texts: set[str] = set()  # no two reflections in the school say the same words
        parent_of, carried_goals = _last_season(
            cur,
            random.Random(seed + 1),  # its own draws, so this season's story stays the same
            last_season_id,
            (last_start, last_end, last_formed),
            teachers,
            topic_rows,
            [r for r in cohort_rows if r[3] == "cohort" and r[6] is None and r[0] not in quiet],
            current_members=staying_now,
            demo_teacher=ids[len(DEMO_ADMINS) + len(DEMO_COACHES)],
            slot_label=slot_label,
            used_texts=used_texts,
        )
        cohort_rows = [(*r, parent_of.get(r[0]), season_id) for r in cohort_rows]
        _bulk(
            cur,
            "cohorts",
            [
                "id",
                "topic_id",
                "name",
                "kind",
                "slot_id",
                "school",
                "parent_id",
                "created_by",
                "created_at",
                "carried_from",
                "season_id",
            ],
            cohort_rows,
        )
        ids_m = _reserve_ids(cur, "membership_id_seq", len(member_rows))
        _bulk(
            cur,
            "memberships",
            ["id", "cohort_id", "staff_id", "how", "joined_at", "left_at", "left_reason"],
            [(i, *r) for i, r in zip(ids_m, member_rows, strict=True)],
        )
        current = defaultdict(list)
        for r in member_rows:
            if r[4] is None:
                current[r[0]].append(r[1])

        # Meetings, attendance, goals and reflections from the season's start to yesterday.
        meetings, attendance, goals, reflections = [], [], [], []
        # Their own RNG: the words vary without changing the rest of the seeded story.
        text_rng = random.Random(seed + 1)
        skippers = {
            rng.choice(current[c]) for c in rng.sample(group_ids, len(group_ids) // 8) if current[c]
        }
        all_cohorts = group_ids + [r[0] for r in cohort_rows if r[3] == "individual"]
        topic_of_cohort = {r[0]: r[1] for r in cohort_rows}
        for cid in all_cohorts:
            members = current[cid] or cohort_members[cid]
            tid = topic_of_cohort[cid]
            topic_name = next(r[1] for r in topic_rows if r[0] == tid)
            dates = _meeting_dates(rng, season_start, last_day, quiet=cid in quiet)
            # A cohort meets on its slot's weekday (any school day when the slot has none).
            weekday = meetings_mod.slot_weekday(slot_label.get(cohort_slot.get(cid), ""))
            dates = sorted({_on_weekday(d, weekday, season_start, last_day) for d in dates})
            n_meet = len(dates)
            for k, held_on in enumerate(dates):
                mid = len(meetings) + 1
                slot = cohort_slot.get(cid)
                minutes = rng.choice((45, 60, 60, 60, 75, 90))
                meetings.append(
                    (
                        mid,
                        cid,
                        "held",
                        held_on,
                        slot,
                        minutes,
                        (bool(slot and in_day[slot]) or rng.random() < 0.2)
                        and held_on.weekday() < 5,
                        rng.choice(AGENDAS),
                        "",
                        members[0],
                    )
                )
                for m in members:
                    late = k >= n_meet - 2 and m in skippers
                    if not late and rng.random() < 0.88:
                        attendance.append((mid, m))
                if rng.random() < 0.55:
                    author = rng.choice(members)
                    reflections.append(
                        (
                            cid,
                            author,
                            mid,
                            _reflection_text(
                                text_rng,
                                used_texts,
                                REFLECTIONS + TOPIC_REFLECTIONS.get(topic_name, ()),
                            ),
                            f"https://flip.example.org/{cid}-{mid}" if rng.random() < 0.3 else "",
                            "all" if rng.random() < 0.5 else "cohort",
                            datetime.combine(held_on, time(17)),
                        )
                    )
            # A carried cohort keeps last season's goal versions; this season's come after.
            before = carried_goals.get(cid, [])
            goals += [(cid, v, text, by, at) for v, (text, by, at) in enumerate(before, start=1)]
            if dates:
                topic = _short(topic_rows, tid)
                goals.append(
                    (
                        cid,
                        len(before) + 1,
                        rng.choice(GOAL_STARTS).format(x=topic),
                        members[0],
                        datetime.combine(dates[0], time(16)),
                    )
                )
                if len(dates) >= 2 and rng.random() < 0.4:
                    goals.append(
                        (
                            cid,
                            len(before) + 2,
                            "Narrowed: " + rng.choice(GOAL_STARTS).format(x=topic),
                            members[-1],
                            datetime.combine(dates[1], time(16)),
                        )
                    )
            # The next meeting is on the calendar for most active cohorts.
            if cid not in quiet and today < season_end:
                nxt = meetings_mod.next_day_on(
                    slot_label.get(cohort_slot.get(cid), ""),
                    today + timedelta(days=rng.randint(3, 20)),
                )
                if nxt.weekday() >= 5:  # a slot on no fixed weekday still meets on a school day
                    nxt += timedelta(days=7 - nxt.weekday())
                meetings.append(
                    (
                        len(meetings) + 1,
                        cid,
                        "planned",
                        nxt,
                        cohort_slot.get(cid),
                        60,
                        False,
                        rng.choice(AGENDAS),
                        "",
                        members[0],
                    )
                )
        base_mid = _reserve_ids(cur, "meeting_id_seq", len(meetings))
        remap = {m[0]: base_mid[i] for i, m in enumerate(meetings)}
        _bulk(
            cur,
            "meetings",
            [
                "id",
                "cohort_id",
                "status",
                "held_on",
                "slot_id",
                "minutes",
                "in_school_day",
                "agenda",
                "note",
                "logged_by",
            ],
            [(remap[m[0]], *m[1:]) for m in meetings],
        )
        _bulk(cur, "attendance", ["meeting_id", "staff_id"], [(remap[a], s) for a, s in attendance])
        _bulk(cur, "goals", ["cohort_id", "version", "text", "author_id", "created_at"], goals)
        _bulk(
            cur,
            "reflections",
            ["cohort_id", "author_id", "meeting_id", "text", "link", "visibility", "created_at"],
            [(c, a, remap[m], t, link, v, at) for c, a, m, t, link, v, at in reflections],
        )

        # Help requests: a private "place me" from some unplaced, expert and coach asks.
        helps = []
        for sid in unplaced:
            if rng.random() < 0.35:
                helps.append(
                    (
                        sid,
                        "place_me",
                        choice_of[sid][0],
                        "",
                        datetime.combine(formed_on + timedelta(days=rng.randint(0, 9)), time(9)),
                    )
                )
        for sid in rng.sample(sorted(choice_of), min(len(choice_of), max(2, staff // 45))):
            helps.append(
                (
                    sid,
                    "expert",
                    choice_of[sid][0],
                    "I would love to learn this from someone who has done it.",
                    datetime.combine(
                        min(season_start + timedelta(days=rng.randint(0, 15)), today), time(8)
                    ),
                )
            )
        _bulk(cur, "help_requests", ["staff_id", "kind", "topic_id", "note", "created_at"], helps)

        # Coaching: some teachers chose a coach, a growth plan for some, follow-ups.
        assignments, followups, plans, plan_goals = [], [], [], []
        plan_ids = iter(_reserve_ids(cur, "growth_plan_id_seq", len(teachers)))
        year = f"{season_start.year}-{str(season_start.year + 1)[-2:]}"
        for sid, _e, name, _d, _r, school, _f in teachers:
            # The demo teacher has no coach and no plan yet, so every visitor (and test)
            # finds the same story: a plan to write, coaches to choose from.
            is_demo_teacher = name == DEMO_TEACHER and school == schools[0]
            coaches = coaches_by_school[school]
            roll_coach, roll_plan = rng.random(), rng.random()
            if coaches and roll_coach < 0.25 and not is_demo_teacher:
                assignments.append((sid, rng.choice(coaches), rng.choice(("chosen", "claimed"))))
            if roll_plan < 0.4 and not is_demo_teacher:
                pid = next(plan_ids)
                topic = choice_of.get(sid, [None])[0]
                plans.append(
                    (
                        pid,
                        sid,
                        year,
                        rng.choice(PLAN_FOCUS).format(x=_short(topic_rows, topic))
                        if topic
                        else "Stronger routines for group work in my classes",
                        topic,
                    )
                )
                for pos, (goal, measure) in enumerate(
                    rng.sample(PLAN_GOALS, rng.randint(1, 3)), start=1
                ):
                    plan_goals.append((pid, pos, goal, measure))
        _bulk(cur, "coach_assignments", ["staff_id", "coach_id", "how"], assignments)
        _bulk(cur, "growth_plans", ["id", "staff_id", "school_year", "focus", "topic_id"], plans)
        _bulk(cur, "growth_goals", ["plan_id", "position", "goal", "measure"], plan_goals)
        for sid in unplaced[: max(1, len(unplaced) // 4)]:
            school = school_of[sid]
            if coaches_by_school[school]:
                followups.append(
                    (
                        sid,
                        coaches_by_school[school][0],
                        min(today, season_start + timedelta(days=6)),
                        "Talked at lunch; unsure which group to approach.",
                        "Introduce to a cohort on their topic",
                        False,
                    )
                )
        _bulk(
            cur,
            "coach_followups",
            ["staff_id", "coach_id", "contacted_on", "note", "next_step", "resolved"],
            followups,
        )

        # One-on-one coaching for about half the caseload, and the coaches' Friday PLC notes.
        coaching = [
            (
                coach,
                sid,
                min(last_day, season_start + timedelta(days=rng.randint(1, 40))),
                rng.choice((20, 30, 30, 45)),
                rng.choice(COACHING_FOCUS),
                "Try it in one class and bring student work next time",
            )
            for sid, coach, _how in assignments
            if rng.random() < 0.5 and last_day >= season_start
        ]
        _bulk(
            cur,
            "coaching_sessions",
            ["coach_id", "staff_id", "held_on", "minutes", "focus", "next_step"],
            coaching,
        )
        plc = []
        friday = season_start + timedelta(days=(4 - season_start.weekday()) % 7)
        for school in schools:
            day = friday
            while day <= last_day and coaches_by_school[school]:
                plc.append(
                    (
                        rng.choice(coaches_by_school[school]),
                        day,
                        "Looked at common assessment results across departments.",
                        "\n".join(rng.sample(PLC_NEEDS, 2)),
                    )
                )
                day += timedelta(days=7)
        _bulk(cur, "plc_notes", ["coach_id", "met_on", "notes", "needs"], plc)

        # Wednesday staff development: three options a week, sign-ups and attendance.
        sessions, signups = [], []
        wed = season_start + timedelta(days=(2 - season_start.weekday()) % 7)
        options = (
            ("Writing intervention plans", "coach", 30),
            ("Building blended Learner Pathways", "teacher", 30),
            ("Preparing for upcoming content delivery", "staff", 40),
        )
        first_school = schools[0]
        school_teachers = [p[0] for p in teachers if p[5] == first_school]
        leaders = {
            "coach": DEMO_COACHES[1][0],
            "teacher": next(p[2] for p in teachers if p[5] == first_school),
            "staff": "Library and technology team",
        }
        while wed <= min(today + timedelta(days=7), season_end):
            day_ids = _reserve_ids(cur, "sd_session_id_seq", len(options))
            for sid_, (title, kind, cap) in zip(day_ids, options, strict=True):
                room = f"Room {rng.randint(101, 240)}"
                sessions.append((sid_, wed, title, kind, leaders[kind], room, cap))
            for t in rng.sample(school_teachers, min(len(school_teachers), 70)):
                pick = rng.choice(day_ids)
                taken = sum(1 for s in signups if s[1] == wed and s[2] == pick)
                cap = options[day_ids.index(pick)][2]
                if taken < cap:
                    attended = (rng.random() < 0.9) if wed < today else None
                    signups.append((t, wed, pick, attended))
            wed += timedelta(days=7)
        _bulk(
            cur,
            "sd_sessions",
            ["id", "day", "title", "leader_kind", "leader_name", "room", "capacity"],
            sessions,
        )
        _bulk(cur, "sd_signups", ["staff_id", "day", "session_id", "attended"], signups)

        # An online pathway with its modules, and some progress through it.
        (pw,) = _reserve_ids(cur, "pathway_id_seq", 1)
        _bulk(
            cur,
            "pathways",
            ["id", "name", "link", "description"],
            [
                (
                    pw,
                    "Google Certified Educator Level 1",
                    "https://skillshop.withgoogle.com/",
                    "The official Level 1 course: thirteen units, then the exam.",
                )
            ],
        )
        step_ids = _reserve_ids(cur, "pathway_step_id_seq", 13)
        _bulk(
            cur,
            "pathway_steps",
            ["id", "pathway_id", "position", "title"],
            [(s, pw, i + 1, f"Unit {i + 1}") for i, s in enumerate(step_ids)],
        )
        progress = []
        for cid in group_ids:
            if topic_of_cohort[cid] == topic_id[TOPICS[0][0]]:
                for m in current[cid]:
                    done = step_ids[: rng.randint(0, 6)]
                    # One unit every week or two since the season began, never in the future.
                    day = season_start
                    for step in done:
                        day = min(day + timedelta(days=rng.randint(4, 12)), last_day)
                        progress.append((m, step, datetime.combine(day, time(16))))
        _bulk(cur, "pathway_progress", ["staff_id", "step_id", "done_at"], progress)

        # A first roster import, as if synced from the school's Sheet in October.
        cur.execute(
            "INSERT INTO sync_runs (started_at, finished_at, source, status, rows_read, added, "
            "message) VALUES (?, ?, 'csv', 'ok', ?, ?, 'Demo roster import')",
            [
                on_roster_since,
                on_roster_since + timedelta(minutes=1),
                staff,
                staff,
            ],
        )
    return DemoSummary(staff, n_schools, len(cohort_rows), len(meetings), len(unplaced))


YEAR_END = (
    "The unit I rebuilt worked: students' final products were stronger than last year's.",
    "Feedback within two days held until February; next year I will plan for the spring.",
    "Sharing lessons with my cohort changed how I plan; I want to keep that going.",
    "I finished the modules but not the exam; that is next year's first goal.",
)


def _last_season(
    cur,
    rng: random.Random,
    season_id: int,
    dates: tuple[date, date, date],
    teachers: list[tuple],
    topic_rows: list[tuple],
    candidates: list[tuple],
    current_members: dict[int, list[int]],
    demo_teacher: int,
    slot_label: dict[int, str],
    used_texts: set[str],
) -> tuple[dict[int, int], dict[int, list[tuple]]]:
    """Write last season, closed: cohorts this season's carried over from (their members then,
    plus those who voted not to continue), cohorts of topics that ended, meetings, goals,
    reflections, end-of-season votes, growth plans with year-end reflections, topic demand.

    Returns {this season's cohort: last season's} and the goal versions each carried keeps."""
    from pdcore.feedback import OBSTACLES

    start, end, formed = dates
    closed_at = datetime.combine(end + timedelta(days=20), time(16))
    label = seasons.label_for(start)
    school_of = {t[0]: t[5] for t in teachers}
    used: set[int] = set()
    groups = []  # (this season's cohort or None, topic, name, slot, school, members, stayers)
    by_school = defaultdict(list)
    for t in teachers:
        by_school[t[5]].append(t[0])

    free_at = defaultdict(set)  # who can meet at each slot (a founding member can)
    for staff_id, slot_id in cur.execute("SELECT staff_id, slot_id FROM availability").fetchall():
        free_at[slot_id].add(staff_id)

    def free(school: str, n: int, also: tuple[int, ...] = (), slot=None) -> list[int]:
        """Up to n teachers of the school not yet in a group last season (a few tries each),
        free at `slot` when it is given."""
        out: list[int] = []
        for _ in range(n * 4):
            pick = rng.choice(by_school[school])
            if slot is not None and pick not in free_at[slot]:
                continue
            if pick not in used and pick not in also and pick not in out:
                out.append(pick)
            if len(out) == n:
                break
        return out

    for cid, tid, name, _kind, slot, school, *_ in candidates:
        members = current_members.get(cid, [])
        if len(members) < 2 or rng.random() < 0.4:
            continue
        members = [m for m in members if m not in used]
        gone = free(school, rng.choice((0, 1, 1, 2)), tuple(members), slot)
        if len(members) < 2:
            continue
        groups.append((cid, tid, name, slot, school, members + gone, set(members)))
        used.update(members + gone)
    # Topics that did not run again: a circle each per school, its people elsewhere now.
    # Before this season's cohorts form (August to October) last season is all there is:
    # every topic ran a few circles.
    offered = [r for r in topic_rows if not r[4]]
    ended = offered[-3:] if candidates else offered * 4
    for school in sorted(by_school):
        for tid, *_ in ended:
            picked = free(school, rng.randint(3, 5))
            if school == school_of.get(demo_teacher) and demo_teacher not in used | set(picked):
                picked = [demo_teacher, *picked[:-1]] if picked else [demo_teacher]
            if len(picked) >= 2:
                short = _short(topic_rows, tid)
                groups.append((None, tid, f"{short} circle", None, school, picked, set()))
                used.update(picked)

    cohort_ids = _reserve_ids(cur, "cohort_id_seq", len(groups))
    cohorts, members, meetings, attendance, goals, reflections, answers = ([] for _ in range(7))
    parent_of, carried_goals = {}, {}
    for last_id, (now_id, tid, name, slot, school, people, stayers) in zip(
        cohort_ids, groups, strict=True
    ):
        created = datetime.combine(formed, time(15))
        cohorts.append((last_id, tid, name, "cohort", slot, school, "closed", people[0], created))
        members += [
            (last_id, m, "started" if i == 0 else "joined", created, closed_at, "season closed")
            for i, m in enumerate(people)
        ]
        days = _meeting_dates(rng, start, end, quiet=False)
        weekday = meetings_mod.slot_weekday(slot_label.get(slot, ""))  # the slot's own day
        days = sorted({_on_weekday(d, weekday, start, end) for d in days})
        topic_name = next(r[1] for r in topic_rows if r[0] == tid)
        findings = REFLECTIONS + TOPIC_REFLECTIONS.get(topic_name, ())
        for k, held_on in enumerate(days):
            meetings.append([last_id, held_on, slot, rng.choice((45, 60, 60, 75)), people[0]])
            attendance += [(len(meetings) - 1, m) for m in people if rng.random() < 0.85]
            if k == len(days) - 1:  # what last season left on record: its share-out
                reflections.append(
                    (last_id, rng.choice(people), len(meetings) - 1,
                     _reflection_text(rng, used_texts, findings),
                     "all", k == len(days) - 1, datetime.combine(held_on, time(17)))
                )  # fmt: skip
        history = []
        if days:
            short = _short(topic_rows, tid)
            history.append(
                (rng.choice(GOAL_STARTS).format(x=short), people[0], datetime.combine(days[0], time(16)))
            )  # fmt: skip
            if len(days) >= 3 and rng.random() < 0.5:
                history.append(
                    ("Narrowed: " + rng.choice(GOAL_STARTS).format(x=short), people[-1],
                     datetime.combine(days[2], time(16)))
                )  # fmt: skip
        goals += [(last_id, v, *g) for v, g in enumerate(history, start=1)]
        if now_id is not None:
            parent_of[now_id] = last_id
            carried_goals[now_id] = history
        for m in people:
            staying = m in stayers
            if staying or rng.random() < 0.85:
                answers.append(
                    (season_id, m,
                     datetime.combine(end - timedelta(days=rng.randint(0, 12)), time(15)),
                     rng.randint(4, 5) if staying else rng.randint(2, 4),
                     "; ".join(rng.sample(OBSTACLES, rng.randint(0, 2))),
                     "yes" if staying else rng.choice(("no", "unsure")), "")
                )  # fmt: skip
    _bulk(
        cur,
        "cohorts",
        ["id", "topic_id", "name", "kind", "slot_id", "school", "status", "created_by",
         "created_at", "season_id"],
        [(*c, season_id) for c in cohorts],
    )  # fmt: skip
    _bulk(
        cur,
        "memberships",
        ["cohort_id", "staff_id", "how", "joined_at", "left_at", "left_reason"],
        members,
    )
    meeting_ids = _reserve_ids(cur, "meeting_id_seq", len(meetings))
    _bulk(
        cur,
        "meetings",
        ["id", "cohort_id", "held_on", "slot_id", "minutes", "logged_by"],
        [(meeting_ids[i], *m) for i, m in enumerate(meetings)],
    )
    _bulk(
        cur, "attendance", ["meeting_id", "staff_id"], [(meeting_ids[i], s) for i, s in attendance]
    )
    _bulk(cur, "goals", ["cohort_id", "version", "text", "author_id", "created_at"], goals)
    _bulk(
        cur,
        "reflections",
        ["cohort_id", "author_id", "meeting_id", "text", "visibility", "is_shareout", "created_at"],
        [(c, a, meeting_ids[i], *rest) for c, a, i, *rest in reflections],
    )
    _bulk(
        cur,
        "season_feedback",
        ["season_id", "staff_id", "submitted_at", "value", "obstacles", "continue_vote", "comment"],
        answers,
    )
    # Growth plans last year, with their year-end reflection.
    topic_of = {m: g[1] for g in groups for m in g[5]}
    planners = [m for m in sorted(used) if rng.random() < 0.35]
    plan_ids = _reserve_ids(cur, "growth_plan_id_seq", len(planners))
    when = datetime.combine(end, time(16))
    _bulk(
        cur,
        "growth_plans",
        ["id", "staff_id", "school_year", "focus", "topic_id", "reflection", "created_at",
         "updated_at"],
        [(pid, m, label, rng.choice(PLAN_FOCUS).format(x=_short(topic_rows, topic_of[m])),
          topic_of[m], rng.choice(YEAR_END), datetime.combine(start, time(16)), when)
         for pid, m in zip(plan_ids, planners, strict=True)],
    )  # fmt: skip
    _bulk(
        cur,
        "growth_goals",
        ["plan_id", "position", "goal", "measure"],
        [(pid, pos, goal, measure) for pid in plan_ids
         for pos, (goal, measure) in enumerate(rng.sample(PLAN_GOALS, 2), start=1)],
    )  # fmt: skip
    # Topic demand as it stood when last season's cohorts formed.
    demand = []
    for tid, _name, _d, status, write_in, *_ in topic_rows:
        if write_in:
            continue
        in_groups = [g for g in groups if g[1] == tid]
        first = sum(len(g[5]) for g in in_groups) + rng.randint(0, 6)
        demand.append((season_id, tid, status, first, first + rng.randint(2, 12), len(in_groups)))
    _bulk(
        cur,
        "season_topics",
        ["season_id", "topic_id", "status", "first_choice", "any_choice", "cohorts"],
        demand,
    )
    return parent_of, carried_goals


def _short(topic_rows, tid) -> str:
    name = next(r[1] for r in topic_rows if r[0] == tid)
    return name.replace(" and Genius Hour", "").replace(" in a HS Classroom", "")


NEXT_STEPS = (
    "Next time each of us brings one example.",
    "We will try it again with a different class.",
    "Next month we film a short share-out.",
    "We want to show this to our departments.",
    "Two of us will observe each other before we meet again.",
    "We are keeping a shared log of what worked.",
    "Next we ask students what they noticed.",
    "We will pair up across departments next round.",
    "We are writing it up as a one-page guide for new staff.",
    "Next we compare notes with the other cohort on this topic.",
    "We will bring student work samples to the next meeting.",
    "We plan to try the same idea in a co-taught class.",
)


def _reflection_text(rng: random.Random, used: set, findings) -> str:
    """A finding and a next step, never the same words twice in the school."""
    text = ""
    for _ in range(50):
        text = f"{rng.choice(findings)} {rng.choice(NEXT_STEPS)}"
        if text not in used:
            break
    used.add(text)
    return text


def _on_weekday(day: date, weekday: int | None, first: date, last: date) -> date:
    """The same week's `weekday` (a school day, Monday to Friday, when None), kept between
    `first` and `last`."""
    target = weekday if weekday is not None else min(day.weekday(), 4)
    moved = day + timedelta(days=target - day.weekday())
    if moved < first:
        moved += timedelta(days=7)
    if moved > last:
        moved -= timedelta(days=7)
    return moved


def _meeting_dates(rng: random.Random, start: date, last: date, quiet: bool) -> list[date]:
    """One or two meetings a month from the start to `last`; quiet cohorts stop early."""
    dates, month_start = [], start
    stop = start + timedelta(days=rng.randint(0, 20)) if quiet else last
    while month_start <= min(last, stop):
        month_end = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
        for _ in range(rng.choice((1, 1, 1, 2))):
            day = month_start + timedelta(days=rng.randint(2, 26))
            if day <= min(last, stop) and day < month_end:
                dates.append(day)
        month_start = month_end
    return sorted(set(dates))


def ensure_demo(con, today: date | None = None) -> DemoSummary | None:
    """Generate the demo school when the database has no staff yet; None otherwise.

    On PostgreSQL several app processes may open an empty database at once: they take turns
    on the setup lock (the migrations' own), so the first makes the school and the others
    find it made."""
    if isinstance(con, postgres.Database):
        with con.session_lock(postgres.MIGRATE_LOCK_KEY):
            return _ensure_demo(con, today)
    return _ensure_demo(con, today)


def _ensure_demo(con, today: date | None) -> DemoSummary | None:
    if roster.staff_count(con):
        return None
    return generate(con, today=today)


def is_demo(con) -> bool:
    """True when `generate` made this database (it says so in the audit log): only then may
    a demo-mode app offer its "be anyone" sign-in."""
    sql = "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'"
    return db.read(con).execute(sql).fetchone()[0] > 0
