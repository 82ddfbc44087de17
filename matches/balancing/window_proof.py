"""The proof for three teams or more: a window search for a better split, and teams of two.

``prove_window`` looks for a split more than a point better than the one found; an
exhausted search proves it. With teams of two and one other size it is the search of
``pairs_proof.py`` (but teams of two and three with a party of two keep the general one,
up to EXACT_PLAYERS); otherwise ``_ProofSearch``: the window search of
``window.py`` meeting the same splits in the same order, so that the answer is the one the
plain search would give, but leaving dead ends sooner (it remembers them) and counting
only the steps the plain search would count for what it still does. With every team a
pair the optimum is known outright (``_pairs``). When the proof runs out, ``narrow_down``
tries narrower widths, which raise the lower bound or find better splits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .heuristic import true_gap
from .limits import (
    EXACT_PLAYERS,
    GENERAL_FALLBACK,
    PROOF_BUDGET,
    PROOF_BUDGET_LARGE,
    ROUNDING,
    SLACK,
)
from .pairs_proof import PairsSearch, pairs_apply
from .problem import Problem
from .window import Slot, WindowSearch, team_of_split


def _width_below(problem: Problem, gap: float) -> int:
    """The largest scaled spread whose split could still be more than SLACK better than gap."""
    return math.ceil(problem.scaled(gap - (SLACK - ROUNDING)) + 1e-6) - 1


def prove_window(
    problem: Problem, team_of: list[int], gap: float, lower: float
) -> tuple[list[int], float, bool]:
    """Three teams or more: look for a split more than a point better than ``gap``; finding
    none proves the best split found. Returns it, its true gap and whether the search
    finished (``lower`` is the lower bound proven before).

    For teams of one and two, or of two and three, the search is ``pairs_proof.PairsSearch``
    (up to EXACT_PLAYERS with more teams of three than pairs, followed by the general search
    for the last GENERAL_FALLBACK steps; up to EXACT_PLAYERS, teams of two and three with a
    party of two keep the general search). Otherwise up to EXACT_PLAYERS it is
    ``_ProofSearch``; beyond, the plain window search, step for step as calibrated. When
    the optimum is known beforehand (teams of two), the search stops as soon as it has
    found a split that good: it could find nothing after it, so the answer is the one the
    whole search would give. If it runs out of budget first, and what it found is not
    within SLACK of ``lower``, the known split is taken.
    """
    best = _Best(team_of, gap)
    known = _pairs(problem)
    optimum = -math.inf if known is None else true_gap(problem, known) + 1e-9

    def found(split: list[list[int]]) -> int:
        candidate = team_of_split(problem, split)
        candidate_gap = true_gap(problem, candidate)
        if candidate_gap < best.gap:
            best.team_of, best.gap = candidate, candidate_gap
        if best.gap <= optimum:
            raise _Optimal
        return _width_below(problem, best.gap)

    proven = _width_below(problem, gap) < 0 or gap <= optimum
    try:
        for search, budget in _searches(problem):
            if proven:
                break
            # (each search starts from the best split the one before found)
            proven = search(problem, _width_below(problem, best.gap), budget, found).run()
    except _Optimal:
        proven = True
    if not proven and known is not None and best.gap - lower > SLACK:
        best.team_of, best.gap, proven = known, true_gap(problem, known), True
    return best.team_of, best.gap, proven


def _searches(problem: Problem) -> list[tuple[type[WindowSearch], int]]:
    """The searches to run, in turn, each with its budget."""
    exact = problem.n <= EXACT_PLAYERS
    general = _ProofSearch if exact else WindowSearch
    budget = PROOF_BUDGET if exact else PROOF_BUDGET_LARGE
    if not pairs_apply(problem) or (exact and problem.q == 2 and 2 in problem.size):
        # With a party of two, in teams of two and three, the general search places the
        # party's team first, which pins the window at once; the walk meets it only when
        # it divides. (200 lobbies of 16 to 24 players with one to three parties of two or
        # three: 194 proven against 185. With parties of three only, teams of their own
        # for the walk too, the walk proves 174 of 174 against 173; beyond EXACT_PLAYERS
        # the walk does better with parties of two as well, 40 of 96 against 32.)
        return [(general, budget)]
    if exact and problem.q == 2 and 2 * problem.r > problem.k:
        # More teams of three than pairs: when players far from the rest pin some teams
        # of three, the general search, which places the hardest player's team first,
        # finishes where the walk would divide many sets of players aside.
        return [(PairsSearch, budget - GENERAL_FALLBACK), (general, GENERAL_FALLBACK)]
    return [(PairsSearch, budget)]


@dataclass
class _Best:
    team_of: list[int]  # the best split found
    gap: float  # its true gap


class _Optimal(Exception):
    """The window proof has found a split as good as the known optimum."""


def _pairs(problem: Problem) -> list[int] | None:
    """The best split when every team is a pair and there are no apart pairs, or None.

    Pair the lone players sorted strongest first, a_1 >= ... >= a_m, as a_i with
    a_(m+1-i); the parties of two are pairs already. No pairing has a lower highest sum:
    of the strongest i players, either two are paired together (a sum of at least 2 a_i)
    or each has a partner outside them, and the weakest i - 1 cannot take them all, so one
    is paired with some a_j, j <= m + 1 - i, a sum of at least a_i + a_(m+1-i). Likewise
    no pairing has a higher lowest sum. The parties' pairs are in every split, so this one
    has the least spread of the pairs' means: it is optimal, to the point and beyond.
    """
    if problem.q != 2 or problem.r or any(problem.apart):
        return None
    parties = range(len(problem.size))
    lone = sorted(
        (p for p in parties if problem.size[p] == 1),
        key=lambda p: (-problem.players[problem.parties[p][0]].rating, p),
    )
    pairs = [[p] for p in parties if problem.size[p] == 2]
    pairs += [[lone[i], lone[-1 - i]] for i in range(len(lone) // 2)]
    return team_of_split(problem, pairs)


class _ProofSearch(WindowSearch):
    """The window search as the proof runs it: the same splits in the same order, sooner.

    * When a split found narrows the width, every window narrows with it at once.
    * A set of remaining parties that led nowhere is remembered with its window. Met again
      (the teams before filled another way) with a window inside that one, it is skipped.
      The record stays true as the width narrows, which only admits fewer splits.
    * A team's sum is bounded beforehand so that the players left can still average within
      the window narrowed to the team's mean: the test ``_close`` makes afterwards.
    * A team takes twins (lone players of one rating, apart from no one) first to last
      (``Bounds``): any other choice of them gives the same means as a split met before,
      which the width has excluded since. A dead end is recorded with its twins as the
      first of them, as many (``_canonical``): which twins are left changes nothing.

    It counts the steps the plain search counts for the work it still does, and none for
    the lookups, so it never takes more steps than the plain search: whatever that proves
    within the budget, this proves too, with the same answer. The pool's listing keeps the
    plain search, whose budget was calibrated on its counts.
    """

    twins = True

    def __init__(
        self, problem: Problem, width: int, budget: int, found: Callable[[list[list[int]]], int]
    ) -> None:
        super().__init__(problem, width, budget, found)
        # (remaining parties, how many of the teams left are big) -> windows that led
        # nowhere, none inside another. The parties and the big teams fix the small ones.
        self.dead: dict[tuple[int, int], list[tuple[int, int]]] = {}
        # Per rating with twins: their bitmask, and the bitmasks of the first 0, 1, 2, ...
        # (none unless WindowSearch found TWINS of one rating)
        twins: dict[int, list[int]] = {}
        for p, (size, value) in enumerate(zip(problem.size, problem.value, strict=True)):
            if self.twins and size == 1 and not problem.apart[p]:
                twins.setdefault(value, []).append(p)
        self.twin_masks = [
            (sum(1 << p for p in ps), [sum(1 << p for p in ps[:c]) for c in range(len(ps) + 1)])
            for ps in twins.values()
            if len(ps) > 1
        ]

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
        # WindowSearch._teams with the window below, remembering a dead end. (_close has
        # looked these parties up already.)
        lo, hi = self._window(window, placed)
        if lo > hi:
            return  # the teams placed are already too far apart, or the width is negative
        if big + small == 1:
            self._last(remaining, lo, hi, teams)
            return
        finds = self.finds
        self._branch(remaining, mask, big, small, lo, hi, window, placed, teams)
        if self.finds == finds:  # so the width, and the window, are as they were
            self._remember(mask, big, lo, hi)

    def _window(self, window: tuple[int, int], placed: tuple[int, int]) -> tuple[int, int]:
        """Where the next mean must lie: within the window the teams placed narrowed, and
        within the current width (which may have narrowed since) of the average and of
        every team placed. Empty when the teams placed are already too far apart."""
        low, high = placed
        if high - low > self.width:
            return 1, 0
        return (
            max(window[0], self.around[0], high - self.width),
            min(window[1], self.around[1], low + self.width),
        )

    def _close(self, slot: Slot, chosen: list[int]) -> None:
        # WindowSearch._close with the window above, and the dead ends looked up (free)
        # before the players left are listed and recorded when they cannot be placed.
        problem = self.problem
        self._tick(4)
        total = bits = 0
        for p in chosen:
            total += problem.value[p]
            bits |= 1 << p
        mean = total * slot.factor
        width = self.width
        window = max(slot.window[0], mean - width), min(slot.window[1], mean + width)
        placed = min(slot.placed[0], mean), max(slot.placed[1], mean)
        lo, hi = self._window(window, placed)
        rest_value = (slot.remaining_value - total) * problem.lcm
        rest_size = slot.remaining_size - slot.size
        if lo > hi or not lo * rest_size <= rest_value <= hi * rest_size:
            return
        self._tick(len(slot.remaining))
        mask, big, small = slot.mask & ~bits, slot.big_left, slot.small_left
        windows = self.dead.get((self._canonical(mask) if self.twin_masks else mask, big))
        if windows and any(low <= lo and hi <= high for low, high in windows):
            return
        rest = [p for p in slot.remaining if not bits >> p & 1]
        if not self._placeable(rest, big, small, lo, hi):
            self._remember(mask, big, lo, hi)
            return
        self._teams(rest, mask, big, small, window, placed, [*slot.teams, list(chosen)])

    def _remember(self, mask: int, big: int, lo: int, hi: int) -> None:
        """The parties in ``mask`` cannot fill the teams left (``big`` of them of the larger
        size) with every mean within ``lo..hi``: keep the window, dropping those inside."""
        key = self._canonical(mask) if self.twin_masks else mask
        windows = self.dead.setdefault((key, big), [])
        windows[:] = [(low, high) for low, high in windows if not (lo <= low and high <= hi)]
        windows.append((lo, hi))

    def _canonical(self, mask: int) -> int:
        """``mask`` with the twins of each rating in it replaced by the first of them."""
        for group, firsts in self.twin_masks:
            inside = mask & group
            if inside:
                mask = mask & ~group | firsts[inside.bit_count()]
        return mask

    def _sums(self, slot: Slot) -> tuple[int, int]:
        # _close asks lo' * rest <= (total - s) * lcm <= hi' * rest of the players left, for
        # a team sum s with mean s * factor, lo' = max(lo, mean - width) and
        # hi' = min(hi, mean + width): four linear bounds on s.
        low, high = super()._sums(slot)
        lcm, width, total = self.problem.lcm, self.width, slot.remaining_value
        rest = slot.remaining_size - slot.size
        both = lcm + slot.factor * rest
        low = max(low, total - slot.hi * rest // lcm, _ceil(total * lcm - width * rest, both))
        high = min(high, total - _ceil(slot.lo * rest, lcm), (total * lcm + width * rest) // both)
        return low, high


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def narrow_down(
    problem: Problem, team_of: list[int], gap: float, lower: float, budget: int
) -> tuple[list[int], float, float]:
    """After the proof has run out: searches of narrower widths, each about halfway between
    the lower bound and the gap, within ``budget`` steps in all. Returns the best split,
    its true gap and the lower bound.

    A narrow window prunes far more, so such a search often finishes where the proof's
    could not. One that finishes has handed over every split within the width it ended
    with, or one at least as narrow (rounded) that the exchanges or twins left it for: any
    other split is wider, which raises the lower bound. A split it finds is a better one,
    and the search goes on from it as the proof does. Each search is wider than the last
    that finished, up to the proof's width, so the loop ends.
    """
    best = _Best(team_of, gap)
    search_type = _searches(problem)[0][0]

    def found(split: list[list[int]]) -> int:
        # (never wider than the search's width: a split found that is no better than the
        # best has a gap of at least best.gap, so a spread of at least this)
        candidate = team_of_split(problem, split)
        candidate_gap = true_gap(problem, candidate)
        if candidate_gap < best.gap:
            best.team_of, best.gap = candidate, candidate_gap
        return _width_below(problem, best.gap)

    searched = -1  # the width of the last search that finished
    while budget > 0 and best.gap - lower > SLACK:
        halfway = math.floor(problem.scaled((lower + best.gap) / 2))
        width = min(max(halfway, searched + 1), _width_below(problem, best.gap))
        if width <= searched:
            break
        search = search_type(problem, width, budget, found)
        finished = search.run()
        budget = search.budget
        if not finished:
            break
        searched = search.width
        wider = problem.points(searched + 1) - ROUNDING  # than any split not handed over
        lower = max(lower, min(best.gap - SLACK, wider) if search.finds else wider)
    return best.team_of, best.gap, lower
