"""The proof of optimality: lower bounds, the exact two-team programme, the window proof.

``optimise`` runs the local search, then tries to prove its answer within SLACK of the true
optimum: first by the integrality and separation bounds, then exactly (two teams, a
dynamic programme over bitsets) or, for three teams or more, by the threshold bound and
then a window search for a better split (``window_proof.py``) within a step budget; if
that runs out, searches of narrower widths raise the lower bound (``narrow_down``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

from .feasibility import components
from .heuristic import local_search, true_gap
from .limits import (
    EXACT_PLAYERS,
    FINE_GRID,
    FINE_ROUNDING,
    NARROW_BUDGET,
    NARROW_BUDGET_LARGE,
    ROUNDING,
    SLACK,
)
from .problem import Problem
from .threshold import threshold_bound
from .window_proof import narrow_down, prove_window


@dataclass
class _Search:
    team_of: list[int]  # the best split found
    gap: float  # its true gap
    lower: float  # a proven lower bound on the true optimum, in points


def optimise(problem: Problem, start: list[int]) -> _Search:
    # The lower bounds need no search, so they are computed on two grids and the larger
    # is kept (``_grids``): the ratings to 1/FINE_GRID of a point lose only that much to
    # rounding, where half points lose half a point; but half points can share a larger
    # unit (ratings within a fraction of multiples of 100), which the integrality bound
    # and the whole-number means of the threshold bound use.
    grids = _grids(problem)
    lower = max(
        0.0, *(g.points(max(_integrality_bound(g), _separation_bound(g))) - r for g, r in grids)
    )
    team_of, gap = local_search(problem, start, lower)
    if gap - lower <= SLACK:
        return _Search(team_of, gap, lower)
    if problem.k == 2:
        exact, optimum = _exact_two_teams(problem)
        exact_gap = true_gap(problem, exact)
        if exact_gap < gap:
            team_of, gap = exact, exact_gap
        return _Search(team_of, gap, max(lower, problem.points(optimum) - ROUNDING))
    # A few milliseconds at most, and it proves lobbies the window search cannot (two
    # clusters of players), so it comes first. It stops early, with a smaller bound, once
    # it cannot prove the gap.
    for grid, rounding in grids:
        # (Half points gain on 1/64 only through a unit above one: ratings near multiples.)
        if gap - lower > SLACK and (grid is not problem or problem.unit > 1):
            enough = math.ceil(grid.scaled(gap - SLACK + rounding))  # what would prove it
            lower = max(lower, grid.points(threshold_bound(grid, enough)) - rounding)
    if gap - lower <= SLACK:
        return _Search(team_of, gap, lower)
    team_of, gap, proven = prove_window(problem, team_of, gap, lower)
    if proven:
        return _Search(team_of, gap, max(lower, gap - SLACK))
    # Only now, so that every answer the search finished with is the answer it gave before
    # this bound existed: it would have stopped the local search or the proof earlier.
    lower = max(lower, *(g.points(_whole_team_bound(g)) - r for g, r in grids))
    if gap - lower <= SLACK:
        return _Search(team_of, gap, lower)
    budget = NARROW_BUDGET if problem.n <= EXACT_PLAYERS else NARROW_BUDGET_LARGE
    return _Search(*narrow_down(problem, team_of, gap, lower, budget))


def _grids(problem: Problem) -> list[tuple[Problem, float]]:
    """The lobby in 1/FINE_GRID points and in the searches' half points, each with what a
    spread computed on it may lose to rounding."""
    return [(problem.finer(FINE_GRID), FINE_ROUNDING), (problem, ROUNDING)]


def _integrality_bound(problem: Problem) -> int:
    """The least spread of scaled means any integer team sums could have (ignoring players).

    With every team the same size the sums can be equal only when the teams divide the total;
    with two sizes, split the total B : rest between the big and the small teams, spread each
    part as evenly as integers allow, and take the best B.
    """
    k, q, r, total = problem.k, problem.q, problem.r, problem.total
    if r == 0:
        return 0 if total % k == 0 else 1
    small = k - r
    best = math.inf
    middle = total * r * (q + 1) // problem.n
    # Moving B by d from its proportional share moves the big teams' mean by about d*q/r;
    # beyond 10k that costs more than the spread at the proportional share.
    for big_sum in range(max(0, middle - 10 * k), min(total, middle + 10 * k) + 1):
        rest = total - big_sum
        hi = max(-(-big_sum // r) * q, -(-rest // small) * (q + 1))
        lo = min(big_sum // r * q, rest // small * (q + 1))
        best = min(best, hi - lo)
    return int(best)


def _separation_bound(problem: Problem) -> int:
    """The least spread forced by two parties that cannot share a team (scaled).

    A team holding party p has a mean between ``low(p)`` (its other places filled by the
    weakest players) and ``high(p)`` (by the strongest), over the team sizes it fits. Two
    parties too big to share a team, or apart, are on different teams, so the spread is at
    least ``low(p) - high(p')``. A party as big as a team has a fixed mean, which makes
    this bite: three whole-team parties already fix a lower bound on the spread.
    """
    units = sorted(problem.units)
    sizes = [problem.q + 1, problem.q] if problem.r else [problem.q]
    span: dict[int, tuple[int, int]] = {}
    for p, z in enumerate(problem.size):
        if z == 1 and not problem.apart[p]:
            continue
        fits = [t for t in sizes if t >= z]
        low = min((problem.value[p] + sum(units[: t - z])) * (problem.lcm // t) for t in fits)
        high = max(
            (problem.value[p] + sum(units[len(units) - (t - z) :])) * (problem.lcm // t)
            for t in fits
        )
        span[p] = (low, high)
    best = 0
    for p, q in itertools.combinations(span, 2):
        if problem.size[p] + problem.size[q] > sizes[0] or problem.apart[p] >> q & 1:
            best = max(best, span[p][0] - span[q][1], span[q][0] - span[p][1])
    return best


def _whole_team_bound(problem: Problem) -> int:
    """The least spread forced by the parties that fill a team on their own (scaled).

    Such a party is a team with a fixed mean. The other teams' means average (weighted by
    size) to the mean of the players left, so some are at least that and some at most:
    the spread is at least the range of the fixed means and that average together. One
    party of three far from the average in teams of three already sets the optimum to
    within a fraction of a point, when the others can be balanced around their mean.
    """
    fills = problem.q + 1 if problem.r else problem.q
    whole = [p for p, z in enumerate(problem.size) if z == fills]
    if not whole:
        return 0
    means = [Fraction(problem.value[p] * (problem.lcm // fills)) for p in whole]
    players = problem.n - fills * len(whole)
    if players:
        rest = problem.total - sum(problem.value[p] for p in whole)
        means.append(Fraction(rest * problem.lcm, players))
    return math.ceil(max(means) - min(means))


def _exact_two_teams(problem: Problem) -> tuple[list[int], int]:
    """The split with the least scaled spread, by dynamic programming over (players, sum).

    Each item is a group of parties linked by apart pairs, with two orientations; the first
    team takes one side. ``reach[c]`` is a bitset of the sums c players can make, so one
    item is a couple of shifts per count. Levels are kept at checkpoints and recomputed in
    between when the answer is traced back, to bound the memory for a hundred players.
    """
    size, value = problem.size, problem.value
    comps = components(problem)
    items = [
        (
            sum(size[p] for p in x),
            sum(value[p] for p in x),
            sum(size[p] for p in y),
            sum(value[p] for p in y),
        )
        for x, y in comps
    ]
    a, b = problem.q, problem.n - problem.q
    most_left = [0] * (len(items) + 1)  # players the items from i on can still add
    for i in range(len(items) - 1, -1, -1):
        most_left[i] = most_left[i + 1] + max(items[i][0], items[i][2])

    def step(reach: list[int], i: int) -> list[int]:
        cx, vx, cy, vy = items[i]
        floor = a - most_left[i + 1]
        new = [0] * (a + 1)
        for c in range(max(floor, 0), a + 1):
            x = reach[c - cx] << vx if c >= cx else 0
            if c >= cy:
                x |= reach[c - cy] << vy
            new[c] = x
        return new

    stride = max(1, math.isqrt(len(items)))
    checkpoints = {0: [1] + [0] * a}
    reach = checkpoints[0]
    for i in range(len(items)):
        reach = step(reach, i)
        if (i + 1) % stride == 0:
            checkpoints[i + 1] = reach
    # The spread |s*L/a - (total - s)*L/b| is least for the sum s nearest total*a/n.
    sums = reach[a]
    total, lcm = problem.total, problem.lcm
    near = total * a // problem.n
    below = (sums & ((1 << (near + 1)) - 1)).bit_length() - 1
    above_bits = sums >> (near + 1)
    candidates = [s for s in (below,) if s >= 0]
    if above_bits:
        candidates.append(near + 1 + ((above_bits & -above_bits).bit_length() - 1))

    def spread(s: int) -> int:
        return abs(s * (lcm // a) - (total - s) * (lcm // b))

    target = min(candidates, key=lambda s: (spread(s), s))
    choice = [0] * len(items)
    c, s = a, target
    for start in range((len(items) - 1) // stride * stride, -1, -stride):
        levels = [checkpoints[start]]
        for i in range(start, min(start + stride, len(items)) - 1):
            levels.append(step(levels[-1], i))
        for i in range(min(start + stride, len(items)) - 1, start - 1, -1):
            cx, vx, cy, vy = items[i]
            prev = levels[i - start]
            if c >= cx and s >= vx and prev[c - cx] >> (s - vx) & 1:
                choice[i], c, s = 0, c - cx, s - vx
            else:
                choice[i], c, s = 1, c - cy, s - vy
    team_of = [0] * len(size)
    for (x, y), pick in zip(comps, choice, strict=True):
        for p in x:
            team_of[p] = pick
        for p in y:
            team_of[p] = 1 - pick
    return team_of, spread(target)
