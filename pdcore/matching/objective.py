"""The objective: the value of a cohort and of a formation (what the benchmark compares
with the exact optimum), and the same objective kept incrementally for one school while the
engine moves people (:class:`SchoolState`)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from pdcore.matching.model import (
    _MIX,
    _PREF_CODE,
    _SAME,
    Cohort,
    Formation,
    Person,
    Rules,
    _Limits,
    _offered,
    dept_preference_met,
)
from pdcore.matching.weights import (
    W_AVAIL,
    W_DEPT,
    W_EXISTING,
    W_MUTUAL,
    W_NAMED,
    W_PLACE,
    W_RANK,
    W_RANK_TOGETHER,
)


def can_meet(p: Person, q: Person) -> bool:
    """Whether a cohort could hold two named colleagues who can both come: they share a
    free time, or one of them gave none. Two with no time in common cannot both be free at
    any cohort's slot, so keeping them together is worth nothing."""
    return not p.slots or not q.slots or bool(p.slots & q.slots)


def _step(p: Person, topic_id: int, others: Sequence[Person]) -> float:
    """What one step down p's choices costs on this topic: less when a named colleague
    (either way) put it first, the step that can keep the two together. The engine knows
    every colleague's first choice; one cohort's score knows those in it."""
    for q in others:
        named = q.id in p.colleagues or p.id in q.colleagues
        if named and can_meet(p, q) and q.choices[:1] == (topic_id,):
            return W_RANK_TOGETHER
    return W_RANK


def cohort_score(
    members: Sequence[Person],
    topic_id: int,
    slot_id: int | None,
    rules: Rules,
    *,
    existing: bool = False,
    fixed: Sequence[Person] = (),
) -> float:
    """The objective's value of one cohort: ``members`` are the people placed in it by the
    engine, ``fixed`` the members it already had (an existing cohort). Used by the benchmark
    to compare the engine with an exact optimum; the engine itself scores incrementally."""
    lim = _Limits.of(rules)
    everyone = list(members) + list(fixed)
    ids = {p.id for p in everyone}
    value = 0.0
    for p in members:
        value += W_PLACE
        if topic_id in p.choices:
            value -= _step(p, topic_id, everyone) * p.choices.index(topic_id)
        if p.priority == "who" and slot_id in p.slots:
            value += W_AVAIL
        if existing:
            value += W_EXISTING
    placed = {p.id for p in members}
    by_id = {p.id: p for p in everyone}
    for p in everyone:
        for q in p.colleagues:
            if q in ids and q != p.id and (p.id in placed or q in placed) and can_meet(p, by_id[q]):
                value += W_NAMED
                other = by_id[q]
                if p.id in other.colleagues and p.id < q:
                    value += W_MUTUAL
    for p in everyone:
        others = [q.department for q in everyone if q.id != p.id]
        if p.dept_pref in _PREF_CODE and dept_preference_met(p.dept_pref, p.department, others):
            value += W_DEPT
    return value - lim.penalty(len(everyone))


def formation_score(
    people: Sequence[Person],
    cohorts: Sequence[Cohort],
    formation: Formation,
    rules: Rules,
    members_by_id: Mapping[int, Person] | None = None,
) -> float:
    """The objective's value of a formation (new cohorts, plus existing cohorts it adds
    people to). Comparable between formations of the same input."""
    by_id = {p.id: p for p in people}
    members_by_id = members_by_id or {}
    total = 0.0
    for cohort in formation.new_cohorts:
        members = [by_id[i] for i in cohort.member_ids]
        total += cohort_score(members, cohort.topic_id, cohort.slot_id, rules)
    joined: dict[int, list[Person]] = defaultdict(list)
    for cohort_id, pid in formation.joins:
        joined[cohort_id].append(by_id[pid])
    for cohort in cohorts:
        if cohort.id not in joined:
            continue
        fixed = [members_by_id[m] for m in cohort.member_ids if m in members_by_id]
        unknown = len(cohort.member_ids) - len(fixed)
        fixed += [Person(id=-1 - k, name="", department=f"?{k}") for k in range(unknown)]
        base = cohort_score([], cohort.topic_id, cohort.slot_id, rules, fixed=fixed)
        total += (
            cohort_score(
                joined[cohort.id],
                cohort.topic_id,
                cohort.slot_id,
                rules,
                existing=True,
                fixed=fixed,
            )
            - base
        )
    return total


