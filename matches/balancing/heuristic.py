"""The local search: a swap descent with seeded restarts (iterated local search).

``Teams`` is a split being improved, with each team's running totals kept as integers;
``local_search`` descends from the feasible start and shakes the best split with the
searches' own SplitMix64 generator (``Rng``), never the caller's seed.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterator, Sequence

from .limits import DESCENT_BUDGET, RESTARTS, SEARCH_SEED, SLACK
from .problem import Problem


class Rng:
    """SplitMix64: a tiny generator whose sequence is the same on every Python version."""

    _MASK = (1 << 64) - 1

    def __init__(self, seed: int) -> None:
        self.state = seed & self._MASK

    def below(self, n: int) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self._MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self._MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self._MASK
        return (z ^ (z >> 31)) % n


class Teams:
    """A split being improved: each party's team and each team's running totals.

    A team's mean is kept as ``value * lcm // load``, an integer, so comparisons are exact.
    Moves swap a party with a party of its size or with as many lone players, which keeps
    every team's size.
    """

    def __init__(self, problem: Problem, team_of: Sequence[int]) -> None:
        self.problem = problem
        self.team_of = list(team_of)
        k = problem.k
        self.load = [0] * k
        self.value = [0] * k
        self.mask = [0] * k
        self.bucket: list[dict[int, list[tuple[int, int]]]] = [{} for _ in range(k)]
        for p, t in enumerate(self.team_of):
            self._add(p, t)

    def _add(self, p: int, t: int) -> None:
        self.team_of[p] = t
        self.load[t] += self.problem.size[p]
        self.value[t] += self.problem.value[p]
        self.mask[t] |= 1 << p
        insort(self.bucket[t].setdefault(self.problem.size[p], []), (self.problem.value[p], p))

    def _remove(self, p: int, t: int) -> None:
        self.load[t] -= self.problem.size[p]
        self.value[t] -= self.problem.value[p]
        self.mask[t] ^= 1 << p
        bucket = self.bucket[t][self.problem.size[p]]
        del bucket[bisect_left(bucket, (self.problem.value[p], p))]

    def means(self) -> list[int]:
        lcm = self.problem.lcm
        return [v * (lcm // z) for v, z in zip(self.value, self.load, strict=True)]

    def spread(self) -> int:
        means = self.means()
        return max(means) - min(means)

    def key(self) -> tuple[int, int]:
        """What the descent lowers: the spread, then the squared distances from the average."""
        means = self.means()
        n, target = self.problem.n, self.problem.total * self.problem.lcm
        return max(means) - min(means), sum((n * m - target) ** 2 for m in means)

    def can_swap(self, p: int, group: tuple[int, ...]) -> bool:
        """May party p trade teams with ``group`` (parties on one other team)?"""
        t, u = self.team_of[p], self.team_of[group[0]]
        apart, leaving = self.problem.apart, sum(1 << x for x in group)
        if apart[p] & self.mask[u] & ~leaving:
            return False
        return not any(apart[x] & self.mask[t] & ~(1 << p) for x in group)

    def swap(self, p: int, group: tuple[int, ...]) -> None:
        """Party p and ``group`` trade teams (doing it twice undoes it)."""
        t, u = self.team_of[p], self.team_of[group[0]]
        self._remove(p, t)
        for x in group:
            self._remove(x, u)
        self._add(p, u)
        for x in group:
            self._add(x, t)

    def descend(self, budget: list[int]) -> None:
        """Take the best swap found until none narrows the spread (or the squares)."""
        while budget[0] > 0:
            move = self._best_swap(budget)
            if move is None:
                return
            self.swap(*move)

    def _best_swap(self, budget: list[int]) -> tuple[int, tuple[int, ...]] | None:
        k = self.problem.k
        means = self.means()
        order = sorted(range(k), key=means.__getitem__)
        hi, lo = order[-1], order[0]
        extreme = [(hi, u) for u in order[:-1]] + [(u, lo) for u in order[1:-1]]
        others = [(t, u) for t in range(k) for u in range(t + 1, k)]
        best: tuple[int, tuple[int, ...]] | None = None
        best_key = self.key()
        n, target = self.problem.n, self.problem.total * self.problem.lcm
        squares = [(n * m - target) ** 2 for m in means]
        # Only a swap touching the highest or lowest team can narrow the spread; the other
        # pairs are tried only to lower the squares when those cannot.
        for pairs in (extreme, others):
            for t, u in pairs:
                found = self._best_between(t, u, means, order, squares, best_key, budget)
                if found is not None:
                    best, best_key = found
            if best is not None:
                return best
        return None

    def _best_between(
        self,
        t: int,
        u: int,
        means: list[int],
        order: list[int],
        squares: list[int],
        best_key: tuple[int, int],
        budget: list[int],
    ) -> tuple[tuple[int, tuple[int, ...]], tuple[int, int]] | None:
        """The best swap between teams t and u, if it beats ``best_key``: the spread of
        every team's mean (``order`` sorts them) and the sum of ``squares`` after it."""
        problem = self.problem
        n, lcm, target = problem.n, problem.lcm, problem.total * problem.lcm
        top, bottom = -math.inf, math.inf  # the highest and lowest mean of the other teams
        for x in reversed(order):
            if x != t and x != u:
                top = means[x]
                break
        for x in order:
            if x != t and x != u:
                bottom = means[x]
                break
        zt, zu = self.load[t], self.load[u]
        ft, fu = lcm // zt, lcm // zu
        vt, vu = self.value[t], self.value[u]
        base = sum(squares) - squares[t] - squares[u]
        ideal = (vt * zu - vu * zt) / (zt + zu)  # units moving from t to u to equalise them
        best = None
        moves = 0
        for p, group, moved in self._moves_near(t, u, ideal):
            moves += 1
            mt, mu = (vt - moved) * ft, (vu + moved) * fu
            high, low = (mt, mu) if mt > mu else (mu, mt)  # (max and min: a hot path)
            spread = (high if high > top else top) - (low if low < bottom else bottom)
            if spread > best_key[0]:
                continue
            key = (spread, base + (n * mt - target) ** 2 + (n * mu - target) ** 2)
            if key < best_key and self.can_swap(p, group):
                best_key, best = key, (p, group)
        budget[0] -= moves
        return None if best is None else (best, best_key)

    def _moves_near(
        self, t: int, u: int, ideal: float
    ) -> Iterator[tuple[int, tuple[int, ...], int]]:
        """Swaps moving about ``ideal`` units from t to u: (party, group, units moved).

        A party against a party of its size (the two nearest the ideal, by binary search),
        and a party against as many lone players of the other team, either way round (the
        runs of lone players, sorted by value, around the ideal average).
        """
        for size, mine in self.bucket[t].items():
            theirs = self.bucket[u].get(size)
            if theirs:
                for vp, p in mine:
                    i = bisect_left(theirs, (vp - ideal,))
                    for vx, x in theirs[max(i - 1, 0) : i + 1]:
                        yield p, (x,), vp - vx
        for a, b, sign in ((t, u, 1), (u, t, -1)):
            singles = self.bucket[b].get(1, [])
            for size, mine in self.bucket[a].items():
                if size < 2 or len(singles) < size:
                    continue
                for vp, p in mine:
                    want = vp - sign * ideal  # what the lone players should be worth
                    i = bisect_left(singles, (want / size,)) - size // 2
                    for first in sorted(
                        {min(max(j, 0), len(singles) - size) for j in (i - 1, i, i + 1)}
                    ):
                        run = singles[first : first + size]
                        group = tuple(x for _, x in run)
                        yield p, group, sign * (vp - sum(v for v, _ in run))

    def random_swap(self, rng: Rng) -> tuple[int, tuple[int, ...]] | None:
        """A uniformly drawn pair of same-size parties on different teams, if it may swap."""
        size = self.problem.size
        p = rng.below(len(size))
        x = rng.below(len(size))
        if size[p] != size[x] or self.team_of[p] == self.team_of[x] or not self.can_swap(p, (x,)):
            return None
        return p, (x,)


