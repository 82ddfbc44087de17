"""The threshold bound: how many strong players each team can have bounds the spread.

Split the players at one of the widest gaps between consecutive ratings into the strong
(``m`` of them) and the weak. A team of ``s`` with ``h`` strong players has a mean at least
that of the ``h`` weakest strong and ``s - h`` weakest weak players, and at most that of
the strongest. With every mean in ``L..L + B``, each team needs an ``h`` whose range meets
that window, the counts add up to ``m``, and the window holds the players' mean (the
means' average, weighted by size). The least ``B`` that allows it bounds the spread.

Teams with the same size and count do better together: ``g`` of them hold ``g h``
different strong players, so the highest of their means is at least the mean of the
``g h`` weakest strong and ``g (s - h)`` weakest weak players spread over ``g`` teams, and
the lowest at most the same of the strongest (``_by_groups``). That needs every way to
give the teams their counts, so beyond GROUPS_CAP of them each team is bounded alone
(``_by_teams``).

Both are relaxations of the split (each team, or group, as if it could take the extreme
players), so parties and apart pairs keep them valid. With two clusters of players that
the teams cannot share evenly they come within a few points of the optimum.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import accumulate, product

from .problem import Problem

GROUPS_CAP = 5_000  # ways to give the teams their counts, beyond which teams go alone
CUTS = 2  # the widest gaps tried


def threshold_bound(problem: Problem, groups: bool = True) -> int:
    """The least spread of scaled means the counts of strong players allow (``groups``
    False bounds each team alone, as beyond GROUPS_CAP: the tests check both)."""
    units, lcm = sorted(problem.units), problem.lcm
    sizes = {problem.q: problem.k - problem.r}
    if problem.r:
        sizes[problem.q + 1] = problem.r
    cuts = sorted(range(1, len(units)), key=lambda t: (units[t - 1] - units[t], t))
    average = Fraction(problem.total * lcm, problem.n)  # of the team means, by size
    best = 0
    for cut in cuts[:CUTS]:
        weak, strong = units[:cut], units[cut:]
        bound = _by_groups(weak, strong, sizes, lcm, average) if groups else None
        if bound is None:
            bound = _by_teams(weak, strong, sizes, lcm, average)
        best = max(best, bound)
    return best


def _by_groups(
    weak: list[int], strong: list[int], sizes: dict[int, int], lcm: int, average: Fraction
) -> int | None:
    """The bound over every way to give the teams their counts, or None past GROUPS_CAP."""
    m = len(strong)
    ways = []
    for size, teams in sizes.items():
        counts = range(max(0, size - len(weak)), min(size, m) + 1)
        ways.append([(size, counts, shares) for shares in _shares(teams, len(counts))])
    if math.prod(len(x) for x in ways) > GROUPS_CAP:
        return None
    sums = _Sums(weak, strong)
    best: int | None = None
    for way in product(*ways):
        total = sum(g * h for _, counts, shares in way for g, h in zip(shares, counts, strict=True))
        need = _need(way, sums, lcm, average) if total == m else None
        if need is not None and (best is None or need < best):
            best = need
    return 0 if best is None else max(0, best)


class _Sums:
    """The least and the most ``c`` strong (or weak) players add up to, for every ``c``."""

    def __init__(self, weak: list[int], strong: list[int]) -> None:
        self.weak, self.strong = len(weak), len(strong)
        self.least = [0, *accumulate(strong)], [0, *accumulate(weak)]
        self.most = [0, *accumulate(reversed(strong))], [0, *accumulate(reversed(weak))]


def _need(way: tuple, sums: _Sums, lcm: int, average: Fraction) -> int | None:
    """The least ``B`` for one way to give the teams their counts (None if it asks for
    more strong or weak players than there are). The window must reach up to every
    group's least mean and to the average, and down to every group's most mean and to
    the average: ``B`` is the widest of those differences."""
    floor = ceiling = average
    for size, counts, shares in way:
        factor = lcm // size
        for g, h in zip(shares, counts, strict=True):
            if not g:
                continue
            strong, weak = g * h, g * (size - h)
            if strong > sums.strong or weak > sums.weak:
                return None
            least = sums.least[0][strong] + sums.least[1][weak]
            most = sums.most[0][strong] + sums.most[1][weak]
            floor = max(floor, Fraction(least * factor, g))
            ceiling = min(ceiling, Fraction(most * factor, g))
    return math.ceil(floor) - math.floor(ceiling)  # the means are whole numbers


def _shares(teams: int, counts: int) -> list[tuple[int, ...]]:
    """Every way to share ``teams`` teams among ``counts`` counts (how many get each)."""
    if counts == 1:
        return [(teams,)]
    return [(g, *rest) for g in range(teams + 1) for rest in _shares(teams - g, counts - 1)]


def _by_teams(
    weak: list[int], strong: list[int], sizes: dict[int, int], lcm: int, average: Fraction
) -> int:
    """The bound with each team alone: a binary search for the least ``B`` that fits."""
    ranges = {s: _mean_ranges(weak, strong, s, lcm // s) for s in sizes}
    if any(not r for r in ranges.values()):
        return 0
    lowest = min(lo for r in ranges.values() for lo, _ in r.values())
    highest = max(hi for r in ranges.values() for _, hi in r.values())
    narrow, wide = -1, highest - lowest  # infeasible, feasible
    while wide - narrow > 1:
        middle = (narrow + wide) // 2
        if _counts_fit(ranges, sizes, len(strong), middle, average):
            wide = middle
        else:
            narrow = middle
    return wide


def _mean_ranges(
    weak: list[int], strong: list[int], size: int, factor: int
) -> dict[int, tuple[int, int]]:
    """For each count ``h`` of strong players a team of ``size`` can have, the least and
    the most its scaled mean can be (``weak`` and ``strong`` sorted ascending)."""
    ranges = {}
    for h in range(max(0, size - len(weak)), min(size, len(strong)) + 1):
        least = sum(strong[:h]) + sum(weak[: size - h])
        most = sum(strong[len(strong) - h :]) + sum(weak[len(weak) - (size - h) :])
        ranges[h] = (least * factor, most * factor)
    return ranges


def _counts_fit(
    ranges: dict[int, dict[int, tuple[int, int]]],
    sizes: dict[int, int],
    strong: int,
    spread: int,
    average: Fraction,
) -> bool:
    """Whether some window ``L..L + spread`` holding the ``average`` mean lets every team
    take a count of strong players whose range meets it, the counts adding up to
    ``strong``. (The means are whole numbers, so is ``L``.)

    The counts a team of each size can take form an interval (a range rises with its
    count), and both its ends rise with ``L``: the least sum of counts can only grow
    past ``strong`` and the largest only reach it. So the windows that work, if any, form
    intervals that each start where some count's range first meets the window from
    below, at ``L`` = its least mean - ``spread``, or where the window first holds the
    average. Those are the windows tested.
    """
    first, last = math.ceil(average - spread), math.floor(average)
    starts = {lo - spread for r in ranges.values() for lo, _ in r.values()} | {first}
    for start in starts:
        if not first <= start <= last:
            continue
        fewest = most = 0
        for size, teams in sizes.items():
            counts = [
                h for h, (lo, hi) in ranges[size].items() if lo <= start + spread and hi >= start
            ]
            if not counts:
                break
            fewest += teams * counts[0]
            most += teams * counts[-1]
        else:
            if fewest <= strong <= most:
                return True
    return False