class _Group:
    """A cohort being built (or an existing one being filled), with running counts so that a
    move's effect on department preferences is cheap to evaluate."""

    __slots__ = (
        "idx",
        "topic",
        "slot",
        "cohort_id",
        "members",
        "fixed_n",
        "n",
        "dc",
        "sc",
        "mc",
        "pts",
        "alive",
        "listed",
    )

    def __init__(self, idx, topic, slot, cohort_id=None, fixed=()):
        self.idx = idx
        self.topic = topic
        self.slot = slot
        self.cohort_id = cohort_id
        self.members: list[int] = []
        self.fixed_n = len(fixed)
        self.n = 0
        self.dc: dict = defaultdict(int)  # department -> members
        self.sc: dict = defaultdict(int)  # department -> members wanting "same"
        self.mc: dict = defaultdict(int)  # department -> members wanting "mix"
        self.alive = True
        self.listed = True  # in its topic's list (dead groups leave it lazily)
        for dept, pref in fixed:
            self.n += 1
            self.dc[dept] += 1
            if pref == _SAME:
                self.sc[dept] += 1
            elif pref == _MIX:
                self.mc[dept] += 1
        self.pts = self.points()

    def points(self) -> int:
        """How many members' department preferences this cohort honours."""
        n = self.n
        if n < 2:
            return 0
        h = n - 1
        dc = self.dc
        pts = 0
        for d, k in self.sc.items():
            if k and 2 * (dc[d] - 1) >= h:
                pts += k
        for d, k in self.mc.items():
            if k and 2 * (n - dc[d]) >= h:
                pts += k
        return pts


