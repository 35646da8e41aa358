"""Local search: moves, swaps, slot changes, dissolving or growing small cohorts, splitting
big ones, and for unmet department preferences recruit chains, double swaps and rebuilding
three cohorts at a time. No step ever breaks a hard rule."""

from __future__ import annotations

from collections import Counter

from pdcore.matching.model import _SAME
from pdcore.matching.objective import _Group
from pdcore.matching.weights import W_AVAIL, W_NAMED


class LocalSearch:
    """Improves the objective of a formation (a mixin of the engine's school)."""

    def _candidates(self, i: int, limit: int = 16) -> list[int]:
        cur = self.where[i]
        cands = set()
        where = self.where
        for j in self.links[i]:
            if where[j] >= 0:
                cands.add(where[j])
        cands.update(g for g in self.fixed_w[i] if self.groups[g].alive)
        cur_rank = self.rank[i][self.groups[cur].topic] if cur >= 0 else 99
        for t, r in self.rank[i].items():
            if r > cur_rank:
                continue
            pool = self.by_topic.get(t, ())
            if len(pool) <= limit:
                cands.update(pool)
                continue
            # A big pool: some cohorts at random, some where dept-mates are.
            cands.update(self.rng.sample(pool, limit // 2))
            mates = self.mates.get((t, self.dept[i]), ())
            for j in self.rng.sample(mates, min(len(mates), limit // 2)):
                if where[j] >= 0:
                    cands.add(where[j])
        cands.discard(cur)
        groups = self.groups
        return sorted(g for g in cands if groups[g].alive)

    def _needs_work(self, i: int) -> bool:
        gi = self.where[i]
        g = self.groups[gi]
        if self.rank[i][g.topic] > 0:
            return True
        if not self.when[i] and g.slot not in self.slots[i]:
            return True
        if self.pref[i] and not self._met(i, g):
            return True
        lim = self.lim
        if not (lim.imin <= g.n <= lim.imax):
            return True
        where = self.where
        if any(where[j] != gi for j in self.links[i]):
            return True
        return any(k != gi for k in self.fixed_w[i])

    def _improve_person(self, i: int) -> bool:
        lim = self.lim
        cur = self.where[i]
        if cur < 0:
            return self._place(i)
        if not self._needs_work(i):
            return False
        g1 = self.groups[cur]
        can_leave = g1.n - 1 >= self._lb(g1)
        rank = self.rank[i]
        my_rank = rank[g1.topic]
        who_unfree = not self.when[i] and g1.slot not in self.slots[i]
        pref = self.pref[i]
        dept_unmet = pref and not self._met(i, g1)
        size_off = not (lim.imin <= g1.n <= lim.imax)
        where = self.where
        linked = {where[j] for j in self.links[i]}
        linked.update(self.fixed_w[i])
        d = self.dept[i]
        best, best_move = 1e-9, None
        for gi in self._candidates(i):
            g2 = self.groups[gi]
            if not self._fits(i, g2):
                continue
            # Only look where something i wants could get better: a swap keeps sizes.
            promising = (
                gi in linked
                or rank[g2.topic] < my_rank
                or (who_unfree and g2.slot in self.slots[i])
                or (
                    dept_unmet
                    and (
                        2 * g2.dc.get(d, 0) >= g2.n - 1
                        if pref == _SAME
                        else 2 * (g2.n - g2.dc.get(d, 0)) >= g2.n - 1
                    )
                )
            )
            if (
                can_leave
                and g2.n < lim.mx
                and (promising or size_off or not (lim.imin <= g2.n <= lim.imax))
            ):
                delta = self.delta_move(i, gi)
                if delta > best:
                    best, best_move = delta, ("move", gi)
            if promising:
                t1, s1 = g1.topic, g1.slot
                for j in g2.members:
                    if t1 in self.rank[j] and (not self.when[j] or s1 in self.slots[j]):
                        delta = self.delta_swap(i, j)
                        if delta > best:
                            best, best_move = delta, ("swap", j)
        if best_move is None:
            if dept_unmet and pref == _SAME and self._recruiting:
                return self._recruit(i)
            return False
        if best_move[0] == "move":
            self.move(i, best_move[1])
        else:
            self.swap(i, best_move[1])
        return True

    def _recruit(self, i: int, steps: int = 2) -> bool:
        """Gather dept-mates around someone who wants their own department: in their cohort,
        or in the cohort most of their dept-mates are in after swapping them into it; then
        up to ``steps`` moves or swaps bringing dept-mates in (one alone often gains nothing).
        Undone unless the objective improves."""
        where = self.where
        g = self.groups[where[i]]
        d = self.dept[i]
        mates = self.mates.get((g.topic, d), ())
        if len(mates) > 16:  # a big school: a sample keeps the chain's cost flat
            mates = self.rng.sample(mates, 16)
        mates = [j for j in mates if j != i and where[j] >= 0]
        if not mates:
            return False
        if self._chain(i, where[i], mates, steps):
            return True
        count = Counter(where[j] for j in mates if where[j] != where[i])
        if not count:
            return False
        home = max(count, key=lambda h: (count[h], -h))
        h = self.groups[home]
        if not self._fits(i, h):
            return False
        best, best_x = -1e18, None
        for x in h.members:
            if self.dept[x] != d and self._fits(x, g):
                delta = self.delta_swap(i, x)
                if delta > best:
                    best, best_x = delta, x
        if best_x is None:
            return False
        self.swap(i, best_x)
        if best > 1e-9 or self._chain(i, home, mates, steps, already=best):
            return True
        self.swap(i, best_x)
        return False

    def _chain(self, i: int, gi: int, mates: list[int], steps: int, already: float = 0.0):
        lim = self.lim
        where = self.where
        g = self.groups[gi]
        d = self.dept[i]
        done: list[tuple[str, int, int]] = []
        total = already
        for _ in range(steps):
            best, best_op = -1e18, None
            for j in mates:
                hj = where[j]
                if hj == gi or not self._fits(j, g):
                    continue
                h = self.groups[hj]
                if g.n < lim.mx and h.n - 1 >= self._lb(h):
                    delta = self.delta_move(j, gi)
                    if delta > best:
                        best, best_op = delta, ("move", j, hj)
                for x in g.members:
                    if x != i and self.dept[x] != d and self._fits(x, h):
                        delta = self.delta_swap(x, j)
                        if delta > best:
                            best, best_op = delta, ("swap", x, j)
            if best_op is None:
                break
            kind, a, b = best_op
            if kind == "move":
                self.move(a, gi)
            else:
                self.swap(a, b)
            done.append(best_op)
            total += best
            if total > 1e-9:
                return True
        for kind, a, b in reversed(done):
            if kind == "move":
                self.move(a, b)
            else:
                self.swap(a, b)
        return False

    def _place(self, i: int) -> bool:
        """Seat an unplaced person in the best group with room, if any."""
        best, best_g = -1e18, None
        for gi in self._candidates(i, limit=64):
            g = self.groups[gi]
            if g.n < self.lim.mx and self._fits(i, g):
                d = self.delta_move(i, gi)
                if d > best:
                    best, best_g = d, gi
        if best_g is None:
            return False
        self.move(i, best_g)
        return True

    def _improve(self, passes: int, full: bool = True) -> None:
        """Local search; ``full=False`` starts from what changed since the last pass."""
        order = list(range(len(self.people)))
        self.rng.shuffle(order)
        where = self.where
        for k in range(passes):
            self._recruiting = k < 2  # chains are dearer; they find most of what they can early
            touched, self.touched = self.touched, set()
            changed = 0
            for i in order:
                # After the first pass, only where something changed can anything improve
                # (a person's own cohort, or a named colleague's).
                if (
                    (k or not full)
                    and where[i] >= 0
                    and where[i] not in touched
                    and not any(where[j] in touched for j in self.links[i])
                ):
                    continue
                if self._improve_person(i):
                    changed += 1
            changed += self._group_pass()
            if not changed:
                break

    def _group_pass(self) -> int:
        lim = self.lim
        changed = 0
        for g in list(self.groups):
            if not g.alive or g.cohort_id is not None:
                continue
            if g.n < lim.imin and (self._dissolve(g) or self._grow(g)):
                changed += 1
                continue
            if g.n > lim.imax and g.n >= 2 * lim.mn and self._split(g):
                changed += 1
                continue
            ok, best = self._best_slot(g.members, g.slot)
            if ok and best != g.slot:
                gain = sum(
                    W_AVAIL * ((best in self.slots[i]) - (g.slot in self.slots[i]))
                    for i in g.members
                    if not self.when[i]
                )
                if gain > 0:
                    g.slot = best
                    self.touched.add(g.idx)
                    changed += 1
        return changed

    def _dissolve(self, g: _Group) -> bool:
        """Move everyone out of a small cohort if the objective improves."""
        lim = self.lim
        done = []
        total = 0.0
        for i in sorted(g.members):
            best, best_g = -1e18, None
            for gi in self._candidates(i):
                h = self.groups[gi]
                if gi != g.idx and h.n < lim.mx and self._fits(i, h):
                    d = self.delta_move(i, gi)
                    if d > best:
                        best, best_g = d, gi
            if best_g is None:
                break
            total += best
            done.append((i, g.idx))
            self.move(i, best_g)
        if g.n == 0 and total > 1e-9:
            return True
        for i, frm in reversed(done):
            self.move(i, frm)
        return False

    def _grow(self, g: _Group) -> bool:
        """Bring one more person into a small cohort, moving its slot to one a WHEN-priority
        newcomer is free at if every WHEN member is free then too."""
        best, best_move = 1e-9, None
        where = self.where
        for i in self.by_choice.get(g.topic, ()):
            fi = where[i]
            if fi == g.idx:
                continue
            if fi >= 0:
                f = self.groups[fi]
                if f.n - 1 < self._lb(f):
                    continue
            if self._fits(i, g):
                delta, slot = self.delta_move(i, g.idx), None
            elif self.when[i] and not self._clash([i], g):
                ok, slot = self._best_slot(g.members + [i])
                if not ok or slot is None:
                    continue
                delta = self._delta_move_slot(i, g, slot)
            else:
                continue
            if delta > best:
                best, best_move = delta, (i, slot)
        if best_move is None:
            return False
        i, slot = best_move
        if slot is not None:
            g.slot = slot
        self.move(i, g.idx)
        return True

    def _double_swap(self, i: int) -> bool:
        """Two swaps between i's cohort and another one, kept only together: the exchange of
        two people for two that single swaps cannot reach one step at a time."""
        where = self.where
        a = where[i]
        ga = self.groups[a]
        d = self.dept[i]
        same = self.pref[i] == _SAME
        for b in self._candidates(i):
            gb = self.groups[b]
            if gb.topic != ga.topic or not self._fits(i, gb):
                continue
            mates = gb.dc.get(d, 0)
            if (same and mates < 1) or (not same and 2 * (gb.n - mates) < gb.n - 1):
                continue  # two swaps could not give i what they want there
            for j in list(gb.members):
                if not self._fits(j, ga):
                    continue
                first = self.delta_swap(i, j)
                if first < -2 * W_NAMED:
                    continue
                self.swap(i, j)
                best, pair = 1e-9 - first, None
                for x in ga.members:
                    if x == j or not self._fits(x, gb):
                        continue
                    for y in gb.members:
                        if y != i and self._fits(y, ga):
                            second = self.delta_swap(x, y)
                            if second > best:
                                best, pair = second, (x, y)
                if pair is not None:
                    self.swap(*pair)
                    return True
                self.swap(i, j)
        return False

    def _deepen(self) -> int:
        """Double swaps for everyone whose department preference is still not honoured once
        single moves and swaps have converged."""
        changed = 0
        where = self.where
        for i in range(len(self.people)):
            gi = where[i]
            if (
                gi >= 0
                and self.pref[i]
                and not self._met(i, self.groups[gi])
                and self._double_swap(i)
            ):
                changed += 1
        return changed

    def _rebuild_all(self) -> int:
        """Large-neighbourhood step for people whose "same" preference is still unmet: their
        cohort and the two holding most of their dept-mates are rebuilt from scratch."""
        changed = 0
        where = self.where
        for i in range(len(self.people)):
            gi = where[i]
            if gi < 0 or self.pref[i] != _SAME:
                continue
            g = self.groups[gi]
            if g.cohort_id is not None or self._met(i, g):
                continue
            count: Counter = Counter()
            mates = self.mates.get((g.topic, self.dept[i]), ())
            if len(mates) > 32:  # a big school: where a sample of dept-mates are
                mates = self.rng.sample(mates, 32)
            for j in mates:
                h = where[j]
                if h >= 0 and h != gi:
                    other = self.groups[h]
                    if other.cohort_id is None and other.topic == g.topic:
                        count[h] += 1
            if not count:
                continue
            ranked = sorted(count, key=lambda h: (-count[h], h))
            if self._rebuild([gi, *ranked[:2]]) or (
                len(ranked) > 2 and self._rebuild([gi, *ranked[:3]])
            ):
                changed += 1
        return changed

    def _rebuild(self, chosen: list[int]) -> bool:
        """Rebuild the people of some new cohorts of one topic with the construction
        (units, slot buckets, department cores); kept only if the objective improves."""
        old = [self.groups[h] for h in chosen]
        before = sum(self._value(g) for g in old)
        snapshot = [(g.idx, g.slot, list(g.members)) for g in old]
        people = sorted(i for g in old for i in g.members)
        topic = old[0].topic
        for i in people:
            self.move(i, -1)
        first_new = len(self.groups)
        left = []
        buckets = self._bucket(self._units(people))
        for slot in sorted(buckets, key=lambda s: (s is None, s if s is not None else 0)):
            left += self._partition(topic, slot, buckets[slot])
        fresh = [g for g in self.groups[first_new:] if g.alive]
        after = sum(self._value(g) for g in fresh)
        if not left:
            after += self._polish(fresh)
        if not left and after > before + 1e-9:
            return True
        for i in people:
            if self.where[i] >= 0:
                self.move(i, -1)
        for idx, slot, members in snapshot:
            self.groups[idx].slot = slot
            for i in members:
                self.move(i, idx)
        return False

    def _polish(self, groups: list[_Group], rounds: int = 3) -> float:
        """First-improvement swaps and moves among a few groups only; returns the gain."""
        lim = self.lim
        gain = 0.0
        for _ in range(rounds):
            improved = False
            for a in groups:
                for b in groups:
                    if a.idx >= b.idx or not a.alive or not b.alive:
                        continue
                    for x in list(a.members):
                        if self.where[x] != a.idx:
                            continue
                        for y in list(b.members):
                            if self._fits(x, b) and self._fits(y, a):
                                d = self.delta_swap(x, y)
                                if d > 1e-9:
                                    self.swap(x, y)
                                    gain += d
                                    improved = True
                                    break
                    for src, dst in ((a, b), (b, a)):
                        for x in list(src.members):
                            if src.n - 1 >= lim.mn and dst.n < lim.mx and self._fits(x, dst):
                                d = self.delta_move(x, dst.idx)
                                if d > 1e-9:
                                    self.move(x, dst.idx)
                                    gain += d
                                    improved = True
            if not improved:
                break
        return gain

    def _split(self, g: _Group) -> bool:
        """Split a too-big cohort in two at the same slot if the objective improves."""
        h = self.new_group(g.topic, g.slot)
        target = g.n // 2
        done = []
        total = 0.0
        while h.n < target:
            best, best_i = -1e18, None
            for i in g.members:
                d = self.delta_move(i, h.idx)
                if d > best:
                    best, best_i = d, i
            total += best
            done.append(best_i)
            self.move(best_i, h.idx)
        if total > 1e-9:
            return True
        for i in reversed(done):
            self.move(i, g.idx)
        if h.alive:
            self._kill(h)
        return False

    def _reunite(self) -> int:
        """Named colleagues in different cohorts: one joins the other's cohort (one of their
        topics), moving a new cohort's meeting time when every WHEN member and the newcomer
        are free at another one. Kept when the objective improves."""
        changed = 0
        where, groups, lim = self.where, self.groups, self.lim
        for i in range(len(self.people)):
            for j in list(self.links[i]):
                gi, gj = where[i], where[j]
                if gi < 0 or gj < 0 or gi == gj:
                    continue
                best, best_move = 1e-9, None
                for x, frm, to in ((j, gj, gi), (i, gi, gj)):
                    f, g = groups[frm], groups[to]
                    if g.n >= lim.mx or f.n - 1 < self._lb(f) or g.topic not in self.rank[x]:
                        continue
                    if self._fits(x, g):
                        delta, slot = self.delta_move(x, to), None
                    elif g.cohort_id is None and self.when[x] and not self._clash([x], g):
                        ok, slot = self._best_slot(g.members + [x])
                        if not ok or slot is None:
                            continue
                        delta = self._delta_move_slot(x, g, slot)
                    else:
                        continue
                    if delta > best:
                        best, best_move = delta, (x, to, slot)
                if best_move is not None:
                    x, to, slot = best_move
                    if slot is not None:
                        groups[to].slot = slot
                    self.move(x, to)
                    changed += 1
        return changed

    def _eject(self, x: int, to: int) -> bool:
        """Move x into cohort ``to`` and one of its members on to a third cohort (or x's
        old one): the step that reunites named colleagues or seats a WHO member at a time
        they have when the cohort they want is already at its ideal size. Kept only when the
        objective improves."""
        lim, groups, where = self.lim, self.groups, self.where
        frm = where[x]
        f, g = groups[frm], groups[to]
        if g.n >= lim.mx or f.n - 1 < self._lb(f) or not self._fits(x, g):
            return False
        first = self.delta_move(x, to)
        self.move(x, to)
        best, best_op = 1e-9 - first, None
        for y in g.members:
            if y == x or y in self.links[x]:
                continue
            for h in self._candidates(y, limit=8):
                if h == to:
                    continue
                gh = groups[h]
                if gh.n < lim.mx and self._fits(y, gh):
                    d = self.delta_move(y, h)
                    if d > best:
                        best, best_op = d, (y, h)
        if best_op is None:
            self.move(x, frm)
            return False
        self.move(*best_op)
        return True

    def _chains(self) -> int:
        """Ejection moves for people a named colleague or their own free time is still
        waiting for in another cohort."""
        changed = 0
        where, groups = self.where, self.groups
        for i in range(len(self.people)):
            gi = where[i]
            if gi < 0:
                continue
            targets = {where[j] for j in self.links[i] if where[j] >= 0 and where[j] != gi}
            if not self.when[i] and groups[gi].slot not in self.slots[i]:
                free = [
                    h
                    for t in self.rank[i]
                    for h in self.by_topic.get(t, ())
                    if groups[h].alive and groups[h].slot in self.slots[i]
                ]
                if len(free) > 8:  # a big school: a sample keeps the pass's cost flat
                    free = self.rng.sample(free, 8)
                targets.update(free)
            for h in sorted(targets):
                if groups[h].alive and (self._eject(i, h) or self._pair_move(i, h)):
                    changed += 1
                    break
        return changed

    def _pair_move(self, i: int, to: int) -> bool:
        """Move i together with a named colleague of theirs from the same cohort into
        cohort ``to`` (one alone would lose the colleague they already have). Kept only when
        the objective improves."""
        lim, groups, where = self.lim, self.groups, self.where
        frm = where[i]
        f, g = groups[frm], groups[to]
        if g.n + 2 > lim.mx or f.n - 2 < self._lb(f) or not self._fits(i, g):
            return False
        for j in sorted(self.links[i], key=lambda j: (-self.links[i][j], j)):
            if where[j] != frm or not self._fits(j, g):
                continue
            first = self.delta_move(i, to)
            self.move(i, to)
            if self._fits(j, g) and first + self.delta_move(j, to) > 1e-9:
                self.move(j, to)
                return True
            self.move(i, frm)
        return False
