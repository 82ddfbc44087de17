"""The proof when one team size is two: teams of two and three, or of one and two.

Pairs need no search. Take the strongest lone player ``x`` and the weakest ``z`` left. If
both are in pairs with lone partners, ``x`` with ``y`` and ``w`` with ``z``, then pairing
``x`` with ``z`` and ``w`` with ``y`` is at least as good: the new sums ``x + z`` and
``w + y`` both lie between ``w + z`` and ``x + y``, so neither the highest mean of the two
pairs can rise nor the lowest fall, and no other team moves. So some best split has ``x``
in a team of the other size, or ``z``, or the two paired together; and then the same
holds for the players left. The search *walks* the lone players from both ends with those
three choices, which fixes every pair as it goes and leaves a set of lone players for the
teams of the other size; that set is then *divided* into teams.

The lobbies of up to 24 players in nine to eleven teams of two and three are of this
kind, and the general search (``window_proof.py``), which chooses every team's players one
by one, ran out of budget on almost a third of those with 24 players in 10 teams.

Two more exchanges leave out teams when the players set aside are divided (see
``pairs_divide.py``): swaps between teams that move both means towards each other.

The exchanges move lone players only, so the search takes lobbies without apart pairs and
with parties no larger than the teams of two; a party of two is a pair of its own or the
core of a team of three, and a party of three a team of its own.

Bounds prune the rest, on the walk and when dividing alike. The pairs still to come take
players near the ends (``_chain``). The weakest player bound for a team of three adds up
with the two strongest who could join it to at most the sum of its team, so the lowest
mean, and every mean within the width of it, is bounded; likewise the strongest bound
player with the two weakest; and the other teams of three must still average within the
window (``_reach``, ``_narrowed``). A division places first the team of the member
furthest from the middle of the window, and bounds each team's sum so that the members
after it can average within the window and within the width of its mean.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from itertools import accumulate

from .pairs_divide import CHECK_STEP, Division
from .problem import Problem
from .window import Exhausted

# Steps counted for a position of the walk (and a CHECK_STEP each for _chain and _reach),
# so that the budget means about the same time as in the general search.
WALK_STEP = 5


def pairs_apply(problem: Problem) -> bool:
    """Whether ``PairsSearch`` can prove this lobby: sizes two and one other, no apart
    pairs, and no party a team of two could not hold (except a party of three filling a
    team of three)."""
    if not problem.r or problem.q not in (1, 2) or any(problem.apart):
        return False
    return all(z <= 2 or (z == 3 and problem.q == 2) for z in problem.size)


class PairsSearch(Division):
    """Every split, up to the exchanges above, whose team means lie within the width.

    Like the general search it narrows a window of where the next mean may lie as teams
    are placed, hands each split it completes to ``found`` (which returns the width to go
    on with) and counts its steps against a budget. It finds a split within the width
    whenever there is one, so finishing proves that none is narrower than the last found.
    """

    def __init__(
        self, problem: Problem, width: int, budget: int, found: Callable[[list[list[int]]], int]
    ) -> None:
        super().__init__(problem, width, budget, found)
        self.prefix = [0, *accumulate(self.units)]
        self.chains: dict[tuple[int, int, int], tuple[int, int] | None] = {}  # _pair_bounds
        # With twins (lone players of one rating), the states of the walk met so far, by
        # units rather than players: one met again with the twins swapped is skipped.
        self.seen: set[tuple] | None = set() if self.twins_left else None
        # The units set aside, as one number: each lone player adds base ** (the rank of
        # its rating among the distinct ones), with more places than players, so equal
        # numbers mean equal units set aside (the states above are keyed by it).
        rank = {u: r for r, u in enumerate(dict.fromkeys(self.units))}
        base = len(self.units) + 1
        self.weight = [base ** rank[u] if self.twins_left else 0 for u in self.units]

    def run(self) -> bool:
        means = [self.problem.value[p] * (self.problem.lcm // 3) for p in self.whole]
        low, high = (min(means), max(means)) if means else (10**30, -(10**30))
        try:
            if high - low <= self.width:
                self._walk(0, len(self.lone), [], 0, 0, low, high, False)
        except Exhausted:
            return False
        return True

    def _walk(
        self,
        i: int,
        j: int,
        aside: list[int],
        aside_units: int,
        held: int,
        low: int,
        high: int,
        paired: bool,
    ) -> None:
        """Decide the lone players at positions ``i..j-1`` of ``self.lone``, from both ends.

        ``aside`` holds the positions set aside for the teams of the other size (their
        units summed in ``aside_units`` and named by ``held``, ``self.weight``), ``paired``
        says the player at ``i`` is known to be in a pair, and ``low`` and ``high`` are the
        lowest and highest mean placed."""
        self.budget -= WALK_STEP  # (self._tick, inlined: this is the hottest call)
        if self.budget < 0:
            raise Exhausted
        width, units, lcm = self.width, self.units, self.problem.lcm
        if self.seen is not None:
            # What follows depends on the players set aside only through their units and
            # which end they came from, and those fix the units of the pairs walked too;
            # when the players left are all twins, only on how many are left, the units
            # set aside and those of the pairs (the bounds below hold for every split the
            # state can reach, whichever end they came from). Met before, this state was
            # searched with a width no narrower: a split found now would have the means of
            # one found then, or within the width then.
            if i < j and units[i] == units[j - 1]:
                key = ("twins", j - i, paired, held, *sorted(self.walked))
            else:
                key = (i, j, paired, bisect_left(aside, i), held)
            if key in self.seen:
                return
            self.seen.add(key)
        # (A split found narrows the width: the teams placed may no longer fit.)
        if high - low > width:
            return
        lo, hi = self.around
        if high - width > lo:
            lo = high - width
        if low + width < hi:
            hi = low + width
        # The teams left average (weighted by size) to the mean of the players left.
        left = self.prefix[j] - self.prefix[i] + aside_units + self.duo_units
        players = j - i + len(aside) + 2 * len(self.duos)
        if lo > hi or not lo * players <= left * lcm <= hi * players:
            return
        if i == j:
            self._cover(aside, lo, hi, low, high)
            return
        room = self.other * self.others - len(aside)  # lone places left in those teams
        window = self._chain(i, j, room, lo, hi)
        if window is None:
            return
        lo, hi = window
        if room > 0 and not self.duos:
            # The teams of the other size average to the mean of their players: those set
            # aside and `room` more, at best the weakest or the strongest left.
            count, prefix = self.other * self.others, self.prefix
            if room > j - i:
                return
            if (aside_units + prefix[j] - prefix[j - room]) * lcm > hi * count:
                return
            if (aside_units + prefix[i + room] - prefix[i]) * lcm < lo * count:
                return
        if self.other == 3 and not self.duos:
            window = self._reach(i, j, aside, aside_units, paired, lo, hi)
            if window is None:
                return
            lo, hi = window
        if room == j - i and not self.duos:  # every player left goes to those teams
            if not paired:
                self._all_aside(i, j, aside, low, high, lo, hi)
            return
        if room > 0 and not paired:
            self._aside(i, i + 1, j, aside, aside_units, held, low, high, lo, hi, False)
        if room > 0 and j - i >= 2:
            # then the player at i is paired: that is what the branch above left
            self._aside(j - 1, i, j - 1, aside, aside_units, held, low, high, lo, hi, True)
        if j - i >= 2 and len(self.walked) < self.pairs:
            mean = (units[i] + units[j - 1]) * (lcm // 2)
            if lo <= mean <= hi:
                self.teams.append([self.lone[i], self.lone[j - 1]])
                self.walked.append((mean, units[i], units[j - 1]))
                try:
                    low, high = min(low, mean), max(high, mean)
                    self._walk(i + 1, j - 1, aside, aside_units, held, low, high, False)
                finally:
                    self.teams.pop()
                    self.walked.pop()

    def _aside(
        self,
        p: int,
        i: int,
        j: int,
        aside: list[int],
        aside_units: int,
        held: int,
        low: int,
        high: int,
        lo: int,
        hi: int,
        paired: bool,
    ) -> None:
        """Set the player at position ``p`` aside for a team of the other size and walk on
        over ``i..j-1``. A team of one is that player alone: it is placed at once."""
        units = self.units
        at = bisect_left(aside, p)  # kept in order: the players left lie between its parts
        aside = [*aside[:at], p, *aside[at:]]
        aside_units, held = aside_units + units[p], held + self.weight[p]
        if self.other == 3:
            self._walk(i, j, aside, aside_units, held, low, high, paired)
            return
        mean = units[p] * self.problem.lcm
        if not lo <= mean <= hi:
            return
        self.teams.append([self.lone[p]])
        try:
            low, high = min(low, mean), max(high, mean)
            self._walk(i, j, aside, aside_units, held, low, high, paired)
        finally:
            self.teams.pop()

    def _all_aside(
        self,
        i: int,
        j: int,
        aside: list[int],
        low: int,
        high: int,
        lo: int,
        hi: int,
    ) -> None:
        """Set every player at positions i..j-1 aside (a team of one each is placed at
        once), then divide those set aside."""
        units, lcm = self.units, self.problem.lcm
        rest = range(i, j)
        singles = [[self.lone[p]] for p in rest] if self.other == 1 else []
        if singles:
            means = [units[p] * lcm for p in rest]
            low, high = min(low, *means), max(high, *means)
            if high - low > self.width or min(means) < lo or max(means) > hi:
                return
            lo, hi = max(lo, high - self.width), min(hi, low + self.width)
        self.teams.extend(singles)
        try:
            at = bisect_left(aside, i)
            self._cover([*aside[:at], *rest, *aside[at:]], lo, hi, low, high)
        finally:
            del self.teams[len(self.teams) - len(singles) :]

    def _reach(
        self, i: int, j: int, aside: list[int], aside_units: int, paired: bool, lo: int, hi: int
    ) -> tuple[int, int] | None:
        """The window narrowed by the weakest player bound for a team of three, whose team
        adds up to at most its units and the two strongest who could join it, and by the
        strongest, with the two weakest; or None when they cannot fit (``_narrowed``).
        Bound for one are those set aside, and the weakest (strongest) player left when
        even the strongest (weakest) partner left would pair it below ``lo`` (above
        ``hi``)."""
        self._tick(CHECK_STEP)
        units = self.units
        start = i + 1 if paired else i  # the first player left who may join a team of three
        at = bisect_left(aside, i)  # aside[:at] were the strongest left, aside[at:] the weakest
        if at >= 2 and len(aside) - at >= 2:
            # The usual case: the weakest and the strongest bound are set aside already, and
            # so are the two strongest and the two weakest who could join them.
            strongest, second, before, weakest = aside[0], aside[1], aside[-2], aside[-1]
            most = units[weakest] + units[strongest] + units[second]
            least = units[strongest] + units[weakest] + units[before]
        else:
            bounds = self._bounds(i, j, start, aside, at, paired, lo, hi)
            if bounds is None:
                return None
            if not bounds:
                return lo, hi
            most, least = bounds
        # The least and the most all the teams of three add up to, with `room` more players.
        room, prefix = 3 * self.others - len(aside), self.prefix
        if room > j - start:
            return None
        smallest = aside_units + prefix[j] - prefix[j - room]
        largest = aside_units + prefix[start + room] - prefix[start]
        return self._narrowed(most, least, smallest, largest, self.others, lo, hi)

    def _bounds(
        self, i: int, j: int, start: int, aside: list[int], at: int, paired: bool, lo: int, hi: int
    ) -> tuple[int, int] | tuple[()] | None:
        """``_reach`` when fewer than two players are set aside at an end: the most the
        weakest bound player's team can add up to and the least the strongest's; () when
        no player is bound, None when one cannot make a team of three."""
        units, lcm = self.units, self.problem.lcm
        weakest, strongest = (aside[-1], aside[0]) if aside else (-1, j)
        if j - i >= 2:
            pair = (units[i] + units[j - 1]) * (lcm // 2)  # the best (worst) partner left
            if pair < lo and j - 1 >= start and j - 1 > weakest:
                weakest = j - 1
            if pair > hi and not paired and i < strongest:
                strongest = i
        elif not paired and i < j:  # the last player left pairs with nobody
            weakest, strongest = max(weakest, i), min(strongest, i)
        if weakest < 0:
            if strongest == j:
                return ()
            weakest = strongest  # one player bound: both ends are that player
        elif strongest == j:
            strongest = weakest
        # Who could join a team of three, strongest first: those set aside before i, the
        # players left from start, those set aside after j.
        head, tail = aside[:at], aside[at:]
        top = head[:3] if at >= 3 else [*head, *range(start, min(j, start + 3)), *tail][:3]
        top = [p for p in top if p != weakest]
        if len(tail) >= 3:
            bottom = tail[-3:]
        else:
            bottom = [*head[-3:], *range(max(start, j - 3), j), *tail][-3:]
        bottom = [p for p in bottom if p != strongest]
        if len(top) < 2 or len(bottom) < 2:
            return None
        most = units[weakest] + units[top[0]] + units[top[1]]
        least = units[strongest] + units[bottom[-1]] + units[bottom[-2]]
        return most, least

    def _chain(self, i: int, j: int, room: int, lo: int, hi: int) -> tuple[int, int] | None:
        """The window narrowed by the pairs still to come, or None when they cannot fit.

        At most ``room`` of the players left go to teams of the other size, so the k-th
        pair from the ends takes one of the players i + k .. i + k + room from the top and
        one of j - 1 - k - room .. j - 1 - k from the bottom: its mean is bounded, and every
        team's mean lies within the width of it. The bounds depend on i, j and room only
        (they fix how many pairs are still to come), so they are kept."""
        key = (i, j, room)
        bounds = self.chains.get(key, False)
        if bounds is False:
            bounds = self.chains[key] = self._pair_bounds(i, j, room)
        self.budget -= CHECK_STEP  # (self._tick, inlined, with max and min: a hot path)
        if self.budget < 0:
            raise Exhausted
        if bounds is None:
            return None
        floor, ceiling = bounds
        floor, ceiling = floor if floor > lo else lo, ceiling if ceiling < hi else hi
        width = self.width
        if floor > hi or ceiling < lo or floor - ceiling > width:
            return None
        if floor - width > lo:
            lo = floor - width
        if ceiling + width < hi:
            hi = ceiling + width
        return (lo, hi) if lo <= hi else None

    def _pair_bounds(self, i: int, j: int, room: int) -> tuple[int, int] | None:
        """The highest least and the lowest most mean of the pairs still to come (in
        ``_chain``), or None when one of them has a least above its most."""
        units, factor = self.units, self.problem.lcm // 2
        count = min(self.pairs - len(self.walked), (j - i - room) // 2)
        self._tick(CHECK_STEP * max(count, 0))
        floor, ceiling = -_FAR, _FAR
        for k in range(count):
            least = (units[i + k + room] + units[j - 1 - k]) * factor
            most = (units[i + k] + units[j - 1 - k - room]) * factor
            if least > most:
                return None
            floor, ceiling = max(floor, least), min(ceiling, most)
        return floor, ceiling


_FAR = 10**30  # beyond any scaled mean