class SchoolState:
    """One school being formed: people indexed 0..n-1, ``where[i]`` the index of their group
    or -1, and the objective's parts kept so a move's or a swap's change is cheap to compute
    (:meth:`delta_move`, :meth:`delta_swap`; :meth:`total` recounts from scratch)."""

    @classmethod
    def of(cls, people: Sequence[Person], topics, rules: Rules, slot_labels, seed: int = 0):
        """One school with no existing cohorts, set up as the engine sets it up (everyone
        unplaced, topics offered by an admin or by first choices)."""
        firsts = Counter(p.choices[0] for p in people if p.choices)
        return cls(
            school="",
            people=list(people),
            cohorts=[],
            offered=_offered(topics, firsts, rules.offer_threshold),
            retired={t.id for t in topics if t.status == "retired"},
            firsts=firsts,
            lim=_Limits.of(rules),
            threshold=rules.offer_threshold,
            members_by_id={},
            universe=sorted(set(slot_labels) | {s for p in people for s in p.slots}),
            rng=random.Random(seed),
            topic_name=str,
            slot_label=str,
        )

    def __init__(
        self,
        *,
        school,
        people,
        cohorts,
        offered,
        retired,
        firsts,
        lim,
        threshold,
        members_by_id,
        universe,
        rng,
        topic_name,
        slot_label,
        apart=(),
    ):
        self.school = school
        self.people = people
        self.offered = offered
        self.retired = retired
        self.firsts = firsts
        self.lim = lim
        self.threshold = threshold
        self.universe = universe
        self.rng = rng
        self.topic_name = topic_name
        self.slot_label = slot_label
        self.cohorts = {c.id: c for c in cohorts}
        n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        self.index = index
        self.dept = [p.department for p in people]
        self.pref = [_PREF_CODE.get(p.dept_pref, 0) for p in people]
        self.when = [p.priority != "who" for p in people]
        self.slots = [p.slots for p in people]
        self.where = [-1] * n
        self.touched: set[int] = set()  # groups changed since the last local-search pass
        self.groups: list[_Group] = []
        self.by_topic: dict[int, list[int]] = defaultdict(list)
        self.dead: Counter = Counter()  # dead groups still listed in by_topic, per topic

        member_group: dict[int, int] = {}
        existing_topics = set()
        for c in cohorts:
            if c.topic_id in retired:
                continue
            fixed = []
            for k, m in enumerate(c.member_ids):
                mp = members_by_id.get(m)
                if mp is not None:
                    fixed.append((mp.department, _PREF_CODE.get(mp.dept_pref, 0)))
                else:
                    fixed.append((("?", c.id, k), 0))
            g = self.new_group(c.topic_id, c.slot_id, cohort_id=c.id, fixed=fixed)
            existing_topics.add(c.topic_id)
            for m in c.member_ids:
                member_group[m] = g.idx
        # Pairs an admin said must never be together: people being placed, and the groups of
        # existing cohorts (or locked proposals) holding the other one.
        self.apart: list[set[int]] = [set() for _ in range(n)]
        self.barred: list[set[int]] = [set() for _ in range(n)]
        for a, b in apart:
            for x, y in ((a, b), (b, a)):
                i = index.get(x)
                if i is None:
                    continue
                if y in index:
                    self.apart[i].add(index[y])
                elif y in member_group:
                    self.barred[i].add(member_group[y])
        self.any_apart = any(self.apart) or any(self.barred)
        self.usable = {
            t
            for p in people
            for t in p.choices
            if t not in retired and (t in offered or t in existing_topics)
        }
        self.rank: list[dict[int, int]] = []
        for p in people:
            r: dict[int, int] = {}
            for k, t in enumerate(p.choices):
                if t not in r and t in self.usable:
                    r[t] = k
            self.rank.append(r)

        # Pair weights between people being placed, symmetric: each request counts.
        links: list[dict[int, float]] = [{} for _ in range(n)]
        for i, p in enumerate(people):
            for c in sorted(p.colleagues):
                j = index.get(c)
                if j is None or j == i or not can_meet(p, people[j]):
                    continue
                links[i][j] = links[i].get(j, 0.0) + W_NAMED
                links[j][i] = links[j].get(i, 0.0) + W_NAMED
                if i < j and p.id in people[j].colleagues:
                    links[i][j] += W_MUTUAL
                    links[j][i] += W_MUTUAL
        self.links = links
        # What a step down the person's choices costs: less towards a topic a named
        # colleague put first (the step that can keep the two together).
        self.cost: list[dict[int, float]] = []
        for i, r in enumerate(self.rank):
            firsts_of = {people[j].choices[0] for j in links[i] if people[j].choices}
            self.cost.append(
                {t: (W_RANK_TOGETHER if t in firsts_of else W_RANK) * k for t, k in r.items()}
            )
        # Weights towards the fixed members of existing cohorts, per group.
        fixed_w: list[dict[int, float]] = [{} for _ in range(n)]
        for i, p in enumerate(people):
            for c in p.colleagues:
                g = member_group.get(c)
                if g is None:
                    continue
                w = W_NAMED
                mp = members_by_id.get(c)
                if mp is not None and not can_meet(p, mp):
                    continue
                if mp is not None and p.id in mp.colleagues:
                    w += W_NAMED + W_MUTUAL
                fixed_w[i][g] = fixed_w[i].get(g, 0.0) + w
        for c in cohorts:
            g = member_group.get(c.member_ids[0]) if c.member_ids else None
            if g is None:
                continue
            for m in c.member_ids:
                mp = members_by_id.get(m)
                if mp is None:
                    continue
                for q in mp.colleagues:
                    i = index.get(q)
                    if i is not None and m not in people[i].colleagues and can_meet(people[i], mp):
                        fixed_w[i][g] = fixed_w[i].get(g, 0.0) + W_NAMED
        self.fixed_w = fixed_w
        # People by (topic they could be placed on, department): dept-mates to recruit.
        mates: dict[tuple, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rank):
            for t in r:
                mates[(t, self.dept[i])].append(i)
        self.mates = mates
        by_choice: dict[int, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rank):
            for t in r:
                by_choice[t].append(i)
        self.by_choice = by_choice
        self._recruiting = True

    def new_group(self, topic, slot, cohort_id=None, fixed=()) -> _Group:
        g = _Group(len(self.groups), topic, slot, cohort_id, fixed)
        self.groups.append(g)
        self.by_topic[topic].append(g.idx)
        return g

    def _inc(self, g: _Group, i: int, s: int) -> None:
        d = self.dept[i]
        g.n += s
        g.dc[d] += s
        pref = self.pref[i]
        if pref == _SAME:
            g.sc[d] += s
        elif pref == _MIX:
            g.mc[d] += s

    def move(self, i: int, to: int) -> None:
        """Move person i to group ``to`` (-1: unplaced)."""
        frm = self.where[i]
        if frm >= 0:
            g = self.groups[frm]
            g.members.remove(i)
            self._inc(g, i, -1)
            g.pts = g.points()
            if g.n == 0 and g.cohort_id is None:
                self._kill(g)
        if to >= 0:
            g = self.groups[to]
            if not g.alive:
                g.alive = True
                if not g.listed:
                    g.listed = True
                    self.by_topic[g.topic].append(g.idx)
            g.members.append(i)
            self._inc(g, i, 1)
            g.pts = g.points()
        self.where[i] = to
        self.touched.add(frm)
        self.touched.add(to)

    def _kill(self, g: _Group) -> None:
        """A new group emptied: it leaves its topic's list lazily (a rebuild that is undone
        revives it), so readers of ``by_topic`` skip groups that are not alive."""
        g.alive = False
        self.dead[g.topic] += 1
        listed = self.by_topic[g.topic]
        if self.dead[g.topic] > 32 and 2 * self.dead[g.topic] > len(listed):
            keep = []
            for x in listed:
                if self.groups[x].alive:
                    keep.append(x)
                else:
                    self.groups[x].listed = False
            self.by_topic[g.topic] = keep
            self.dead[g.topic] = 0

    def _own(self, i: int, g: _Group) -> float:
        v = W_PLACE - self.cost[i][g.topic]
        if g.cohort_id is not None:
            v += W_EXISTING
        if not self.when[i] and g.slot in self.slots[i]:
            v += W_AVAIL
        return v

    def _lb(self, g: _Group) -> int:
        """Smallest size the group may shrink to by moving people out (0 dissolves)."""
        if g.cohort_id is None:
            return self.lim.mn
        return min(self.lim.mn, g.fixed_n)

    def _fits(self, i: int, g: _Group) -> bool:
        """Hard rules for person i in group g, ignoring size."""
        if g.topic not in self.rank[i]:
            return False
        if self.any_apart and self._apart_from(i, g.idx):
            return False
        if self.when[i]:
            return g.slot is not None and g.slot in self.slots[i]
        return True

    def _apart_from(self, i: int, gi: int) -> bool:
        """Whether group gi holds someone person i must never be with."""
        where = self.where
        return gi in self.barred[i] or any(where[j] == gi for j in self.apart[i] if j != i)

    def _clash(self, members: list[int], g: _Group) -> bool:
        """Whether g holds someone one of ``members`` must never be with."""
        return self.any_apart and any(self._apart_from(i, g.idx) for i in members)

    def _met(self, i: int, g: _Group) -> bool:
        n = g.n
        if n < 2:
            return False
        c = g.dc[self.dept[i]]
        if self.pref[i] == _SAME:
            return 2 * (c - 1) >= n - 1
        return 2 * (n - c) >= n - 1

    def _links_to(self, i: int, gi: int) -> float:
        v = self.fixed_w[i].get(gi, 0.0)
        where = self.where
        for j, w in self.links[i].items():
            if where[j] == gi:
                v += w
        return v

    def _dept_after(self, g: _Group, i: int, s: int) -> int:
        """Honoured department preferences in g once person i joins (s=1) or leaves (s=-1)."""
        n = g.n + s
        if n < 2:
            return 0
        h = n - 1
        di = self.dept[i]
        p = self.pref[i]
        dc = g.dc
        pts = 0
        sc = g.sc
        for d, k in sc.items():
            c = dc[d]
            if d == di:
                c += s
                if p == _SAME:
                    k += s
            if k and 2 * (c - 1) >= h:
                pts += k
        if p == _SAME and di not in sc and 2 * dc.get(di, 0) >= h:
            pts += 1
        mc = g.mc
        for d, k in mc.items():
            c = dc[d]
            if d == di:
                c += s
                if p == _MIX:
                    k += s
            if k and 2 * (n - c) >= h:
                pts += k
        if p == _MIX and di not in mc and 2 * (n - dc.get(di, 0) - 1) >= h:
            pts += 1
        return pts

    def _dept_swap(self, g: _Group, out: int, inn: int) -> int:
        """Change in g's honoured preferences when ``out`` leaves and ``inn`` takes the seat.
        The size does not change, so only the two departments involved can change."""
        dept, pref = self.dept, self.pref
        do, di = dept[out], dept[inn]
        po, pi = pref[out], pref[inn]
        if do == di and po == pi:
            return 0
        n = g.n
        if n < 2:
            return 0
        h = n - 1
        dc, sc, mc = g.dc, g.sc, g.mc
        if do == di:
            c = dc[do]
            ds = (pi == _SAME) - (po == _SAME)
            dm = (pi == _MIX) - (po == _MIX)
            return ds * (2 * (c - 1) >= h) + dm * (2 * (n - c) >= h)
        # The leaver's department loses a member, the newcomer's gains one.
        c = dc.get(do, 0)
        ks = sc.get(do, 0)
        km = mc.get(do, 0)
        delta = -ks * (2 * (c - 1) >= h) - km * (2 * (n - c) >= h)
        c -= 1
        ks -= po == _SAME
        km -= po == _MIX
        delta += ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)
        c = dc.get(di, 0)
        ks = sc.get(di, 0)
        km = mc.get(di, 0)
        delta -= ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)
        c += 1
        ks += pi == _SAME
        km += pi == _MIX
        return delta + ks * (2 * (c - 1) >= h) + km * (2 * (n - c) >= h)

    def delta_move(self, i: int, to: int) -> float:
        """Objective change of moving person i to group ``to`` (-1: unplaced)."""
        lim = self.lim
        frm = self.where[i]
        delta = 0.0
        where = self.where
        if frm >= 0:
            g = self.groups[frm]
            delta -= self._own(i, g) + self.fixed_w[i].get(frm, 0.0)
            delta += (
                W_DEPT * (self._dept_after(g, i, -1) - g.pts)
                - lim.penalty(g.n - 1)
                + lim.penalty(g.n)
            )
        if to >= 0:
            g = self.groups[to]
            delta += self._own(i, g) + self.fixed_w[i].get(to, 0.0)
            delta += (
                W_DEPT * (self._dept_after(g, i, 1) - g.pts)
                - lim.penalty(g.n + 1)
                + lim.penalty(g.n)
            )
        for j, w in self.links[i].items():
            wj = where[j]
            if wj < 0:
                continue
            if wj == to:
                delta += w
            elif wj == frm:
                delta -= w
        return delta

    def delta_swap(self, i: int, j: int) -> float:
        """Objective change of swapping persons i and j (in different groups)."""
        where = self.where
        gi, gj = where[i], where[j]
        a, b = self.groups[gi], self.groups[gj]
        # Own terms: placement and existing-seat bonuses cancel in a swap.
        delta = 0.0
        if a.topic != b.topic:
            ci, cj = self.cost[i], self.cost[j]
            delta += ci[a.topic] - ci[b.topic] + cj[b.topic] - cj[a.topic]
        if a.slot != b.slot:
            when = self.when
            if not when[i]:
                si = self.slots[i]
                delta += W_AVAIL * ((b.slot in si) - (a.slot in si))
            if not when[j]:
                sj = self.slots[j]
                delta += W_AVAIL * ((a.slot in sj) - (b.slot in sj))
        fw = self.fixed_w
        if fw[i] or fw[j]:
            delta += (
                fw[i].get(gj, 0.0) - fw[i].get(gi, 0.0) + fw[j].get(gi, 0.0) - fw[j].get(gj, 0.0)
            )
        for k, w in self.links[i].items():
            if k != j:
                wk = where[k]
                if wk == gj:
                    delta += w
                elif wk == gi:
                    delta -= w
        for k, w in self.links[j].items():
            if k != i:
                wk = where[k]
                if wk == gi:
                    delta += w
                elif wk == gj:
                    delta -= w
        return delta + W_DEPT * (self._dept_swap(a, i, j) + self._dept_swap(b, j, i))

    def swap(self, i: int, j: int) -> None:
        gi, gj = self.where[i], self.where[j]
        a, b = self.groups[gi], self.groups[gj]
        a.members.remove(i)
        b.members.remove(j)
        a.members.append(j)
        b.members.append(i)
        self._inc(a, i, -1)
        self._inc(a, j, 1)
        self._inc(b, j, -1)
        self._inc(b, i, 1)
        a.pts = a.points()
        b.pts = b.points()
        self.where[i], self.where[j] = gj, gi
        self.touched.add(gi)
        self.touched.add(gj)

    def _best_slot(self, members: Sequence[int], current=None):
        """The slot, valid for every WHEN member, that most WHO members are free at."""
        allowed = None
        for i in members:
            if self.when[i]:
                allowed = set(self.slots[i]) if allowed is None else allowed & self.slots[i]
        options = self.universe if allowed is None else sorted(allowed)
        if not options:
            return allowed is None, current
        who = [self.slots[i] for i in members if not self.when[i]]
        best, best_n = current, -1
        if current is not None and (allowed is None or current in allowed):
            best_n = sum(1 for s in who if current in s)
        for s in options:
            k = sum(1 for ss in who if s in ss)
            if k > best_n:
                best, best_n = s, k
        return True, best

    def total(self) -> float:
        """The objective from scratch (tests check the incremental deltas against it)."""
        total = 0.0
        where = self.where
        for g in self.groups:
            if not g.alive:
                continue
            for i in g.members:
                total += self._own(i, g) + self.fixed_w[i].get(g.idx, 0.0)
                total += sum(w for j, w in self.links[i].items() if where[j] == g.idx and j > i)
            total += W_DEPT * g.points() - self.lim.penalty(g.n)
        return total

    def _value(self, g: _Group) -> float:
        """A group's share of the objective (links to people outside it excluded)."""
        where = self.where
        v = W_DEPT * g.pts - self.lim.penalty(g.n)
        for i in g.members:
            v += self._own(i, g) + self.fixed_w[i].get(g.idx, 0.0)
            for j, w in self.links[i].items():
                if j > i and where[j] == g.idx:
                    v += w
        return v
