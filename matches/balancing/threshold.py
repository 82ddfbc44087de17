"""The threshold bound: how many strong players each team can have bounds the spread.

Split the players at one of the widest gaps between consecutive ratings into the strong
(``m`` of them) and the weak. A team of ``s`` with ``h`` strong players has a mean at least
that of the ``h`` weakest strong and ``s - h`` weakest weak players, and at most that of
the strongest. With every mean in ``L..L + B``, each team needs an ``h`` whose range meets
that window, the counts add up to ``m``, and the window holds the players' mean (the
means' average, weighted by size). The least ``B`` that allows it bounds the spread.

Teams with the same size and count do better together: ``g`` of them hold ``g h``
different strong players and ``g (s - h)`` weak ones. Swap each for the weakest of its
kind, rank for rank, and no team's sum grows; so the highest of their sums is at least
the least highest sum of any way to deal the ``g h`` weakest strong and ``g (s - h)``
weakest weak players out to ``g`` teams (each strong part matched with a weak part in
opposite orders, which keeps the highest sum least), and likewise the lowest at most the
most lowest sum with the strongest. Past PARTITIONS_CAP ways to deal, the average sum
stands in (``_least_highest``). That needs every way to give the teams their counts
(``_by_groups``), so beyond GROUPS_CAP of them each team is bounded alone (``_by_teams``).

Dealt out, the groups' sums must also add up to the players' total, each within its
least and most and within its players times the window (``_with_sums``): with three
teams this pins the third team's mean by the other two.

A party as big as the largest team is a team of its own, with a fixed mean that every
window must hold; the other teams are made of the other players. Both bounds are
relaxations of the split otherwise (each team, or group, as if it could take the extreme
players), so other parties and apart pairs keep them valid. With two clusters of players that
the teams cannot share evenly they are within a point of the optimum.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import accumulate, combinations, product

from .problem import Problem

GROUPS_CAP = 5_000  # ways to give the teams their counts, beyond which teams go alone
PARTITIONS_CAP = 120  # ways to deal a group's players (8 into pairs: 105), beyond: the average
CUTS = 2  # the widest gaps tried


def threshold_bound(problem: Problem, enough: int | None = None, groups: bool = True) -> int:
    """The least spread of scaled means the counts of strong players allow, or a smaller
    bound once it is known to fall short of ``enough`` (``groups`` False bounds each team
    alone, as beyond GROUPS_CAP: the tests check both)."""
    lcm = problem.lcm
    sizes = {problem.q: problem.k - problem.r}
    if problem.r:
        sizes[problem.q + 1] = problem.r
    # A party as big as the largest team is a team of its own, with a fixed mean; the
    # other teams are made of the other players.
    fills = max(sizes)
    whole = [p for p, z in enumerate(problem.size) if z == fills]
    sizes[fills] -= len(whole)
    sizes = {size: teams for size, teams in sizes.items() if teams}
    fixed = [Fraction(problem.value[p] * (lcm // fills)) for p in whole]
    players = {i for p in whole for i in problem.parties[p]}
    units = sorted(u for i, u in enumerate(problem.units) if i not in players)
    # Every window holds the fixed means and the players' mean (the means' average).
    average = Fraction(problem.total * lcm, problem.n)
    reach = min([average, *fixed]), max([average, *fixed])
    best = max(0, math.ceil(reach[1]) - math.floor(reach[0]))  # the means are whole numbers
    cuts = sorted(range(1, len(units)), key=lambda t: (units[t - 1] - units[t], t))
    for cut in cuts[:CUTS] if sizes else ():
        weak, strong = units[:cut], units[cut:]
        bound = _by_groups(weak, strong, sizes, lcm, reach, enough) if groups else None
        if bound is None:
            bound = _by_teams(weak, strong, sizes, lcm, reach)
        best = max(best, bound)
    return best


def _by_groups(
    weak: list[int],
    strong: list[int],
    sizes: dict[int, int],
    lcm: int,
    reach: tuple[Fraction, Fraction],
    enough: int | None,
) -> int | None:
    """The bound over every way to give the teams their counts, or None past GROUPS_CAP.

    A way gives each size's teams their counts (``shares``: how many teams get each
    count). Its need is the window from the highest least mean of its groups (and the
    average) down to their lowest most mean (and the average). Each way's need is found
    with the groups' average sums first; dealing the players out can only raise it, so
    the ways are dealt out from the least need on, until the next one's need is no less
    than the least dealt-out need so far (or that falls short of ``enough``)."""
    m = len(strong)
    options = []  # per size: (strong players, size, counts, shares)
    for size, teams in sizes.items():
        counts = range(max(0, size - len(weak)), min(size, m) + 1)
        shares = _shares(teams, len(counts))
        options.append([(_strong(counts, s), size, counts, s) for s in shares])
    if math.prod(len(x) for x in options) > GROUPS_CAP:
        return None
    groups = _Groups(weak, strong, lcm)
    rough = []
    for index, way in enumerate(product(*options)):
        if sum(option[0] for option in way) == m:
            need = _need(way, groups, reach, dealt=False)
            if need is not None:
                rough.append((need, index, way))
    rough.sort(key=lambda item: item[:2])
    best: int | None = None
    for need, _, way in rough:
        if best is not None and need >= best:
            break
        if best is not None and enough is not None and best < enough:
            return max(0, need)  # no less than any way left, and short of enough
        dealt = _need(way, groups, reach, dealt=True, enough=enough)  # (not None here)
        if dealt is not None:
            best = dealt if best is None else min(best, dealt)
    return 0 if best is None else max(0, best)


def _strong(counts: range, shares: tuple[int, ...]) -> int:
    """How many strong players a size's teams take, ``shares[i]`` of them ``counts[i]``."""
    return sum(g * h for g, h in zip(shares, counts, strict=True))


