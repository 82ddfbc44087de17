"""Fair teams for an in-house lobby: the balancing algorithm (pure Python, no Django).

Definitions
-----------
A *split* puts every player on exactly one of ``teams`` teams whose sizes differ by at most
one, honouring the parties (``together``) and the ``apart`` pairs. Its *gap* is the highest
team mean rating minus the lowest (for two teams, the difference of the two means).

*Best*: the smallest gap. Gaps are compared in whole rating points (``floor(gap + 0.5)``);
among splits whose gaps round to the same point the one with the least *stacking* wins::

    stacking = (highest - lowest team RD) + (highest - lowest team best rating)

where a team's RD is its composite (root-mean-square) RD, as in ``glicko2.composite``. It
is small when the newcomers (high RD) and the strongest players are spread over the teams
and large when they are stacked on one. Remaining ties go to the canonical form.

*Canonical form*: ids sorted within each team, teams ordered by their smallest id (so team 1
holds the smallest id). Two splits are the same when their canonical forms are equal.

*Fairness* comes from ``glicko2.team_win_probabilities``: ``|P(team 1) - 1/2|`` for two
teams, the spread of the win probabilities for more. The *pool* is every split whose
fairness is at most the best split's plus ``tolerance / 100``. In best-first order, the
seed picks ``pool[seed % len(pool)]`` (after removing the ``avoid`` splits when anything
else is left): seed 0 is the best split and seeds s and s + 1 always differ when the pool
holds two splits or more, which is what a reroll needs.

How the search works
--------------------
Inside the search a rating is a whole number of half points, shifted by the lowest rating
and divided by the gcd of the differences, so sums are small integers. Rounding moves a
team mean by at most 1/4 point and a gap by at most 1/2. The answer is *optimal* when a
lower bound on the true optimum is proven within one point of the gap found (SLACK).

1. Feasibility (``problem.py``, ``feasibility.py``): parties are merged (overlapping
   groups are unioned), then the apart pairs and the team sizes are checked exactly;
   ``Infeasible`` names the broken constraint.
2. Heuristic (``feasibility.py``, ``heuristic.py``): a greedy start, then a swap descent.
   Between two teams,
   the swaps nearest the transfer that would equalise their means are found by binary
   search; a party swaps with a party of its size or with as many lone players. Seeded
   restarts follow (iterated local search).
3. Proof (``proof.py``, ``threshold.py``, ``window_proof.py``, ``window.py``). Lower bounds
   first: team sums are integers, so the means cannot be closer than the best whole-number
   distribution of the total allows (the integrality bound, which proves most lobbies at
   once); and two parties that cannot share a team keep their teams' means apart (the
   separation bound).
   Otherwise, two teams: an exact dynamic programme over (players, sum) with Python ints
   as bitsets, ``reach[c] |= reach[c - 1] << value``; a party is one item, a group of
   parties linked by apart pairs is one item with two orientations. More teams: the
   threshold bound (how many players above a wide rating gap each team can have bounds
   its mean, and the counts must add up), then a window
   search, which builds teams one at a time around the hardest party left and only tries
   team sums whose mean keeps the spread under the target; finding nothing proves the
   answer. Up to 24 players it remembers the sets of players left that led nowhere. If it
   runs out, searches of narrower widths raise the lower bound or find better splits. With
   every team a pair the optimum is known (strongest with weakest), and a party that
   fills a team bounds the optimum by its fixed mean against the others' average.
4. Pool (``pool.py``): the same window search lists every split within a window that
   provably contains the pool; when the pool is too large to list it is sampled by a
   seeded random walk of swaps, so the samples are varied and ``pool_exact`` is False.

Every budget is a count of steps, never the clock (all of them in ``limits.py``): the same
input and seed give the same answer on any machine, and a different seed walks the same
best-first pool.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .feasibility import feasible_start
from .limits import SLACK
from .pool import Split, avoid_labels, collect, fairness, pool_window, rank, split_of
from .problem import Infeasible, Member, Problem, check_options
from .proof import optimise
from .room import with_room

__all__ = ["Balance", "Infeasible", "Member", "Split", "balance"]


@dataclass(frozen=True)
class Balance:
    """The chosen split and what the search knows about it."""

    split: Split  # the chosen teams
    best_gap: float  # the best gap found (the optimum, to the point, when optimal)
    optimal: bool  # True when best_gap is proven within one point of the true optimum
    certified_gap: float  # proven upper bound on best_gap - optimum; 0.0 when optimal
    pool_size: int  # how many distinct splits lie within the tolerance
    pool_exact: bool  # False when the pool was sampled (pool_size is then a lower bound)
    seed: int
    alternatives: tuple[Split, ...]  # other distinct splits, best first
    avoided: bool  # True when a split in `avoid` would have been chosen and another was
    elapsed_ms: float


@with_room
def balance(
    members: Sequence[Member],
    *,
    teams: int = 2,
    together: Sequence[Sequence[int]] = (),
    apart: Sequence[tuple[int, int]] = (),
    seed: int,
    tolerance: float = 1.0,
    alternatives: int = 0,
    avoid: Sequence[Sequence[Sequence[int]]] = (),
) -> Balance:
    """Split ``members`` into ``teams`` fair teams (see the module docstring for the terms).

    ``together`` lists parties (overlapping ones merge), ``apart`` pairs of ids that must
    be on different teams. ``tolerance`` is in percentage points of win probability.
    ``avoid`` lists splits (teams of ids, any order) not to choose if the pool has another,
    typically the guild's previous match; entries that are not a split of these members
    are ignored. Raises ValueError for malformed input and Infeasible (a ValueError) when
    the constraints cannot be met.
    """
    started = time.perf_counter()
    check_options(teams, seed, tolerance, alternatives)
    problem = Problem.build(members, teams, together, apart)
    search = optimise(problem, feasible_start(problem))

    # The best split's gap rounds to the same point as the best gap found, so it is below
    # this; the window then holds every split the tolerance can admit.
    best_gap_ceiling = math.floor(search.gap + 0.5) + 0.5
    width = pool_window(problem, best_gap_ceiling, tolerance)
    listed, exact, covered = collect(problem, search.team_of, width, alternatives + 1)
    ranked = sorted(((split_of(problem, x), x) for x in listed), key=lambda pair: rank(*pair))

    best_gap = min(split.gap for split, _ in ranked)
    lower = search.lower
    if exact and covered >= search.gap:
        lower = max(lower, best_gap)  # every split at least as good was listed
    optimal = best_gap - lower <= SLACK + 1e-9

    threshold = fairness(ranked[0][0]) + tolerance / 100 + 1e-12
    pool = [pair for pair in ranked if fairness(pair[0]) <= threshold]
    banned = avoid_labels(problem, avoid)
    eligible = [pair for pair in pool if pair[1] not in banned] or pool
    chosen = eligible[seed % len(eligible)]
    avoided = pool[seed % len(pool)][1] in banned and chosen[1] not in banned
    others = [s for s, labels in ranked if labels != chosen[1] and labels not in banned]

    return Balance(
        split=chosen[0],
        best_gap=best_gap,
        optimal=optimal,
        certified_gap=0.0 if optimal else best_gap - lower,
        pool_size=len(pool),
        pool_exact=exact,
        seed=seed,
        alternatives=tuple(others[:alternatives]),
        avoided=avoided,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
