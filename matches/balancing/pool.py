"""The pool: the splits within the tolerance, ranked best first, and the avoided ones.

A gap bound that no pool member exceeds is derived from ``win_probability`` alone; the
splits inside it are listed exactly by the window search when that is cheap, and sampled
by a seeded random walk of swaps otherwise. ``Split`` is a listed split with the numbers a
caller shows; ``rank`` orders them (gap to the point, stacking, canonical form).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ratings.glicko2 import Rating, composite, team_win_probabilities, win_probability

from .heuristic import Rng, Teams
from .limits import (
    ENUM_BUDGET,
    ENUM_CAP,
    EXACT_PLAYERS,
    MAX_RATING,
    ROUNDING,
    SAMPLE_SIZE,
    SAMPLE_STEPS,
    SAMPLE_THIN,
    SEARCH_SEED,
)
from .problem import Problem
from .window import Exhausted, WindowSearch, team_of_split


@dataclass(frozen=True)
class Split:
    """A way to split the lobby, in canonical form, with the numbers a caller shows."""

    teams: tuple[tuple[int, ...], ...]  # member ids, sorted; teams ordered by smallest id
    gap: float  # highest minus lowest team mean rating (unrounded)
    win_probabilities: tuple[float, ...]  # glicko2.team_win_probabilities, summing to 1
    mean_ratings: tuple[float, ...]  # each team's mean rating
    rds: tuple[float, ...]  # each team's composite (root-mean-square) RD
    stacking: float  # the tie-break between equally good splits; lower is better


def labels_of(problem: Problem, team_of: Sequence[int]) -> tuple[int, ...]:
    """Canonical form as a tuple: each player's team, numbered in order of first appearance."""
    number: dict[int, int] = {}
    return tuple(
        number.setdefault(team_of[problem.party_of[i]], len(number)) for i in range(problem.n)
    )


def split_of(problem: Problem, labels: tuple[int, ...]) -> Split:
    members: list[list[int]] = [[] for _ in range(problem.k)]
    for i, t in enumerate(labels):
        members[t].append(i)
    ratings = [[problem.players[i] for i in team] for team in members]
    teams = [composite(team) for team in ratings]
    means = tuple(t.rating for t in teams)
    rds = tuple(t.rd for t in teams)
    strongest = [max(p.rating for p in team) for team in ratings]
    return Split(
        teams=tuple(tuple(problem.ids[i] for i in team) for team in members),
        gap=max(means) - min(means),
        win_probabilities=tuple(team_win_probabilities(ratings)),
        mean_ratings=means,
        rds=rds,
        stacking=(max(rds) - min(rds)) + (max(strongest) - min(strongest)),
    )


def rank(split: Split, labels: tuple[int, ...]) -> tuple[int, float, tuple[int, ...]]:
    """Best first: the gap to the point, then the stacking, then the canonical form."""
    return math.floor(split.gap + 0.5), split.stacking, labels


def fairness(split: Split) -> float:
    probabilities = split.win_probabilities
    if len(probabilities) == 2:
        return abs(probabilities[0] - 0.5)
    return max(probabilities) - min(probabilities)


def pool_window(problem: Problem, best_gap_ceiling: float, tolerance: float) -> float:
    """A gap (points) that no split in the pool exceeds; inf when the pool may hold them all.

    Write P(d, rd) = win_probability(d points ahead, both composites of deviation rd). The
    best split (gap below the ceiling) has fairness at most that of P(ceiling, 0), since
    uncertainty only pulls probabilities towards 1/2. Conversely, for the teams with the
    highest and the lowest mean, d apart, the spread of the win probabilities is at least
    (2 P(d, rd_max) - 1) / (teams - 1): every pairwise term of theirs moves apart, and the
    logistic is concave beyond 1/2. So a split whose spread is within the pool's has a gap
    no larger than the d where that bound reaches it.
    """
    k = problem.k
    tiny = 1e-9  # an RD this small makes g(phi) == 1 to double precision
    sure = win_probability(Rating(best_gap_ceiling, tiny), Rating(0.0, tiny))
    if k == 2:
        spread = 2 * ((sure - 0.5) + tolerance / 100)
    else:
        spread = 2 / k * (2 * sure - 1) + tolerance / 100
    reach = (k - 1) * spread
    if reach >= 1:
        return math.inf
    rd = max(p.rd for p in problem.players)

    def bound(d: float) -> float:
        return 2 * win_probability(Rating(d, rd), Rating(0.0, rd)) - 1

    high = 1.0
    while bound(high) <= reach:
        high *= 2
        if high > 4 * MAX_RATING:
            return math.inf
    low = 0.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if bound(middle) <= reach else (low, middle)
    return high