def _need(
    way: tuple,
    groups: _Groups,
    reach: tuple[Fraction, Fraction],
    dealt: bool,
    enough: int | None = None,
) -> int | None:
    """The least ``B`` for one way (None if it asks for more strong or weak players than
    there are): the window reaches up to every group's least highest mean and to
    ``reach``, and down to every group's most lowest mean and to ``reach``; dealt out,
    the groups' sums must also add up (``_with_sums``)."""
    ceiling, floor = reach
    for _, size, counts, shares in way:
        bounds = groups.part(size, counts, shares, dealt)
        if bounds is None:
            return None
        floor, ceiling = max(floor, bounds[0]), min(ceiling, bounds[1])
    top, bottom = math.ceil(floor), math.floor(ceiling)  # the means are whole numbers
    if not dealt or (enough is not None and top - bottom >= enough):
        return top - bottom
    return _with_sums(groups.totals(way), groups.lcm * groups.total, top, bottom, enough)


def _with_sums(
    totals: list[tuple[int, int, int]], target: int, top: int, bottom: int, enough: int | None
) -> int:
    """The least ``B`` once the groups' sums must add up: with every mean in ``L..L + B``
    (``L <= bottom``, ``L + B >= top``), a group of ``n`` players adds up to between
    ``n L`` and ``n (L + B)`` and between its least and most sum (``totals``: players,
    least and most, all times lcm), and the groups add up to ``target``. The sums allowed
    below ``L`` grow with it, and those allowed above with ``L + B``: two binary searches,
    within a third on ``B``. Given ``enough``, only whether ``B`` reaches it is found:
    ``enough`` if it does, ``top - bottom`` (no more than ``B``) if not."""
    span = max(most for _, _, most in totals) + top + 1  # beyond any mean, times lcm
    low, high = -span, span
    while high - low > 1:  # the highest L the least sums allow
        middle = (low + high) // 2
        if sum(max(least, n * middle) for n, least, _ in totals) <= target:
            low = middle
        else:
            high = middle
    last = min(bottom, low)

    def fits(spread: int) -> bool:
        low, high = -3 * span, span  # (spread <= 2 span: nothing adds up that low)
        while high - low > 1:  # the lowest L the most sums allow
            middle = (low + high) // 2
            if sum(min(most, n * (middle + spread)) for n, _, most in totals) >= target:
                high = middle
            else:
                low = middle
        return max(top - spread, high) <= last

    if enough is not None:
        return top - bottom if fits(enough - 1) else enough
    narrow, wide = top - bottom - 1, 2 * span  # too narrow, wide enough
    while wide - narrow > 1:
        middle = (narrow + wide) // 2
        if fits(middle):
            wide = middle
        else:
            narrow = middle
    return wide


