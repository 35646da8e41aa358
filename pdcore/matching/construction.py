"""Construction: a topic for everyone (colleagues who named each other steered onto one
they share), open seats of existing cohorts first, then named
colleagues joined into units, units bucketed by meeting slot and split into balanced cohorts
seeded with department cores; and the last seating of anyone left over (into room, via a
moved member, a new cohort with spared people, or an exact search on a small school)."""

from __future__ import annotations

from collections import Counter, defaultdict

from pdcore.matching.model import _MIX, _SAME
from pdcore.matching.objective import _Group
from pdcore.matching.weights import W_AVAIL, W_DEPT, W_NAMED, W_PLACE, W_SIZE

# Schools with at most this many people to place (outside existing cohorts) get an exact
# search when the construction leaves anyone unplaced (3^10 steps, a few milliseconds).
EXACT_MAX = 10


class Construction:
    """Builds a first formation and seats leftovers (a mixin of the engine's school)."""

    def _assign_topics(self):
        """Topic per person: the first choice where someone could be grouped with them."""
        n = len(self.people)
        lim = self.lim
        cand = [sorted(r, key=r.get) for r in self.rank]
        self._pair_topics(cand)
        ptr = [0] * n
        active = [i for i in range(n) if cand[i] and (not self.when[i] or self.slots[i])]
        while True:
            pools: dict[int, list[int]] = defaultdict(list)
            for i in active:
                if ptr[i] < len(cand[i]):
                    pools[cand[i][ptr[i]]].append(i)
            changed = False
            for t, members in pools.items():
                offered = t in self.offered
                open_groups = [
                    self.groups[g]
                    for g in self.by_topic.get(t, ())
                    if self.groups[g].cohort_id is not None and self.groups[g].n < lim.mx
                ]
                open_slots = {g.slot for g in open_groups}
                # A new cohort at slot s can hold every WHO member and the WHEN members free
                # then; it needs at least the minimum size.
                who_n = sum(1 for i in members if not self.when[i])
                slot_n = Counter(s for i in members if self.when[i] for s in self.slots[i])
                most = who_n + max(slot_n.values(), default=0)
                for i in members:
                    if not self.when[i]:
                        ok = bool(open_groups) or (offered and most >= lim.mn)
                    else:
                        ok = any(s in open_slots for s in self.slots[i]) or (
                            offered and any(who_n + slot_n[s] >= lim.mn for s in self.slots[i])
                        )
                    if not ok:
                        ptr[i] += 1
                        changed = True
            if not changed:
                break
        is_active = set(active)
        stranded = [i for i in range(n) if i not in is_active or ptr[i] >= len(cand[i])]
        return pools, stranded

    def _pair_topics(self, cand: list[list[int]]) -> None:
        """Named colleagues with different first choices start on one topic when one of
        them chose the other's first choice too, their times allow it and the request is
        worth the step down (the heaviest requests first; each person is steered once)."""
        steered: set[int] = set()
        pairs = sorted(
            (-w, i, j) for i, links in enumerate(self.links) for j, w in links.items() if i < j
        )
        for negw, i, j in pairs:
            if i in steered or j in steered or not cand[i] or not cand[j]:
                continue
            if cand[i][0] == cand[j][0]:
                steered.update((i, j))
                continue
            if self.when[i] and self.when[j] and not self.slots[i] & self.slots[j]:
                continue
            best = None
            for x, y in ((i, j), (j, i)):
                t = cand[y][0]
                if t in self.rank[x]:
                    cost = self.cost[x][t]
                    if cost < -negw - W_NAMED and (best is None or cost < best[0]):
                        best = (cost, x, t)
            if best is None:
                continue
            _, x, t = best
            cand[x] = [t] + [u for u in cand[x] if u != t]
            steered.update((i, j))

    def _build_pool(self, t: int, pool: list[int]) -> list[int]:
        """Seat one topic's pool: open seats of existing cohorts first, then new cohorts.
        Returns who is left over."""
        lim = self.lim
        remaining = sorted(pool)
        # 1. Existing cohorts: fill to the ideal maximum, people with a named colleague first.
        for gi in list(self.by_topic.get(t, ())):
            g = self.groups[gi]
            if g.cohort_id is None:
                continue
            cands = [i for i in remaining if self._fits(i, g)]
            cands.sort(key=lambda i: (-self.fixed_w[i].get(gi, 0.0), i))
            taken = set()
            for i in cands:
                linked = self.fixed_w[i].get(gi, 0.0) > 0
                if g.n >= lim.mx or (g.n >= lim.imax and not linked):
                    break
                self.move(i, gi)
                taken.add(i)
            remaining = [i for i in remaining if i not in taken]
        if t not in self.offered:
            return remaining  # no new cohorts on a topic that is not offered

        # 2. Units: named colleagues kept together when their times allow it.
        units = self._units(remaining)
        # 3. Buckets by meeting slot.
        buckets = self._bucket(units)
        # 4. Balanced, department-aware cohorts per bucket.
        left = []
        for slot in sorted(buckets, key=lambda s: (s is None, s if s is not None else 0)):
            left += self._partition(t, slot, buckets[slot])
        return left

    def _units(self, pool: list[int]) -> list[tuple[list[int], frozenset | None]]:
        lim = self.lim
        inpool = set(pool)
        parent = {i: i for i in pool}
        size = dict.fromkeys(pool, 1)
        allowed = {i: (self.slots[i] if self.when[i] else None) for i in pool}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        edges = sorted(
            (-w, i, j) for i in pool for j, w in self.links[i].items() if j > i and j in inpool
        )
        for _, i, j in edges:
            ri, rj = find(i), find(j)
            if ri == rj or size[ri] + size[rj] > lim.imax:
                continue
            if self.any_apart and any(
                y in parent and find(y) == rj for x in pool if find(x) == ri for y in self.apart[x]
            ):
                continue  # an admin said two of them must never be together
            a, b = allowed[ri], allowed[rj]
            if a is None:
                merged = b
            elif b is None:
                merged = a
            else:
                merged = a & b
                if not merged:
                    continue
            if rj < ri:
                ri, rj = rj, ri
            parent[rj] = ri
            size[ri] += size[rj]
            allowed[ri] = merged
        groups: dict[int, list[int]] = defaultdict(list)
        for i in pool:
            groups[find(i)].append(i)
        return [(members, allowed[root]) for root, members in sorted(groups.items())]

    def _bucket(self, units):
        """Group units by a meeting slot: greedy cover, the slot most WHEN people share first;
        WHO-only units go where they are free, topping up buckets that cannot split well."""
        lim = self.lim
        buckets: dict = defaultdict(list)
        size: Counter = Counter()
        constrained = [u for u in units if u[1] is not None]
        free = [u for u in units if u[1] is None]
        who_avail: Counter = Counter()
        for members, _ in units:
            for i in members:
                if not self.when[i]:
                    who_avail.update(self.slots[i])
        while constrained:
            weight: Counter = Counter()
            for members, allowed in constrained:
                for s in allowed:
                    weight[s] += len(members)
            best = max(weight, key=lambda s: (weight[s], who_avail[s], -s))
            rest = []
            for u in constrained:
                if best in u[1]:
                    buckets[best].append(u)
                    size[best] += len(u[0])
                else:
                    rest.append(u)
            constrained = rest
        floating = []
        for u in sorted(free, key=lambda u: (-len(u[0]), u[0][0])):
            avail = Counter(s for i in u[0] for s in self.slots[i])
            options = [s for s in buckets if avail[s]]
            if not options:
                if avail:
                    best = max(avail, key=lambda s: (avail[s], who_avail[s], -s))
                    buckets[best].append(u)
                    size[best] += len(u[0])
                else:
                    floating.append(u)
                continue

            def value(s, u=u, avail=avail):
                fix = (not lim.partitionable(size[s])) - (
                    not lim.partitionable(size[s] + len(u[0]))
                )
                return (W_AVAIL * avail[s] + W_SIZE * fix, size[s], -s)

            best = max(options, key=value)
            buckets[best].append(u)
            size[best] += len(u[0])
        for u in floating:
            if not buckets:
                buckets[None].append(u)
                size[None] += len(u[0])
                continue
            best = max(
                buckets,
                key=lambda s, u=u: (
                    (not lim.partitionable(size[s])) - (not lim.partitionable(size[s] + len(u[0]))),
                    size[s],
                    -(s or 0),
                ),
            )
            buckets[best].append(u)
            size[best] += len(u[0])
        self._consolidate(units, buckets, size)
        # Dissolve buckets too small for a cohort when their units fit elsewhere.
        for s in sorted(buckets, key=lambda s: (size[s], s or 0)):
            if size[s] >= lim.imin or not buckets[s]:
                continue
            moves = []
            for u in buckets[s]:
                options = [
                    o
                    for o in buckets
                    if o != s and buckets[o] and (u[1] is None or (o is not None and o in u[1]))
                ]
                if not options:
                    moves = None
                    break
                k = len(u[0])
                moves.append(
                    (
                        u,
                        max(
                            options,
                            key=lambda o, u=u, k=k: (
                                lim.partitionable(size[o] + k),
                                sum(1 for i in u[0] if o in self.slots[i]),
                                size[o],
                                -(o or 0),
                            ),
                        ),
                    )
                )
            if not moves:
                continue
            for u, o in moves:
                buckets[o].append(u)
                size[o] += len(u[0])
            buckets[s] = []
            size[s] = 0
        return {s: us for s, us in buckets.items() if us}

    def _consolidate(self, units, buckets, size) -> None:
        """Bring the people of a department where someone wants "same" into one bucket, the
        one most of them are in, when their times allow and both buckets still split well."""
        lim = self.lim
        want = {self.dept[i] for u in units for i in u[0] if self.pref[i] == _SAME}
        if not want:
            return
        by_dept: dict = defaultdict(list)
        for s in sorted(buckets, key=lambda s: (s is None, s or 0)):
            for u in buckets[s]:
                depts = {self.dept[i] for i in u[0]}
                if len(depts) == 1 and (d := depts.pop()) in want:
                    by_dept[d].append((s, u))
        for d in sorted(by_dept, key=str):
            entries = by_dept[d]
            count: Counter = Counter()
            can: Counter = Counter()
            for s, u in entries:
                count[s] += len(u[0])
                for o in buckets:
                    if u[1] is None or (o is not None and o in u[1]):
                        can[o] += len(u[0])
            home = max(count, key=lambda s: (can[s], count[s], size[s], -(s or 0)))
            for s, u in entries:
                if s == home or any(self.pref[i] == _MIX for i in u[0]):
                    continue
                if u[1] is not None and (home is None or home not in u[1]):
                    continue
                k = len(u[0])
                if (lim.partitionable(size[s]) and not lim.partitionable(size[s] - k)) or (
                    lim.partitionable(size[home]) and not lim.partitionable(size[home] + k)
                ):
                    continue
                buckets[s].remove(u)
                buckets[home].append(u)
                size[s] -= k
                size[home] += k

    def _partition(self, t: int, slot, units) -> list[int]:
        """Split one slot bucket into balanced cohorts; returns people left over."""
        lim = self.lim
        total = sum(len(u[0]) for u in units)
        if total < lim.mn:
            return [i for u in units for i in u[0]]

        def key(u):
            members = u[0]
            prefs = {self.pref[i] for i in members}
            cls = 0 if _SAME in prefs else (2 if _MIX in prefs else 1)
            return (
                -len(members) if len(members) >= 3 else 0,
                cls,
                self.dept[members[0]],
                members[0],
            )

        units = sorted(units, key=key)
        chunks = [units]
        if total > 120:
            chunks, cur, n = [], [], 0
            for u in units:
                cur.append(u)
                n += len(u[0])
                if n >= 60:
                    chunks.append(cur)
                    cur, n = [], 0
            if cur:
                if n < lim.imin * 2 and chunks:
                    chunks[-1] += cur
                else:
                    chunks.append(cur)
        left = []
        for chunk in chunks:
            left += self._fill(t, slot, chunk)
        return left

    def _fill(self, t, slot, units) -> list[int]:
        lim = self.lim
        total = sum(len(u[0]) for u in units)
        sizes = lim.split_sizes(total)
        if not sizes:
            return [i for u in units for i in u[0]]
        groups = [self.new_group(t, slot) for _ in sizes]
        caps = list(sizes)
        left = []
        units = self._seed_cores(units, groups, caps)
        for members, _ in units:
            k = len(members)
            best, best_key = None, None
            for gi, g in enumerate(groups):
                if caps[gi] < k or self._clash(members, g):
                    continue
                old = g.pts
                for i in members:
                    self._inc(g, i, 1)
                gain = W_DEPT * (g.points() - old)
                for i in members:
                    self._inc(g, i, -1)
                    gain += self._links_to(i, g.idx)
                kk = (gain, g.n, -gi)
                if best_key is None or kk > best_key:
                    best, best_key = gi, kk
            if best is None:  # capacity fragmentation: overflow into the roomiest cohort
                gi = max(range(len(groups)), key=lambda x: (caps[x], -x))
                if groups[gi].n + k > lim.mx or self._clash(members, groups[gi]):
                    left += members
                    continue
                best = gi
            caps[best] -= k
            for i in members:
                self.move(i, groups[best].idx)
        for g in groups:
            if 0 < g.n < lim.mn:
                for i in list(g.members):
                    self.move(i, -1)
                    left.append(i)
            if g.n == 0 and g.alive:
                self._kill(g)
            elif g.alive:
                ok, best = self._best_slot(g.members, g.slot)
                if ok:
                    g.slot = best
        return left

    def _seed_cores(self, units, groups, caps):
        """Department cores: people who want their own department start a cohort with three
        or more dept-mates (so at least half of each one's cohort-mates share it); returns
        the units still to place."""
        lim = self.lim
        by_dept: dict = defaultdict(list)
        rest = []
        for u in units:
            same = {self.dept[i] for i in u[0] if self.pref[i] == _SAME}
            depts = {self.dept[i] for i in u[0]}
            if len(same) == 1:
                by_dept[same.pop()].append(u)
            elif not same and len(depts) == 1:
                by_dept[depts.pop()].append(u)
            else:
                rest.append(u)
        cores = []
        for d in sorted(by_dept, key=str):
            us = by_dept[d]

            def mates(u, d=d):
                return sum(1 for i in u[0] if self.dept[i] == d)

            same = [u for u in us if any(self.pref[i] == _SAME for i in u[0])]
            others = [u for u in us if not any(self.pref[i] == _SAME for i in u[0])]
            others.sort(key=lambda u: (any(self.pref[i] == _MIX for i in u[0]), len(u[0])))
            ncores = min(len(same), sum(mates(u) for u in us) // 3)
            if not ncores:
                rest += us
                continue
            cs: list[list] = [[] for _ in range(ncores)]
            for u in sorted(same, key=lambda u: -len(u[0])):
                c = min(cs, key=lambda c: sum(len(v[0]) for v in c))
                c.append(u)
            for c in cs:
                while sum(mates(v) for v in c) < 3 and others:
                    room = lim.imax - sum(len(v[0]) for v in c)
                    fit = [v for v in others if len(v[0]) <= room]
                    if not fit:
                        break
                    c.append(fit[0])
                    others.remove(fit[0])
            cores += cs
            rest += others
        order = sorted(range(len(groups)), key=lambda g: (-caps[g], g))
        for k, core in enumerate(sorted(cores, key=lambda c: -sum(len(u[0]) for u in c))):
            n = sum(len(u[0]) for u in core)
            if k >= len(order) or caps[order[k]] < n:
                rest += core
                continue
            g = order[k]
            for u in core:
                if self._clash(u[0], groups[g]):
                    rest.append(u)
                    continue
                for i in u[0]:
                    self.move(i, groups[g].idx)
                caps[g] -= len(u[0])
        rank = {id(u): k for k, u in enumerate(units)}
        return sorted(rest, key=lambda u: rank[id(u)])

    def _place_leftovers(self) -> None:
        """Seat everyone left over who can be seated: into a cohort with room, into a full one
        after moving a member to another cohort with room, or into a new cohort with other
        leftovers and people their cohorts can spare. Each success seats at least one more
        person, so this ends; what stops it is exactly what :meth:`_explain` reports."""
        while True:
            todo = [i for i in range(len(self.people)) if self.where[i] < 0 and self.rank[i]]
            progress = False
            for i in todo:
                if self.where[i] < 0 and (
                    self._place_wide(i) or self._make_room(i) or self._form_new(i)
                ):
                    progress = True
            if not progress:
                return

    def _place_wide(self, i: int) -> bool:
        """Into any group on one of their choices with room, changing a new group's slot if
        every WHEN member is free at one of theirs too."""
        lim = self.lim
        best, best_move = -1e18, None
        for t in self.rank[i]:
            for gi in self.by_topic.get(t, ()):
                g = self.groups[gi]
                if g.n >= lim.mx or not g.alive:
                    continue
                if self._fits(i, g):
                    d = self.delta_move(i, gi)
                    if d > best:
                        best, best_move = d, (gi, None)
                elif g.cohort_id is None and self.when[i] and not self._clash([i], g):
                    ok, slot = self._best_slot(g.members + [i])
                    if ok and slot is not None:
                        d = self._delta_move_slot(i, g, slot)
                        if d > best:
                            best, best_move = d, (gi, slot)
        if best_move is None:
            return False
        gi, slot = best_move
        if slot is not None:
            self.groups[gi].slot = slot
        self.move(i, gi)
        return True

    def _delta_move_slot(self, i: int, g: _Group, slot) -> float:
        old = g.slot
        gain = sum(
            W_AVAIL * ((slot in self.slots[j]) - (old in self.slots[j]))
            for j in g.members
            if not self.when[j]
        )
        g.slot = slot
        d = self.delta_move(i, g.idx)
        g.slot = old
        return gain + d

    def _make_room(self, i: int) -> bool:
        """Seat i in a full cohort they fit by moving one of its members to another cohort
        with room that member fits (the best such move for the objective)."""
        lim = self.lim
        groups = self.groups
        room: dict[int, list[int]] = {}
        best, best_move = -1e18, None
        tried = 0
        for t in self.rank[i]:
            for gi in self.by_topic.get(t, ()):
                g = groups[gi]
                if not g.alive or g.n < lim.mx or not self._fits(i, g):
                    continue
                tried += 1
                if tried > 64:  # a big school: enough full cohorts looked at
                    break
                for x in g.members:
                    for tx in self.rank[x]:
                        if tx not in room:
                            room[tx] = [
                                h
                                for h in self.by_topic.get(tx, ())
                                if groups[h].alive and groups[h].n < lim.mx
                            ]
                        for hi in room[tx]:
                            if hi != gi and self._fits(x, groups[hi]):
                                d = self.delta_move(x, hi)
                                if d > best:
                                    best, best_move = d, (x, hi, gi)
        if best_move is None:
            return False
        x, hi, gi = best_move
        self.move(x, hi)
        self.move(i, gi)
        return True

    def _slot_options(self, i: int) -> list:
        """Meeting slots a new cohort around person i could have."""
        if self.when[i]:
            return sorted(self.slots[i])
        return list(self.universe) or [None]

    def _fits_at(self, j: int, t: int, s) -> bool:
        """Hard rules for person j in a cohort on topic t meeting at slot s, ignoring size."""
        if t not in self.rank[j]:
            return False
        return not self.when[j] or (s is not None and s in self.slots[j])

    def _recruits(self, i: int, t: int, s, enough: int | None = None):
        """Who could start a new cohort on topic t at slot s with person i: unplaced people,
        and per cohort the members it can spare (it keeps at least its minimum). Returns
        (unplaced, {group: spare members}, how many in all); stops counting at ``enough``."""
        where = self.where
        free: list[int] = []
        spare: dict[int, list[int]] = defaultdict(list)
        count = 0
        for j in self.by_choice.get(t, ()):
            if j == i or not self._fits_at(j, t, s):
                continue
            gj = where[j]
            if gj < 0:
                free.append(j)
                count += 1
            else:
                g = self.groups[gj]
                if len(spare[gj]) < g.n - self._lb(g):
                    spare[gj].append(j)
                    count += 1
            if enough is not None and count >= enough:
                break
        return free, spare, count

    def _form_new(self, i: int) -> bool:
        """A new cohort around person i on an offered topic: other leftovers first, then the
        people cohorts can spare that cost the objective least."""
        lim = self.lim
        for t in sorted(self.rank[i], key=self.rank[i].get):
            if t not in self.offered:
                continue
            best, best_key = None, None
            for s in self._slot_options(i):
                free, spare, count = self._recruits(i, t, s, enough=lim.mx - 1)
                if count + 1 < lim.mn:
                    continue
                key = (min(len(free), lim.mx - 1), -(s is None), -(s or 0))
                if best_key is None or key > best_key:
                    best, best_key = (s, free, spare), key
            if best is None:
                continue
            s, free, spare = best
            members = [i]
            for j in free:
                if len(members) < lim.mx and not self._apart_any(j, members):
                    members.append(j)
            if len(members) < lim.mn:
                ranked = sorted(
                    ((-self.delta_move(j, -1), j) for js in spare.values() for j in js),
                )
                for _, j in ranked:
                    if len(members) < lim.mn and not self._apart_any(j, members):
                        members.append(j)
            if len(members) < lim.mn:
                continue
            g = self.new_group(t, s)
            for j in members:
                self.move(j, g.idx)
            ok, slot = self._best_slot(g.members, s)
            if ok:
                g.slot = slot
            return True
        return False

    def _exact_small(self) -> None:
        """A small school with someone still unplaced: the exact best set of new cohorts for
        everyone not in an existing cohort (dynamic programming over subsets), kept when it
        scores higher. Greedy seating can miss a chain (Ana takes Ben's seat, Ben starts a
        cohort on his second choice with Cy); on a few people the search is instant."""
        where, groups = self.where, self.groups
        free = [
            i
            for i in range(len(self.people))
            if self.rank[i] and (where[i] < 0 or groups[where[i]].cohort_id is None)
        ]
        if len(free) > EXACT_MAX or all(where[i] >= 0 for i in free):
            return
        lim = self.lim
        n = len(free)
        block: dict[int, tuple[float, int, object]] = {}
        for mask in range(1, 1 << n):
            size = mask.bit_count()
            if not lim.mn <= size <= lim.mx:
                continue
            members = [free[k] for k in range(n) if mask >> k & 1]
            found = self._best_block(members)
            if found is not None:
                block[mask] = found
        best = [0.0] * (1 << n)
        pick = [0] * (1 << n)
        for mask in range(1, 1 << n):
            low = mask & -mask
            rest = mask ^ low
            value, chosen = best[rest], 0
            sub = rest
            while True:
                b = block.get(sub | low)
                if b is not None and b[0] + best[rest ^ sub] > value:
                    value, chosen = b[0] + best[rest ^ sub], sub | low
                if not sub:
                    break
                sub = (sub - 1) & rest
            best[mask], pick[mask] = value, chosen
        current = sum(
            self._value(g) for g in groups if g.alive and g.cohort_id is None and g.members
        )
        if best[-1] <= current + 1e-9:
            return
        for i in free:
            if where[i] >= 0:
                self.move(i, -1)
        mask = (1 << n) - 1
        while mask:
            chosen = pick[mask]
            if chosen:
                _, t, s = block[chosen]
                g = self.new_group(t, s)
                for k in range(n):
                    if chosen >> k & 1:
                        self.move(free[k], g.idx)
                mask ^= chosen
            else:
                mask ^= mask & -mask

    def _apart_any(self, j: int, members: list[int]) -> bool:
        return self.any_apart and any(m in self.apart[j] for m in members)

    def _best_block(self, members: list[int]):
        """(objective, topic, slot) of the best new cohort of exactly these people, or None."""
        if self.any_apart and any(self._apart_any(i, members) for i in members):
            return None
        topics = set(self.offered)
        for i in members:
            topics &= self.rank[i].keys()
        if not topics:
            return None
        need = [self.slots[i] for i in members if self.when[i]]
        if need:
            slots = sorted(frozenset.intersection(*need))
            if not slots:
                return None
        else:
            slots = list(self.universe) or [None]
        inside = set(members)
        links = sum(w for a in members for b, w in self.links[a].items() if b in inside and b > a)
        probe = _Group(-1, 0, None)
        for i in members:
            self._inc(probe, i, 1)
        base = links + W_DEPT * probe.points() - self.lim.penalty(len(members))
        best = None
        for t in sorted(topics):
            rank = W_PLACE * len(members) - sum(self.cost[i][t] for i in members)
            for s in slots:
                avail = sum(1 for i in members if not self.when[i] and s in self.slots[i])
                value = base + rank + W_AVAIL * avail
                if best is None or value > best[0]:
                    best = (value, t, s)
        return best

    def _check(self) -> None:
        """Last line of defence: no seat may break a hard rule. The construction never makes
        one (tests hold it to that); should it ever, those people are seated again."""
        lim = self.lim
        again = False
        for g in self.groups:
            if not g.alive:
                continue
            for i in list(g.members):
                if not self._fits(i, g) or (g.cohort_id is None and g.topic not in self.offered):
                    self.move(i, -1)
                    again = True
            if g.cohort_id is None and 0 < g.n < lim.mn:
                for i in list(g.members):
                    self.move(i, -1)
                    again = True
            while g.n > lim.mx and g.members:
                self.move(g.members[-1], -1)
                again = True
        if again:
            self._place_leftovers()