def true_gap(problem: Problem, team_of: Sequence[int]) -> float:
    """The unrounded gap: highest minus lowest team mean of the real ratings."""
    teams: list[list[float]] = [[] for _ in range(problem.k)]
    for i, player in enumerate(problem.players):
        teams[team_of[problem.party_of[i]]].append(player.rating)
    means = [math.fsum(t) / len(t) for t in teams]
    return max(means) - min(means)


def local_search(problem: Problem, start: list[int], lower: float) -> tuple[list[int], float]:
    """Swap descent, then seeded restarts from the best split until proven or out of budget."""
    budget = [DESCENT_BUDGET[min(problem.k, 3)]]
    teams = Teams(problem, start)
    teams.descend(budget)
    best, best_key = list(teams.team_of), teams.key()
    best_gap = true_gap(problem, best)
    rng = Rng(SEARCH_SEED)
    shake = max(2, len(problem.size) // 8)
    stale = 0  # restarts in a row that found nothing better
    while budget[0] > 0 and best_gap - lower > SLACK and stale < RESTARTS:
        stale += 1
        teams = Teams(problem, best)
        for _ in range(4 * shake):
            move = teams.random_swap(rng)
            if move is not None:
                teams.swap(*move)
        teams.descend(budget)
        if teams.key() < best_key:
            best, best_key = list(teams.team_of), teams.key()
            best_gap = true_gap(problem, best)
            stale = 0
    return best, best_gap
