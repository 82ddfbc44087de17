"""Dividing the players the walk of ``pairs_proof.py`` set aside into teams of three.

The walk fixes every pair and leaves a set of lone players (and the parties of two) for
the teams of three; ``Division`` divides them. The member hardest to place (the strongest
or the weakest, whichever is further from the middle of the window) goes first, with each
choice of partners that keeps its mean in the window, and then the rest.

Two more exchanges leave out teams: a swap between two teams (one lone player for one, or
two lone players for a pair's two) that moves both means strictly towards each other,
neither passing the other. The spread cannot grow and the sum over the teams of size
times squared mean falls, so the split with the least such sum among those within a width
has no such swap and is met; the exchange of pairs lowers that sum too, unless it only
trades equal ratings. (Moving ``d`` units between teams of sizes ``s`` and ``t`` whose
means are ``M > N`` changes the sum by ``d^2 (1/s + 1/t) - 2 d (M - N)``. The means stay
within ``N..M`` when ``d <= min(s, t) (M - N)``, and the sum falls when
``d < 2 s t / (s + t) (M - N)``: for two teams of three that is ``d < 3 (M - N)``, and for
a team of three and a pair ``d <= 2 (M - N)`` implies it.) The swaps that are checked:
between two teams of three, and between a team of three and a pair of lone players.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable

from .limits import TWINS
from .problem import Problem
from .window import Exhausted, WindowSearch

# Steps counted for each piece of work, so that the budget means about the same time as
# in the general search (calibrated with bench/balance.py).
DIVIDE_STEP = 15  # one call of the division: its bounds and its list of partners
PLACE_STEP = 3  # one team of three tried (and a CHECK_STEP for its swaps with the pairs)
CHECK_STEP = 1  # one check

Placed = list[tuple[int, tuple[int, ...]]]  # teams of three: (units summed, lone units)


class Division(WindowSearch):
    """The lobby as the walk and the division see it, and the division itself.

    ``PairsSearch`` walks; this divides what it set aside (``_cover``), with the bound
    both share (``_narrowed``), and hands each split to ``found``.
    """

    def __init__(
        self, problem: Problem, width: int, budget: int, found: Callable[[list[list[int]]], int]
    ) -> None:
        super().__init__(problem, width, budget, found)
        self.other = 3 if problem.q == 2 else 1  # the size of the teams that are not pairs
        self.lone = [p for p in self.order if problem.size[p] == 1]  # strongest first
        self.units = [problem.value[p] for p in self.lone]
        # Twins (lone players of one rating; from TWINS of one rating on): the walk records
        # its states by their units, and a team's partners are tried once per rating.
        self.twins_left = max(Counter(self.units).values(), default=0) >= TWINS
        self.duos = [p for p in self.order if problem.size[p] == 2]  # parties of two
        self.duo_units = sum(problem.value[d] for d in self.duos)
        self.whole = [p for p in self.order if problem.size[p] == 3]  # teams of their own
        # Teams of the other size (besides the parties of three) and pairs still to place.
        self.others = (problem.r if self.other == 3 else problem.k - problem.r) - len(self.whole)
        self.pairs = problem.k - len(self.whole) - self.others
        self.teams: list[list[int]] = [[p] for p in self.whole]  # placed, as parties
        self.walked: list[tuple[int, int, int]] = []  # the walk's pairs: (mean, units, units)

    def _narrowed(
        self, most: int, least: int, smallest: int, largest: int, teams: int, lo: int, hi: int
    ) -> tuple[int, int] | None:
        """The window narrowed by two of the ``teams`` teams of three: one adds up to at
        most ``most`` units (so the lowest mean is at most its mean, and every mean within
        the width of that), one to at least ``least``. None when either cannot reach the
        window, or the others, with ``smallest``..``largest`` units in all the teams of
        three, cannot average within it beside it."""
        lcm, width = self.problem.lcm, self.width
        factor = lcm // 3
        if least * factor - width > lo:  # (max and min, spelled out: a hot path)
            lo = least * factor - width
        if most * factor + width < hi:
            hi = most * factor + width
        rest = 3 * (teams - 1)  # the other teams of three average within the window
        if (
            lo > hi
            or most * lcm < 3 * lo
            or least * lcm > 3 * hi
            or (smallest - most) * lcm > rest * hi
            or (largest - least) * lcm < rest * lo
        ):
            return None
        return lo, hi

    def _cover(self, aside: list[int], lo: int, hi: int, low: int, high: int) -> None:
        """Divide the lone players set aside, with parties of two, into the teams of the
        other size; the parties of two left over are pairs of their own."""
        places = self.other * self.others - len(aside)  # places parties of two fill instead
        pairs_left = self.pairs - len(self.walked)
        if self.other == 1:  # the walk has placed the teams of one
            if places == 0 and pairs_left == len(self.duos):
                left = sum(self.problem.value[d] for d in self.duos)
                self._divide([], self.duos, 0, left, lo, hi, low, high, [])
            return
        with_duo, odd = divmod(places, 2)  # a party of two in a team of three fills two
        if odd or with_duo > self.others or pairs_left != len(self.duos) - with_duo:
            return
        left = sum(self.units[p] for p in aside) + self.duo_units
        self._divide(aside, self.duos, self.others, left, lo, hi, low, high, [])

    def _divide(
        self,
        members: list[int],
        duos: list[int],
        teams_left: int,
        left: int,
        lo: int,
        hi: int,
        low: int,
        high: int,
        placed: Placed,
    ) -> None:
        """Place the teams of the other size from ``members`` (positions, strongest first)
        and ``duos``, ``left`` units in all: the member hardest to place with each choice
        of partners that keeps its mean in the window. Then the parties of two left are
        pairs of their own."""
        self.budget -= DIVIDE_STEP  # (self._tick, max and min, spelled out: a hot path)
        if self.budget < 0:
            raise Exhausted
        value, lcm, units = self.problem.value, self.problem.lcm, self.units
        players = len(members) + 2 * len(duos)
        width = self.width  # (a split found narrows it)
        if high - low > width:
            return
        if high - width > lo:
            lo = high - width
        if low + width < hi:
            hi = low + width
        if not lo * players <= left * lcm <= hi * players:
            return
        if not teams_left:  # what is left are parties of two, each a pair
            means = [value[d] * (lcm // 2) for d in duos]
            if means:
                low, high = min(low, *means), max(high, *means)
                if high - low > self.width or min(means) < lo or max(means) > hi:
                    return
            self._complete([[d] for d in duos])
            return
        if not duos and len(members) > 3:
            most = units[members[-1]] + units[members[0]] + units[members[1]]
            least = units[members[0]] + units[members[-1]] + units[members[-2]]
            window = self._narrowed(most, least, left, left, teams_left, lo, hi)
            if window is None:
                return
            lo, hi = window
        # The team of the member hardest to place: the strongest or the weakest, whichever
        # is further from the middle of the window.
        middle = (lo + hi) // 2
        if units[members[0]] * lcm - middle >= middle - units[members[-1]] * lcm:
            anchor, rest = members[0], members[1:]
        else:
            anchor, rest = members[-1], members[:-1]
        base, factor = units[anchor], lcm // 3
        least, most = -(-lo // factor), hi // factor  # the team's units
        after = players - 3
        if after:
            # The teams after it average to the mean of the players after it, within the
            # window and within the width of this team's mean: sum * factor.
            spread, scale = width * after, factor * players
            for bound in (left - hi * after // lcm, -(-(left * lcm - spread) // scale)):
                if bound > least:
                    least = bound
            for bound in (left + (-lo * after) // lcm, (left * lcm + spread) // scale):
                if bound < most:
                    most = bound
        least, most = least - base, most - base  # the partners' units
        state = (lo, hi, low, high, left)  # as this team found them
        # Each team is placed unless a swap with a team placed before improves it.
        tick, beats = self._tick, self._beats_a_pair
        if len(members) < 3 * teams_left:  # some team of three takes a party of two
            for d in duos:
                if least <= value[d] <= most:
                    tick(PLACE_STEP)
                    total, values = base + value[d], (base,)
                    if _swap_improves(total, values, placed) or beats(total * factor, values):
                        continue
                    team = [self.lone[anchor], d]
                    self._put(team, values, total, d, rest, (), duos, teams_left, state, placed)
        if len(members) - 3 < teams_left - 1:
            return  # every team left needs a lone player
        negated = [-units[m] for m in rest]  # ascending, as rest is strongest first
        # b is the stronger partner: from the first that the weakest c does not lift too high
        start = bisect_left(negated, units[rest[-1]] - most)
        twins = self.twins_left  # then a partner of the units of the one before is passed
        for a in range(start, len(rest) - 1):
            b = rest[a]
            unit = units[b]
            if unit + units[rest[a + 1]] < least:
                break  # b with the strongest partner after it falls short, as do weaker b
            if twins and a > start and unit == units[rest[a - 1]]:
                continue  # a twin of the b before: the same teams, by units
            first = max(a + 1, bisect_left(negated, unit - most))
            partners = rest[first : bisect_right(negated, unit - least)]
            if twins:
                partners = [
                    c for i, c in enumerate(partners) if not i or units[c] != units[partners[i - 1]]
                ]
            for c in partners:
                tick(PLACE_STEP)
                total, values = base + unit + units[c], (base, unit, units[c])
                if _swap_improves(total, values, placed) or beats(total * factor, values):
                    continue
                team = [self.lone[anchor], self.lone[b], self.lone[c]]
                self._put(team, values, total, -1, rest, (b, c), duos, teams_left, state, placed)

    def _put(
        self,
        team: list[int],
        values: tuple[int, ...],
        total: int,
        duo: int,
        members: list[int],
        taken: tuple[int, ...],
        duos: list[int],
        teams_left: int,
        state: tuple[int, int, int, int, int],
        placed: Placed,
    ) -> None:
        """Place a team of three (its lone players' units ``values``, and ``duo``, its party
        of two, or -1; ``total`` units in all) unless it breaks the width; then divide the
        rest: ``members`` without ``taken`` and ``duos`` without ``duo``. ``state`` is the
        window, the lowest and highest mean placed and the units left before it."""
        lo, hi, low, high, left = state
        mean, width = total * (self.problem.lcm // 3), self.width
        if mean < low:  # (max and min, spelled out: a hot path)
            low = mean
        if mean > high:
            high = mean
        if high - low > width:  # (a split found since may have narrowed it)
            return
        if mean - width > lo:
            lo = mean - width
        if mean + width < hi:
            hi = mean + width
        if taken:
            members = [m for m in members if m not in taken]
        if duo >= 0:
            duos = [d for d in duos if d != duo]
        self.teams.append(team)
        placed.append((total, values))
        try:
            self._divide(members, duos, teams_left - 1, left - total, lo, hi, low, high, placed)
        finally:
            self.teams.pop()
            placed.pop()

    def _beats_a_pair(self, mean: int, values: tuple[int, ...]) -> bool:
        """Whether a swap with a pair of the walk (one lone player for one, or two for the
        pair's two) moves d units with 0 < d <= 2 (M - N) from the team with the higher
        mean M to the other, mean N (see the module docstring)."""
        self._tick(CHECK_STEP)
        lcm = self.problem.lcm
        if len(values) == 3:  # otherwise one lone player with a party of two
            a, b, c = values
            twos: tuple[int, ...] = (a + b, a + c, b + c)
        else:
            twos = ()
        for pair_mean, b1, b2 in self.walked:
            # d * lcm <= 2 (M - N) * lcm in scaled means; d is a whole number of units
            if mean > pair_mean:
                limit = 2 * (mean - pair_mean) // lcm
                for a in values:
                    if 0 < a - b1 <= limit or 0 < a - b2 <= limit:
                        return True
                both = b1 + b2
                for a in twos:
                    if 0 < a - both <= limit:
                        return True
            elif mean < pair_mean:
                limit = 2 * (pair_mean - mean) // lcm
                for a in values:
                    if 0 < b1 - a <= limit or 0 < b2 - a <= limit:
                        return True
                both = b1 + b2
                for a in twos:
                    if 0 < both - a <= limit:
                        return True
        return False

    def _complete(self, teams: list[list[int]]) -> None:
        """Hand the split of the teams placed and ``teams`` to ``found``."""
        self.teams.extend(teams)
        self.finds += 1
        try:
            self._narrow(self.found([list(team) for team in self.teams]))
        finally:
            del self.teams[len(self.teams) - len(teams) :]


def _swap_improves(total: int, values: tuple[int, ...], placed: Placed) -> bool:
    """Whether swapping one lone player of this team of three (units summed ``total``, its
    lone players' units ``values``) with one of a team of three placed before moves the
    two sums strictly towards each other, neither passing the other."""
    for other, other_values in placed:
        if total > other:
            for a in values:
                for b in other_values:
                    if 0 < a - b < total - other:
                        return True
        elif total < other:
            for a in values:
                for b in other_values:
                    if 0 < b - a < other - total:
                        return True
    return False