class _Groups:
    """For ``g`` teams of one size and count, the least their highest sum can be and the
    most their lowest can be: from the players' sums (their average), or dealt out."""

    def __init__(self, weak: list[int], strong: list[int], lcm: int) -> None:
        self.weak, self.strong, self.lcm = weak, strong, lcm  # each ascending
        self.least = [0, *accumulate(strong)], [0, *accumulate(weak)]
        self.most = [0, *accumulate(reversed(strong))], [0, *accumulate(reversed(weak))]
        self.dealt: dict[tuple[int, int, int], tuple[Fraction, Fraction]] = {}
        self.parts: dict[tuple, tuple[Fraction, Fraction] | None] = {}
        self.total = self.least[0][-1] + self.least[1][-1]  # every player's units

    def totals(self, way: tuple) -> list[tuple[int, int, int]]:
        """Per group of the way: its players, and the least and the most they add up to,
        times lcm (the way is known to fit the players)."""
        out = []
        for _, size, counts, shares in way:
            for g, h in zip(shares, counts, strict=True):
                if g:
                    strong, weak = g * h, g * (size - h)
                    least = self.least[0][strong] + self.least[1][weak]
                    most = self.most[0][strong] + self.most[1][weak]
                    out.append((g * size, least * self.lcm, most * self.lcm))
        return out

    def part(
        self, size: int, counts: range, shares: tuple[int, ...], dealt: bool
    ) -> tuple[Fraction, Fraction] | None:
        """The highest least and the lowest most mean of a size's groups (kept)."""
        key = (size, shares, dealt)
        if key not in self.parts:
            self.parts[key] = self._part(size, counts, shares, dealt)
        return self.parts[key]

    def _part(
        self, size: int, counts: range, shares: tuple[int, ...], dealt: bool
    ) -> tuple[Fraction, Fraction] | None:
        factor = self.lcm // size
        floors, ceilings = [], []
        for g, h in zip(shares, counts, strict=True):
            if not g:
                continue
            sums = self.sums(size, g, h, dealt)
            if sums is None:
                return None
            floors.append(sums[0] * factor)
            ceilings.append(sums[1] * factor)
        return max(floors), min(ceilings)

    def sums(self, size: int, g: int, h: int, dealt: bool) -> tuple[Fraction, Fraction] | None:
        """None when there are not ``g h`` strong and ``g (size - h)`` weak players."""
        strong, weak = g * h, g * (size - h)
        if strong > len(self.strong) or weak > len(self.weak):
            return None
        if not dealt:
            least = self.least[0][strong] + self.least[1][weak]
            most = self.most[0][strong] + self.most[1][weak]
            return Fraction(least, g), Fraction(most, g)
        key = (size, g, h)
        if key not in self.dealt:
            # The weakest (for the highest sum) and, negated, the strongest.
            low = _least_highest(self.strong[:strong], self.weak[:weak], g, h, size - h)
            high = -_least_highest(
                [-x for x in reversed(self.strong)][:strong],
                [-x for x in reversed(self.weak)][:weak],
                g,
                h,
                size - h,
            )
            self.dealt[key] = (low, high)
        return self.dealt[key]


def _least_highest(strong: list[int], weak: list[int], g: int, h: int, rest: int) -> Fraction:
    """The least the highest team sum can be when ``strong`` and ``weak`` (ascending) are
    dealt to ``g`` teams of ``h`` and ``rest``: every way, each strong part matched with
    a weak part in opposite orders (which keeps the highest sum least); their average
    when there are more than PARTITIONS_CAP ways."""
    if _ways(len(strong), g, h) * _ways(len(weak), g, rest) > PARTITIONS_CAP:
        return Fraction(sum(strong) + sum(weak), g)
    weak_parts = [sorted(b, reverse=True) for b in _parts(weak, g, rest)]
    return Fraction(
        min(
            max(x + y for x, y in zip(sorted(a), b, strict=True))
            for a in _parts(strong, g, h)
            for b in weak_parts
        )
    )


def _parts(items: list[int], g: int, size: int) -> list[list[int]]:
    """The sums of the parts of every way to deal ``items`` into ``g`` parts of ``size``."""
    if not size:
        return [[0] * g]
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for others in combinations(range(len(rest)), size - 1):
        left = [x for k, x in enumerate(rest) if k not in others]
        part = first + sum(rest[k] for k in others)
        out += [[part, *sums] for sums in _parts(left, g - 1, size)]
    return out


def _ways(n: int, g: int, size: int) -> int:
    """How many ways to deal ``n = g size`` items into ``g`` unordered parts of ``size``."""
    if not size:
        return 1
    return math.factorial(n) // (math.factorial(size) ** g * math.factorial(g))


def _shares(teams: int, counts: int) -> list[tuple[int, ...]]:
    """Every way to share ``teams`` teams among ``counts`` counts (how many get each)."""
    if counts == 1:
        return [(teams,)]
    return [(g, *rest) for g in range(teams + 1) for rest in _shares(teams - g, counts - 1)]


def _by_teams(
    weak: list[int],
    strong: list[int],
    sizes: dict[int, int],
    lcm: int,
    reach: tuple[Fraction, Fraction],
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
        if _counts_fit(ranges, sizes, len(strong), middle, reach):
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
    reach: tuple[Fraction, Fraction],
) -> bool:
    """Whether some window ``L..L + spread`` holding ``reach`` (lowest, highest) lets every
    team take a count of strong players whose range meets it, the counts adding up to
    ``strong``. (The means are whole numbers, so is ``L``.)

    The counts a team of each size can take form an interval (a range rises with its
    count), and both its ends rise with ``L``: the least sum of counts can only grow
    past ``strong`` and the largest only reach it. So the windows that work, if any, form
    intervals that each start where some count's range first meets the window from
    below, at ``L`` = its least mean - ``spread``, or where the window first holds
    ``reach``. Those are the windows tested.
    """
    first, last = math.ceil(reach[1] - spread), math.floor(reach[0])
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
