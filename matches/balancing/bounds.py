"""The bounds a window search keeps for the players it may add to a team (``Bounds``).

For each suffix of the candidates, in order of mean value, the least and the most that a
number of its players add up to; where the lone players among them lie, for a team's last
place; and, for the proof's search, where each run of twins ends.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from itertools import accumulate

from .problem import Problem


class Bounds:
    """For each suffix of the candidates, the least and the most that c of its players add up
    to (parties counted player by player, a relaxation that keeps the bounds valid).

    With ``twins``, the candidates after one that a team passes over include none of its
    twins (``after``), and of twins worth what a team's last place needs only the first
    is tried: swapping twins gives a split with the same means, which the search met
    when it took the first instead.
    """

    def __init__(
        self, problem: Problem, candidates: list[int], lone: bool, twins: bool = False
    ) -> None:
        m = len(candidates)
        self.lone = lone  # every candidate a lone player
        # single_at: the lone players among the candidates, whose values run downwards (the
        # candidates are ordered by mean value): a team's last place is a binary search
        # among them.
        if lone:
            # Lone players in order of value, highest first: the most c of them from j can
            # add up to is the next c, the least the last c.
            values = [problem.value[p] for p in candidates]
            self.available = list(range(m, -1, -1))
            self.sums = list(accumulate(values, initial=0))  # (the window search reads it)
            self.single_at = list(range(m))
            self.single_negated = [-v for v in values]
        else:
            self._suffix_bounds(problem, candidates, problem.q + 1)
            self.single_at = [j for j, p in enumerate(candidates) if problem.size[p] == 1]
            self.single_negated = [-problem.value[candidates[j]] for j in self.single_at]
        self.after = list(range(1, m + 2))
        self.repeat: list[bool] | None = None  # per lone player: a twin of the one before
        if twins:
            value, apart = problem.value, problem.apart
            free = [problem.size[p] == 1 and not apart[p] for p in candidates]
            for j in range(m - 2, -1, -1):
                if free[j] and free[j + 1] and value[candidates[j]] == value[candidates[j + 1]]:
                    self.after[j] = self.after[j + 1]
            repeat = [j > 0 and self.after[j - 1] == self.after[j] for j in self.single_at]
            self.repeat = repeat if any(repeat) else None

    def singles_between(self, j: int, low: int, high: int) -> Iterable[int]:
        """Indices into ``single_at`` of the lone players from position j worth low..high
        (with twins, the first of each)."""
        first = max(bisect_left(self.single_at, j), bisect_left(self.single_negated, -high))
        between = range(first, bisect_right(self.single_negated, -low))
        if self.repeat is None:
            return between
        return [i for i in between if i == first or not self.repeat[i]]

    def _suffix_bounds(self, problem: Problem, candidates: list[int], cap: int) -> None:
        m = len(candidates)
        self.available = [0] * (m + 1)
        self._most: list[list[int]] = [[0]] * (m + 1)
        self._least: list[list[int]] = [[0]] * (m + 1)
        values: list[int] = []
        for j in range(m - 1, -1, -1):
            p = candidates[j]
            for i in problem.parties[p]:
                insort(values, problem.units[i])
            self.available[j] = self.available[j + 1] + problem.size[p]
            self._most[j] = list(accumulate(values[: -cap - 1 : -1], initial=0))
            self._least[j] = list(accumulate(values[:cap], initial=0))

    def most(self, j: int, c: int) -> int:
        if self.lone:
            return self.sums[j + c] - self.sums[j]
        return self._most[j][c]

    def least(self, j: int, c: int) -> int:
        if self.lone:
            return self.sums[-1] - self.sums[-1 - c]
        return self._least[j][c]
