"""The window search: every split whose team means all lie within a given width.

The pool (``pool.py``) runs it to list every split within the pool's window, and the proof
(``window_proof.py``) runs a subclass of it to look for a split better than the one found.
It raises ``Exhausted`` internally when its step budget runs out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .bounds import Bounds
from .limits import TWINS
from .problem import Problem


@dataclass(frozen=True, slots=True)
class Slot:
    """The team being filled by a window search: its size, its window, what comes after."""

    size: int
    factor: int  # lcm // size: its mean is its value times this
    big_left: int
    small_left: int
    lo: int  # the window its mean must lie in
    hi: int
    window: tuple[int, int]  # the window as the teams placed before narrowed it (the same
    # as lo..hi in the plain search; the proof's may narrow lo..hi further)
    placed: tuple[int, int]  # the lowest and the highest mean of the teams placed before
    remaining: list[int]
    mask: int  # the remaining parties as a bitmask
    remaining_value: int  # the remaining parties' units, summed
    remaining_size: int  # and their players, counted
    teams: list[list[int]]


_NONE = (10**30, -(10**30))  # no team placed yet: the lowest and highest mean of none


class Exhausted(Exception):
    """A window search ran out of its budget (or collected all it may)."""


class WindowSearch:
    """Every split whose team means (scaled) all lie within ``width`` of one another.

    Teams are built one at a time, each around an *anchor*: a party that fills the largest
    team left, or all of it but one place, else the strongest or the weakest party left,
    whichever is harder to place. Every team the anchor can be in is tried, so each split
    is met exactly once. A team's sum is bounded to keep its mean within the window of the
    teams placed so far and of the overall average (which lies between the lowest and the
    highest mean); a subset search bounds each partial sum by the least and the most the
    remaining players could add; and a closed team must leave the weakest and the
    strongest remaining parties a way into the window. ``found`` receives each split
    (the parties of each team) and returns the width to keep searching with.

    The window is narrowed as each team is placed, by the width at the time; when ``found``
    narrows the width, the windows of the teams already placed stay as they were. The
    proof's subclass (``window_proof.py``) prunes more but chooses the anchors by these
    windows, so that it meets the same splits in the same order.
    """

    # Whether a team takes twins (lone players of the same rating, apart from no one) only
    # in order, the first of them first: the proof's search does, the listing cannot.
    twins = False

    def __init__(
        self,
        problem: Problem,
        width: int,
        budget: int,
        found: Callable[[list[list[int]]], int],
    ) -> None:
        self.problem = problem
        self.budget = budget
        self.found = found
        self.finds = 0  # splits handed to found so far
        self.order = sorted(
            range(len(problem.size)), key=lambda p: (-problem.value[p] / problem.size[p], p)
        )
        if self.twins:  # only if there are enough of them
            value, size, apart = problem.value, problem.size, problem.apart
            free = Counter(value[p] for p in range(len(size)) if size[p] == 1 and not apart[p])
            self.twins = max(free.values(), default=0) >= TWINS
        # The parties (of two players or more) of each size, as bitmasks.
        self.fills = {
            z: sum(1 << p for p, size in enumerate(problem.size) if size == z > 1)
            for z in range(problem.q - 1, problem.q + 2)
        }
        self._narrow(width)

    def _narrow(self, width: int) -> None:
        """Search on with this width, and the window of the overall average it implies (the
        average lies between the lowest and the highest mean)."""
        n, average = self.problem.n, self.problem.total * self.problem.lcm
        self.width = width
        self.around = -(-(average - width * n) // n), (average + width * n) // n

    def run(self) -> bool:
        """Search; True when every split in the window has been seen."""
        problem = self.problem
        everyone = sum(1 << p for p in self.order)
        try:
            self._teams(
                self.order, everyone, problem.r, problem.k - problem.r, self.around, _NONE, []
            )
        except Exhausted:
            return False
        return True

    def _tick(self, work: int = 1) -> None:
        self.budget -= work
        if self.budget < 0:
            raise Exhausted

    def _teams(
        self,
        remaining: list[int],
        mask: int,
        big: int,
        small: int,
        window: tuple[int, int],
        placed: tuple[int, int],
        teams: list[list[int]],
    ) -> None:
        """Place the teams left (``big`` of the larger size) from ``remaining`` (``mask``),
        every mean within ``window``; ``placed`` is the lowest and highest mean so far."""
        lo, hi = window
        if big + small == 1:
            self._last(remaining, lo, hi, teams)
            return
        self._branch(remaining, mask, big, small, lo, hi, window, placed, teams)

    def _sums(self, slot: Slot) -> tuple[int, int]:
        """The least and the most the team being filled may add up to, in units."""
        return -(-slot.lo // slot.factor), slot.hi // slot.factor

    def _branch(
        self,
        remaining: list[int],
        mask: int,
        big: int,
        small: int,
        lo: int,
        hi: int,
        window: tuple[int, int],
        placed: tuple[int, int],
        teams: list[list[int]],
    ) -> None:
        """Place the next team: every team the anchor can be in, each then grown."""
        problem = self.problem
        # Branch on the team of the party hardest to place: a party that (nearly) fills the
        # largest team left, else the strongest or the weakest, whichever is further from
        # the middle of the window (as the teams placed narrowed it, which keeps the order
        # of the search whatever else prunes).
        value, size, lcm = problem.value, problem.size, problem.lcm
        first, last = remaining[0], remaining[-1]
        middle = (window[0] + window[1]) // 2
        top = problem.q + 1 if big else problem.q
        whole = mask & self.fills[top] or mask & self.fills[top - 1]
        if whole:
            # A party that fills the largest team left is a team of its own, and one a
            # place short of it has a team for each player left. Placed first, either
            # pins the window to a few means at once, for little branching.
            anchor = (whole & -whole).bit_length() - 1
            candidates = [p for p in remaining if p != anchor]
        elif value[first] * lcm - middle * size[first] >= middle * size[last] - value[last] * lcm:
            anchor, candidates = first, remaining[1:]
        else:
            anchor, candidates = last, remaining[:-1]
        self._tick(len(candidates))  # building the bounds costs about that much
        total = sum(value[p] for p in remaining)
        players = sum(size[p] for p in remaining)
        lone = players - size[anchor] == len(candidates)
        bounds = Bounds(problem, candidates, lone, self.twins)
        slots = [(problem.q + 1, big - 1, small)] if big else []
        if small:
            slots.append((problem.q, big, small - 1))
        for z, big_left, small_left in slots:
            need = z - problem.size[anchor]
            if need < 0:
                continue
            slot = Slot(
                z,
                lcm // z,
                big_left,
                small_left,
                lo,
                hi,
                window,
                placed,
                remaining,
                mask,
                total,
                players,
                teams,
            )
            low, high = self._sums(slot)
            forbid = problem.apart[anchor]
            low -= problem.value[anchor]
            high -= problem.value[anchor]
            self._grow(slot, candidates, bounds, 0, need, low, high, forbid, 0, [anchor])

    def _grow(
        self,
        slot: Slot,
        candidates: list[int],
        bounds: Bounds,
        j: int,
        need: int,
        low: int,
        high: int,
        forbid: int,
        skipped: int,
        chosen: list[int],
    ) -> None:
        """Add parties from candidates[j:]: ``need`` more players worth ``low..high`` units.

        ``forbid`` holds the parties apart from one chosen; ``skipped`` the parties passed
        over, which all go to the last team when only one is left after this one. Each
        party is taken first, then passed over. This is a recursion on j written as a loop
        (the stack stays shallow); a step is counted for each call the recursion makes.
        """
        problem = self.problem
        if need < 2:
            self.budget -= 1  # (self._tick, inlined: a hot path)
            if self.budget < 0:
                raise Exhausted
            if need == 0:
                if low <= 0 <= high:
                    self._close(slot, chosen)
                return
            for index in bounds.singles_between(j, low, high):
                p = candidates[bounds.single_at[index]]
                self._tick()
                if not forbid >> p & 1:
                    chosen.append(p)
                    self._close(slot, chosen)
                    chosen.pop()
            return
        size, value, apart = problem.size, problem.value, problem.apart
        last_two = slot.big_left + slot.small_left == 1
        after, available, most, least = bounds.after, bounds.available, bounds.most, bounds.least
        sums = bounds.sums if bounds.lone else None  # (most and least, inlined: a hot path)
        while True:
            # The recursion's call for candidates[j:] (self._tick, inlined); it returned at
            # once if
            self.budget -= 1
            if self.budget < 0:
                raise Exhausted
            if need > available[j]:
                return
            if sums is not None:
                if sums[j + need] - sums[j] < low or sums[-1] - sums[-1 - need] > high:
                    return
            elif most(j, need) < low or least(j, need) > high:
                return
            p = candidates[j]
            if size[p] <= need and not forbid >> p & 1:
                chosen.append(p)
                v, more = value[p], forbid | apart[p]
                self._grow(
                    slot,
                    candidates,
                    bounds,
                    j + 1,
                    need - size[p],
                    low - v,
                    high - v,
                    more,
                    skipped,
                    chosen,
                )
                chosen.pop()
            if last_two and apart[p] & skipped:
                return  # p and a party apart from it would share the last team
            skipped |= 1 << p
            j = after[j]  # past p's twins too, if the search skips them

    def _close(self, slot: Slot, chosen: list[int]) -> None:
        """A team is complete: narrow the window to it and place the next team."""
        problem = self.problem
        self._tick(4)  # a closed team costs a few nodes' work before its first test
        value = problem.value
        mean = sum([value[p] for p in chosen]) * slot.factor
        lo, hi, width = slot.lo, slot.hi, self.width
        if mean - width > lo:  # (max and min, spelled out: a hot path)
            lo = mean - width
        if mean + width < hi:
            hi = mean + width
        rest_value = (slot.remaining_value - mean // slot.factor) * problem.lcm
        rest_size = slot.remaining_size - slot.size
        # The remaining teams' means average (weighted) to the remaining players' mean.
        if not lo * rest_size <= rest_value <= hi * rest_size:
            return
        self._tick(len(slot.remaining))
        team = set(chosen)
        rest = [p for p in slot.remaining if p not in team]
        if not self._placeable(rest, slot.big_left, slot.small_left, lo, hi):
            return
        mask = slot.mask & ~sum(1 << p for p in chosen)
        placed = min(slot.placed[0], mean), max(slot.placed[1], mean)
        big, small, teams = slot.big_left, slot.small_left, [*slot.teams, list(chosen)]
        self._teams(rest, mask, big, small, (lo, hi), placed, teams)

    def _placeable(self, rest: list[int], big: int, small: int, lo: int, hi: int) -> bool:
        """Can the weakest party still reach ``lo`` with the strongest players left (and the
        strongest get down to ``hi`` with the weakest)? Many small teams fail here early."""
        problem = self.problem
        sizes = ([problem.q + 1] if big else []) + ([problem.q] if small else [])
        if all(problem.size[p] == 1 for p in rest):
            units = [problem.value[p] for p in reversed(rest)]  # already in order
        else:
            units = sorted(problem.units[i] for p in rest for i in problem.parties[p])
        weakest, strongest = rest[-1], rest[0]  # the order is by mean value, highest first
        reach_up = reach_down = False
        for z in sizes:
            factor = problem.lcm // z
            extra = z - problem.size[weakest]
            if (
                extra >= 0
                and (problem.value[weakest] + sum(units[-extra:] if extra else ())) * factor >= lo
            ):
                reach_up = True
            extra = z - problem.size[strongest]
            if extra >= 0 and (problem.value[strongest] + sum(units[:extra])) * factor <= hi:
                reach_down = True
        return reach_up and reach_down

    def _last(self, remaining: list[int], lo: int, hi: int, teams: list[list[int]]) -> None:
        problem = self.problem
        mask = sum(1 << p for p in remaining)
        if any(problem.apart[p] & mask for p in remaining):
            return
        z = sum(problem.size[p] for p in remaining)
        mean = sum(problem.value[p] for p in remaining) * (problem.lcm // z)
        if not lo <= mean <= hi:
            return
        split = [*teams, list(remaining)]
        means = [
            sum(problem.value[p] for p in t) * (problem.lcm // sum(problem.size[p] for p in t))
            for t in split
        ]
        if max(means) - min(means) <= self.width:
            self.finds += 1
            self._narrow(self.found(split))


def team_of_split(problem: Problem, split: list[list[int]]) -> list[int]:
    team_of = [0] * len(problem.size)
    for t, parties in enumerate(split):
        for p in parties:
            team_of[p] = t
    return team_of