def collect(
    problem: Problem, best: list[int], width: float, wanted: int
) -> tuple[list[tuple[int, ...]], bool, float]:
    """Splits for the pool and the alternatives: (labels, listed exactly?, gap covered).

    The window is listed exactly when that is cheap, widened until it holds ``wanted``
    splits; otherwise the splits are sampled by a seeded random walk inside it.
    """
    constrained = any(problem.apart) or len(problem.size) < problem.n
    ratings = [p.rating for p in problem.players]
    widest = max(ratings) - min(ratings)  # no gap is larger
    # Constraints only remove splits, so the estimate is high for a constrained lobby:
    # small ones are listed anyway, as their pools are often small.
    small = constrained and problem.n <= EXACT_PLAYERS
    if small or _expected_count(problem, width) <= ENUM_CAP:
        while True:
            listed = _enumerate(problem, width)
            if listed is None:
                break
            if len(listed) >= wanted or width >= widest:
                return sorted(listed | {labels_of(problem, best)}), True, width
            width = min(2 * width + 10, widest)
    return _sample(problem, best, width), False, 0.0


def _enumerate(problem: Problem, width: float) -> set[tuple[int, ...]] | None:
    """Every split within ``width`` points (grid-wide), or None when there are too many."""
    scaled = 10**18 if math.isinf(width) else math.floor(problem.scaled(width + ROUNDING) + 1e-6)
    listed: set[tuple[int, ...]] = set()

    def found(split: list[list[int]]) -> int:
        listed.add(labels_of(problem, team_of_split(problem, split)))
        if len(listed) > ENUM_CAP:
            raise Exhausted
        return scaled

    return listed if WindowSearch(problem, scaled, ENUM_BUDGET, found).run() else None


def _expected_count(problem: Problem, width: float) -> float:
    """Roughly how many splits lie within ``width``: only used to skip a hopeless listing.

    The number of splits times the chance that k team means, each normal with the spread of
    a random team's mean, fall within ``width`` of one another (sqrt(k) (w / (s sqrt(2 pi)))
    ** (k - 1) for narrow windows).
    """
    n, k, q, r = problem.n, problem.k, problem.q, problem.r
    log_splits = (
        math.lgamma(n + 1)
        - r * math.lgamma(q + 2)
        - (k - r) * math.lgamma(q + 1)
        - math.lgamma(r + 1)
        - math.lgamma(k - r + 1)
    )
    ratings = [p.rating for p in problem.players]
    mean = math.fsum(ratings) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in ratings) / n)
    if math.isinf(width) or sd == 0:
        return math.exp(log_splits)
    share = math.sqrt(k) * (width / (sd / math.sqrt(q) * math.sqrt(2 * math.pi))) ** (k - 1)
    return math.exp(log_splits) * min(1.0, share)


def _sample(problem: Problem, best: list[int], width: float) -> list[tuple[int, ...]]:
    """A seeded random walk of swaps that keep the split within the window, thinned."""
    scaled = math.inf if math.isinf(width) else problem.scaled(width + ROUNDING)
    teams = Teams(problem, best)
    rng = Rng(SEARCH_SEED + 1)
    seen = {labels_of(problem, best)}
    accepted = 0
    for _ in range(SAMPLE_STEPS):
        if len(seen) >= SAMPLE_SIZE:
            break
        move = teams.random_swap(rng)
        if move is None:
            continue
        teams.swap(*move)
        if teams.spread() > scaled:
            teams.swap(*move)  # swapping back undoes it
            continue
        accepted += 1
        if accepted % SAMPLE_THIN == 0:
            seen.add(labels_of(problem, teams.team_of))
    return sorted(seen)


def avoid_labels(
    problem: Problem, avoid: Sequence[Sequence[Sequence[int]]]
) -> set[tuple[int, ...]]:
    """The canonical forms of the ``avoid`` splits that split exactly these members."""
    index = {x: i for i, x in enumerate(problem.ids)}
    out = set()
    for split in avoid:
        team_of = [-1] * problem.n
        valid = True
        for t, team in enumerate(split):
            for x in team:
                i = index.get(x)
                if i is None or team_of[i] >= 0:
                    valid = False
                else:
                    team_of[i] = t
        if valid and min(team_of) >= 0:
            number: dict[int, int] = {}
            out.add(tuple(number.setdefault(t, len(number)) for t in team_of))
    return out
