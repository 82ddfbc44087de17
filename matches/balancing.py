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

1. Feasibility: parties are merged (overlapping groups are unioned), then the apart pairs
   and the team sizes are checked exactly; ``Infeasible`` names the broken constraint.
2. Heuristic: a greedy start, then a swap descent. Between two teams, the swaps nearest
   the transfer that would equalise their means are found by binary search; a party swaps
   with a party of its size or with as many lone players. Seeded restarts follow
   (iterated local search).
3. Proof. Lower bounds first: team sums are integers, so the means cannot be closer than
   the best whole-number distribution of the total allows (the integrality bound, which
   proves most lobbies at once); and two parties that cannot share a team keep their
   teams' means apart (the separation bound). Otherwise, two teams: an exact dynamic
   programme over (players, sum) with Python ints as bitsets, ``reach[c] |= reach[c - 1]
   << value``; a party is one item, a group of parties linked by apart pairs is one item
   with two orientations. More teams: a window search, which builds teams one at a time
   around the hardest party left and only tries team sums whose mean keeps the spread
   under the target; finding nothing proves the answer.
4. Pool: the same window search lists every split within a window that provably contains
   the pool; when the pool is too large to list it is sampled by a seeded random walk of
   swaps, so the samples are varied and ``pool_exact`` is False.

Every budget is a count of steps, never the clock: the same input and seed give the same
answer on any machine, and a different seed walks the same best-first pool.
"""

from __future__ import annotations

import itertools
import math
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ratings.glicko2 import Rating, composite, team_win_probabilities, win_probability

MAX_PLAYERS = 100
MAX_TEAMS = 16
MAX_ALTERNATIVES = 10
MAX_RATING = 100_000.0  # the sums are bitset widths: an absurd rating would make them huge
VOLATILITY = 0.06  # the volatility of the Ratings handed to team_win_probabilities

GRID = 2  # the search counts ratings in half points ...
ROUNDING = 0.5  # ... so a gap it computes is within half a point of the true gap
SLACK = 1.0  # "optimal" means proven within one rating point of the true optimum

# Work budgets, counted in steps so the answer never depends on the machine's speed.
# Calibrated with bench/balance.py against the targets in docs/balancing.md.
DESCENT_BUDGET = {2: 3_000, 3: 20_000}  # swap evaluations of the local search (2 / 3+ teams)
RESTARTS = 8  # the local search stops after this many restarts in a row without progress
# Work units (about nodes) of the exact window search for three teams or more: enough to
# prove nearly every lobby of up to EXACT_PLAYERS, and a shorter try for larger lobbies.
EXACT_PLAYERS = 24
PROOF_BUDGET = 250_000
PROOF_BUDGET_LARGE = 100_000
CONSTRAINT_BUDGET = 200_000  # nodes of the feasibility search for parties and apart pairs
ENUM_CAP = 300  # the pool's window is listed exactly up to this many splits ...
ENUM_BUDGET = 20_000  # ... within this many search nodes
SAMPLE_SIZE = 32  # otherwise this many splits are sampled by a random walk ...
SAMPLE_THIN = 3  # ... keeping one split every this many accepted swaps
SAMPLE_STEPS = 3_000  # ... within this many proposed swaps
SEARCH_SEED = 0x7EA3BA1A  # the searches' own randomness; never the caller's seed


@dataclass(frozen=True, slots=True)
class Member:
    """A player in the lobby: an opaque, unique, sortable id and their rating and RD."""

    id: int
    rating: float
    rd: float


class Infeasible(ValueError):
    """The constraints cannot be met; str(exc) says which constraint, in words a bot can post."""


@dataclass(frozen=True)
class Split:
    """A way to split the lobby, in canonical form, with the numbers a caller shows."""

    teams: tuple[tuple[int, ...], ...]  # member ids, sorted; teams ordered by smallest id
    gap: float  # highest minus lowest team mean rating (unrounded)
    win_probabilities: tuple[float, ...]  # glicko2.team_win_probabilities, summing to 1
    mean_ratings: tuple[float, ...]  # each team's mean rating
    rds: tuple[float, ...]  # each team's composite (root-mean-square) RD
    stacking: float  # the tie-break between equally good splits; lower is better


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
    _check_options(teams, seed, tolerance, alternatives)
    problem = _Problem.build(members, teams, together, apart)
    search = _optimise(problem, _feasible_start(problem))

    # The best split's gap rounds to the same point as the best gap found, so it is below
    # this; the window then holds every split the tolerance can admit.
    best_gap_ceiling = math.floor(search.gap + 0.5) + 0.5
    width = _pool_window(problem, best_gap_ceiling, tolerance)
    listed, exact, covered = _collect(problem, search.team_of, width, alternatives + 1)
    ranked = sorted(((_split(problem, x), x) for x in listed), key=lambda pair: _rank(*pair))

    best_gap = min(split.gap for split, _ in ranked)
    lower = search.lower
    if exact and covered >= search.gap:
        lower = max(lower, best_gap)  # every split at least as good was listed
    optimal = best_gap - lower <= SLACK + 1e-9

    threshold = _fairness(ranked[0][0]) + tolerance / 100 + 1e-12
    pool = [pair for pair in ranked if _fairness(pair[0]) <= threshold]
    banned = _avoid_labels(problem, avoid)
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


# Input -------------------------------------------------------------------------------------


def _check_options(teams: int, seed: int, tolerance: float, alternatives: int) -> None:
    if not _is_int(teams) or not 2 <= teams <= MAX_TEAMS:
        raise ValueError(f"teams must be a whole number from 2 to {MAX_TEAMS}, not {teams!r}")
    if not _is_int(seed):
        raise ValueError(f"seed must be a whole number, not {seed!r}")
    if not _is_int(alternatives) or not 0 <= alternatives <= MAX_ALTERNATIVES:
        raise ValueError(f"alternatives must be 0 to {MAX_ALTERNATIVES}, not {alternatives!r}")
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative number, not {tolerance!r}")


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _names(ids: Sequence[int]) -> str:
    """``1``, ``1 and 2``, ``1, 2 and 3``: ids as a bot would write them."""
    words = [str(x) for x in ids]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class _Problem:
    """The lobby as the search sees it: players by index (ids sorted), parties, units."""

    ids: tuple[int, ...]
    players: tuple[Rating, ...]  # per player, volatility 0.06
    k: int  # teams
    q: int  # the small team size; r teams have q + 1 players
    r: int
    unit: int  # half points per search unit (the gcd of the rating differences)
    units: tuple[int, ...]  # per player: (half points - lowest) / unit
    parties: tuple[tuple[int, ...], ...]  # player indices; a lone player is a party of one
    party_of: tuple[int, ...]
    size: tuple[int, ...]  # per party
    value: tuple[int, ...]  # per party: its players' units, summed
    apart: tuple[int, ...]  # per party: bitmask of the parties it must be apart from
    links: dict[tuple[int, int], tuple[int, int]]  # party pair -> an apart pair of ids
    total: int  # every player's units, summed

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def lcm(self) -> int:
        """Scale making every team mean an integer: a team of z has mean value * lcm / z."""
        return self.q * (self.q + 1) if self.r else self.q

    def points(self, scaled: float) -> float:
        """A spread of scaled means, in rating points."""
        return scaled * self.unit / (self.lcm * GRID)

    def scaled(self, points: float) -> float:
        return points * self.lcm * GRID / self.unit

    def sizes_text(self) -> str:
        k, q, r = self.k, self.q, self.r
        if r == 0:
            return f"{k} teams of {q}"
        return f"{_count(r, 'team')} of {q + 1} and {_count(k - r, 'team')} of {q}"

    @classmethod
    def build(
        cls,
        members: Sequence[Member],
        k: int,
        together: Sequence[Sequence[int]],
        apart: Sequence[tuple[int, int]],
    ) -> _Problem:
        ordered = sorted(members, key=lambda m: m.id)
        _check_members(ordered, k)
        index = {m.id: i for i, m in enumerate(ordered)}
        n = len(ordered)
        q, r = divmod(n, k)
        parties, party_of = _merge_parties(index, together)
        largest = q + 1 if r else q
        for party in parties:
            if len(party) > largest:
                raise Infeasible(
                    f"players {_names([ordered[i].id for i in party])} want to play together, "
                    f"but the largest team has {largest} players"
                )
        masks = [0] * len(parties)
        links: dict[tuple[int, int], tuple[int, int]] = {}
        for pair in apart:
            a, b = _apart_pair(pair, index)
            pa, pb = party_of[index[a]], party_of[index[b]]
            if pa == pb:
                party = _party([ordered[i].id for i in parties[pa]])
                raise Infeasible(
                    f"players {a} and {b} must be on different teams, "
                    f"but they are in the same party {party}"
                )
            masks[pa] |= 1 << pb
            masks[pb] |= 1 << pa
            links.setdefault((pa, pb), (a, b))
            links.setdefault((pb, pa), (b, a))
        halves = [math.floor(m.rating * GRID + 0.5) for m in ordered]
        low = min(halves)
        unit = math.gcd(*(h - low for h in halves)) or 1
        units = tuple((h - low) // unit for h in halves)
        return cls(
            ids=tuple(m.id for m in ordered),
            players=tuple(Rating(m.rating, m.rd, VOLATILITY) for m in ordered),
            k=k,
            q=q,
            r=r,
            unit=unit,
            units=units,
            parties=parties,
            party_of=party_of,
            size=tuple(len(p) for p in parties),
            value=tuple(sum(units[i] for i in p) for p in parties),
            apart=tuple(masks),
            links=links,
            total=sum(units),
        )


def _count(x: int, noun: str) -> str:
    return f"{x} {noun}" if x == 1 else f"{x} {noun}s"


def _check_members(ordered: Sequence[Member], k: int) -> None:
    n = len(ordered)
    if not 2 <= n <= MAX_PLAYERS:
        raise ValueError(f"a lobby has 2 to {MAX_PLAYERS} players, not {n}")
    if k > n:
        raise ValueError(f"{n} players cannot make {k} teams")
    for before, member in itertools.pairwise(ordered):
        if before.id == member.id:
            raise ValueError(f"player {member.id} is listed twice")
    for m in ordered:
        if not (math.isfinite(m.rating) and abs(m.rating) <= MAX_RATING):
            raise ValueError(f"player {m.id} has an invalid rating: {m.rating!r}")
        if not (math.isfinite(m.rd) and m.rd > 0):
            raise ValueError(f"player {m.id} has an invalid RD: {m.rd!r}")


def _merge_parties(
    index: dict[int, int], together: Sequence[Sequence[int]]
) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    """Union the ``together`` groups; every other player is a party of one."""
    parent = list(range(len(index)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in together:
        players = []
        for x in group:
            if x not in index:
                raise ValueError(f"together names player {x!r}, who is not in the lobby")
            players.append(index[x])
        for i in players[1:]:
            parent[root(i)] = root(players[0])
    groups: dict[int, list[int]] = {}
    for i in range(len(index)):
        groups.setdefault(root(i), []).append(i)
    parties = tuple(tuple(g) for g in sorted(groups.values()))  # by smallest player index
    party_of = [0] * len(index)
    for p, party in enumerate(parties):
        for i in party:
            party_of[i] = p
    return parties, tuple(party_of)


def _apart_pair(pair: tuple[int, int], index: dict[int, int]) -> tuple[int, int]:
    if len(pair) != 2:
        raise ValueError(f"an apart pair has two players, not {pair!r}")
    a, b = pair
    for x in (a, b):
        if x not in index:
            raise ValueError(f"apart names player {x!r}, who is not in the lobby")
    if a == b:
        raise ValueError(f"player {a} cannot be apart from themself")
    return a, b


def _party(ids: Sequence[int]) -> str:
    return "(" + ", ".join(str(x) for x in ids) + ")"


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


# Feasibility --------------------------------------------------------------------------------


def _feasible_start(problem: _Problem) -> list[int]:
    """A split honouring every constraint (the team of each party), or Infeasible."""
    constrained = _two_team_constrained if problem.k == 2 else _many_team_constrained
    team_of = constrained(problem)
    _fill_singles(problem, team_of)
    return team_of


def _components(problem: _Problem) -> list[tuple[list[int], list[int]]]:
    """Two teams: the parties linked by apart pairs, each as its two sides (or Infeasible)."""
    colour = [-1] * len(problem.parties)
    parent = [-1] * len(problem.parties)
    out = []
    for start in range(len(problem.parties)):
        if colour[start] >= 0:
            continue
        colour[start] = 0
        queue = [start]
        for u in queue:
            for w in _bits(problem.apart[u]):
                if colour[w] < 0:
                    colour[w], parent[w] = 1 - colour[u], u
                    queue.append(w)
                elif colour[w] == colour[u]:
                    raise Infeasible(_odd_cycle(problem, parent, u, w))
        out.append(([p for p in queue if colour[p] == 0], [p for p in queue if colour[p] == 1]))
    return out


def _odd_cycle(problem: _Problem, parent: list[int], u: int, w: int) -> str:
    up, wp = [u], [w]
    while parent[up[-1]] >= 0:
        up.append(parent[up[-1]])
    while parent[wp[-1]] >= 0:
        wp.append(parent[wp[-1]])
    while len(up) > 1 and len(wp) > 1 and up[-2] == wp[-2]:
        up.pop()
        wp.pop()
    cycle = up + wp[-2::-1]  # u ... common ancestor ... w, and w-u closes it
    # Written from its smallest party, towards the smaller neighbour.
    start = cycle.index(min(cycle))
    cycle = cycle[start:] + cycle[:start]
    if cycle[-1] < cycle[1]:
        cycle = cycle[:1] + cycle[:0:-1]
    pairs = [problem.links[(x, y)] for x, y in zip(cycle, cycle[1:] + cycle[:1], strict=True)]
    players = sorted({x for pair in pairs for x in pair})
    text = ", ".join(f"{a}-{b}" for a, b in pairs)
    return (
        f"players {_names(players)} cannot all be kept apart with 2 teams: "
        f"the apart pairs {text} form an odd cycle"
    )


def _two_team_constrained(problem: _Problem) -> list[int]:
    """Place every party with a partner or an apart pair so the free players can fill up."""
    size = problem.size
    comps = [c for c in _components(problem) if len(c[0]) + len(c[1]) > 1 or size[c[0][0]] > 1]
    free = problem.n - sum(size[p] for c in comps for side in c for p in side)
    a = problem.q  # the first team gets the smaller size
    levels = [1]  # bitmask of the player counts the first team can have
    for left, right in comps:
        reach = levels[-1]
        levels.append(reach << sum(size[p] for p in left) | reach << sum(size[p] for p in right))
    counts = [c for c in range(a, max(a - free, 0) - 1, -1) if levels[-1] >> c & 1]
    if not counts:
        parties = [problem.parties[p] for c in comps for side in c for p in side if size[p] > 1]
        raise Infeasible(_packing_message(problem, parties, bool(problem.links)))
    team_of = [-1] * len(size)
    c = counts[0]
    for i in range(len(comps) - 1, -1, -1):
        left, right = comps[i]
        take = sum(size[p] for p in left)
        fits = c >= take and levels[i] >> (c - take) & 1
        first, second = (left, right) if fits else (right, left)
        c -= sum(size[p] for p in first)
        for p in first:
            team_of[p] = 0
        for p in second:
            team_of[p] = 1
    return team_of


def _many_team_constrained(problem: _Problem) -> list[int]:
    """Three teams or more: place the constrained parties by a small exhaustive search."""
    constrained = [p for p in range(len(problem.size)) if problem.size[p] > 1 or problem.apart[p]]
    team_of = [-1] * len(problem.size)
    if _pack(problem, constrained, team_of, use_apart=True):
        return team_of
    # Say which constraint is impossible: the apart pairs alone, the parties alone, or both.
    for group in _apart_groups(problem, constrained):
        if not _pack(problem, group, [-1] * len(problem.size), use_apart=True, sizes=False):
            players = sorted(problem.ids[i] for p in group for i in problem.parties[p])
            raise Infeasible(
                f"players {_names(players)} cannot all be kept apart as asked "
                f"with {problem.k} teams"
            )
    parties = [problem.parties[p] for p in constrained if problem.size[p] > 1]
    if not _pack(
        problem,
        [p for p in constrained if problem.size[p] > 1],
        [-1] * len(problem.size),
        use_apart=False,
    ):
        raise Infeasible(_packing_message(problem, parties, False))
    raise Infeasible(_packing_message(problem, parties, True))


def _apart_groups(problem: _Problem, parties: list[int]) -> list[list[int]]:
    seen: set[int] = set()
    groups = []
    for start in parties:
        if start in seen or not problem.apart[start]:
            continue
        group = [start]
        seen.add(start)
        for u in group:
            for w in _bits(problem.apart[u]):
                if w not in seen:
                    seen.add(w)
                    group.append(w)
        groups.append(group)
    return groups


def _packing_message(problem: _Problem, parties: Sequence[Sequence[int]], apart: bool) -> str:
    listed = ", ".join(_party([problem.ids[i] for i in p]) for p in sorted(parties))
    if apart:
        pairs = sorted({tuple(sorted(pair)) for pair in problem.links.values()})
        text = ", ".join(f"{a}-{b}" for a, b in pairs)
        what = (
            f"the parties {listed} and the apart pairs {text}"
            if parties
            else (f"the apart pairs {text}")
        )
        return f"{what} cannot all be honoured in {problem.sizes_text()}"
    return f"the parties {listed} cannot be packed into {problem.sizes_text()}"


def _pack(
    problem: _Problem,
    parties: list[int],
    team_of: list[int],
    *,
    use_apart: bool,
    sizes: bool = True,
) -> bool:
    """Assign ``parties`` to teams within the sizes (and apart pairs); fills ``team_of``."""
    k, q, r = problem.k, problem.q, problem.r
    size, apart = problem.size, problem.apart
    order = sorted(parties, key=lambda p: (-size[p], -apart[p].bit_count(), p))
    # Parties of one size with no apart pairs are interchangeable: take them in team order.
    twin = [
        i > 0 and size[order[i - 1]] == size[p] and not apart[p] and not apart[order[i - 1]]
        for i, p in enumerate(order)
    ]
    load, mask = [0] * k, [0] * k
    big = [0]  # teams already holding q + 1 players
    nodes = [0]

    def place(i: int) -> bool:
        nodes[0] += 1
        if nodes[0] > CONSTRAINT_BUDGET:
            raise ValueError("the together and apart constraints are too intricate to check")
        if i == len(order):
            return True
        p = order[i]
        tried_empty = False
        for t in sorted(range(k), key=lambda t: (load[t], t)):
            if twin[i] and t < team_of[order[i - 1]]:
                continue
            if mask[t] == 0:
                if tried_empty:
                    continue  # empty teams are interchangeable
                tried_empty = True
            if use_apart and apart[p] & mask[t]:
                continue
            grows = load[t] <= q < load[t] + size[p]
            if sizes and (load[t] + size[p] > q + 1 or (grows and big[0] == r)):
                continue
            load[t] += size[p]
            mask[t] |= 1 << p
            big[0] += grows
            team_of[p] = t
            if place(i + 1):
                return True
            load[t] -= size[p]
            mask[t] ^= 1 << p
            big[0] -= grows
            team_of[p] = -1
        return False

    return place(0)


def _fill_singles(problem: _Problem, team_of: list[int]) -> None:
    """Greedy: the players furthest from the average first, each where it evens things most."""
    k, q, r = problem.k, problem.q, problem.r
    average = problem.total / problem.n
    load, excess = [0] * k, [0.0] * k
    for p, t in enumerate(team_of):
        if t >= 0:
            load[t] += problem.size[p]
            excess[t] += problem.value[p] - problem.size[p] * average
    free = sorted(
        (p for p, t in enumerate(team_of) if t < 0),
        key=lambda p: (-abs(problem.value[p] - average), p),
    )
    for p in free:
        d = problem.value[p] - average
        big = sum(1 for x in load if x > q)
        room = [t for t in range(k) if load[t] < q or (load[t] == q and big < r)]
        t = min(room, key=lambda t: (d * excess[t], load[t], t))
        team_of[p] = t
        load[t] += 1
        excess[t] += d


# Local search -------------------------------------------------------------------------------


class _Rng:
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


class _Teams:
    """A split being improved: each party's team and each team's running totals.

    A team's mean is kept as ``value * lcm // load``, an integer, so comparisons are exact.
    Moves swap a party with a party of its size or with as many lone players, which keeps
    every team's size.
    """

    def __init__(self, problem: _Problem, team_of: Sequence[int]) -> None:
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
        # Only a swap touching the highest or lowest team can narrow the spread; the other
        # pairs are tried only to lower the squares when those cannot.
        for pairs in (extreme, others):
            for t, u in pairs:
                found = self._best_between(t, u, means, order, best_key, budget)
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
        best_key: tuple[int, int],
        budget: list[int],
    ) -> tuple[tuple[int, tuple[int, ...]], tuple[int, int]] | None:
        problem = self.problem
        n, lcm, target = problem.n, problem.lcm, problem.total * problem.lcm
        rest = [means[x] for x in order if x != t and x != u]
        top = rest[-1] if rest else -math.inf
        bottom = rest[0] if rest else math.inf
        zt, zu = self.load[t], self.load[u]
        ft, fu = lcm // zt, lcm // zu
        vt, vu = self.value[t], self.value[u]
        base = sum((n * m - target) ** 2 for m in rest)
        ideal = (vt * zu - vu * zt) / (zt + zu)  # units moving from t to u to equalise them
        best = None
        for p, group, moved in self._moves_near(t, u, ideal):
            budget[0] -= 1
            mt, mu = (vt - moved) * ft, (vu + moved) * fu
            spread = max(mt, mu, top) - min(mt, mu, bottom)
            if spread > best_key[0]:
                continue
            key = (spread, base + (n * mt - target) ** 2 + (n * mu - target) ** 2)
            if key < best_key and self.can_swap(p, group):
                best_key, best = key, (p, group)
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

    def random_swap(self, rng: _Rng) -> tuple[int, tuple[int, ...]] | None:
        """A uniformly drawn pair of same-size parties on different teams, if it may swap."""
        size = self.problem.size
        p = rng.below(len(size))
        x = rng.below(len(size))
        if size[p] != size[x] or self.team_of[p] == self.team_of[x] or not self.can_swap(p, (x,)):
            return None
        return p, (x,)


def _true_gap(problem: _Problem, team_of: Sequence[int]) -> float:
    """The unrounded gap: highest minus lowest team mean of the real ratings."""
    teams: list[list[float]] = [[] for _ in range(problem.k)]
    for i, player in enumerate(problem.players):
        teams[team_of[problem.party_of[i]]].append(player.rating)
    means = [math.fsum(t) / len(t) for t in teams]
    return max(means) - min(means)


def _local_search(problem: _Problem, start: list[int], lower: float) -> tuple[list[int], float]:
    """Swap descent, then seeded restarts from the best split until proven or out of budget."""
    budget = [DESCENT_BUDGET[min(problem.k, 3)]]
    teams = _Teams(problem, start)
    teams.descend(budget)
    best, best_key = list(teams.team_of), teams.key()
    best_gap = _true_gap(problem, best)
    rng = _Rng(SEARCH_SEED)
    shake = max(2, len(problem.size) // 8)
    stale = 0  # restarts in a row that found nothing better
    while budget[0] > 0 and best_gap - lower > SLACK and stale < RESTARTS:
        stale += 1
        teams = _Teams(problem, best)
        for _ in range(4 * shake):
            move = teams.random_swap(rng)
            if move is not None:
                teams.swap(*move)
        teams.descend(budget)
        if teams.key() < best_key:
            best, best_key = list(teams.team_of), teams.key()
            best_gap = _true_gap(problem, best)
            stale = 0
    return best, best_gap


# Proof ----------------------------------------------------------------------------------------


@dataclass
class _Search:
    team_of: list[int]  # the best split found
    gap: float  # its true gap
    lower: float  # a proven lower bound on the true optimum, in points


def _optimise(problem: _Problem, start: list[int]) -> _Search:
    bound = max(_integrality_bound(problem), _separation_bound(problem))
    lower = max(0.0, problem.points(bound) - ROUNDING)
    team_of, gap = _local_search(problem, start, lower)
    if gap - lower <= SLACK:
        return _Search(team_of, gap, lower)
    if problem.k == 2:
        exact, optimum = _exact_two_teams(problem)
        exact_gap = _true_gap(problem, exact)
        if exact_gap < gap:
            team_of, gap = exact, exact_gap
        return _Search(team_of, gap, max(lower, problem.points(optimum) - ROUNDING))
    return _window_proof(problem, team_of, gap, lower)


def _integrality_bound(problem: _Problem) -> int:
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


def _separation_bound(problem: _Problem) -> int:
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


def _exact_two_teams(problem: _Problem) -> tuple[list[int], int]:
    """The split with the least scaled spread, by dynamic programming over (players, sum).

    Each item is a group of parties linked by apart pairs, with two orientations; the first
    team takes one side. ``reach[c]`` is a bitset of the sums c players can make, so one
    item is a couple of shifts per count. Levels are kept at checkpoints and recomputed in
    between when the answer is traced back, to bound the memory for a hundred players.
    """
    size, value = problem.size, problem.value
    comps = _components(problem)
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


@dataclass(frozen=True, slots=True)
class _Slot:
    """The team being filled by a window search: its size, its window, what comes after."""

    size: int
    factor: int  # lcm // size: its mean is its value times this
    big_left: int
    small_left: int
    lo: int
    hi: int
    remaining: list[int]
    remaining_value: int  # the remaining parties' units, summed
    remaining_size: int  # and their players, counted
    teams: list[list[int]]


class _Exhausted(Exception):
    """A window search ran out of its budget (or collected all it may)."""


class _WindowSearch:
    """Every split whose team means (scaled) all lie within ``width`` of one another.

    Teams are built one at a time, each around an *anchor*: the strongest or the weakest
    party left, whichever is harder to place. Every team the anchor can be in is tried, so
    each split is met exactly once. A team's sum is bounded to keep its mean within the
    window of the teams placed so far and of the overall average (which lies between the
    lowest and the highest mean); a subset search bounds each partial sum by the least and
    the most the remaining players could add; and a closed team must leave the weakest and
    the strongest remaining parties a way into the window. ``found`` receives each split
    (the parties of each team) and returns the width to keep searching with.
    """

    def __init__(
        self,
        problem: _Problem,
        width: int,
        budget: int,
        found: Callable[[list[list[int]]], int],
    ) -> None:
        self.problem = problem
        self.width = width
        self.budget = budget
        self.found = found
        self.order = sorted(
            range(len(problem.size)), key=lambda p: (-problem.value[p] / problem.size[p], p)
        )

    def run(self) -> bool:
        """Search; True when every split in the window has been seen."""
        problem = self.problem
        n, average = problem.n, problem.total * problem.lcm
        lo = -(-(average - self.width * n) // n)
        hi = (average + self.width * n) // n
        try:
            self._teams(self.order, problem.r, problem.k - problem.r, lo, hi, [])
        except _Exhausted:
            return False
        return True

    def _tick(self, work: int = 1) -> None:
        self.budget -= work
        if self.budget < 0:
            raise _Exhausted

    def _teams(
        self, remaining: list[int], big: int, small: int, lo: int, hi: int, teams: list[list[int]]
    ) -> None:
        problem = self.problem
        if big + small == 1:
            self._last(remaining, lo, hi, teams)
            return
        # Branch on the team of the party hardest to place: the strongest or the weakest,
        # whichever is further from the middle of the window.
        value, size, lcm = problem.value, problem.size, problem.lcm
        first, last = remaining[0], remaining[-1]
        if value[first] * lcm - (lo + hi) // 2 * size[first] >= (
            (lo + hi) // 2 * size[last] - value[last] * lcm
        ):
            anchor, candidates = first, remaining[1:]
        else:
            anchor, candidates = last, remaining[:-1]
        self._tick(len(candidates))  # building the bounds costs about that much
        bounds = _Bounds(problem, candidates)
        total = sum(value[p] for p in remaining)
        players = sum(size[p] for p in remaining)
        slots = [(problem.q + 1, big - 1, small)] if big else []
        if small:
            slots.append((problem.q, big, small - 1))
        for z, big_left, small_left in slots:
            need = z - problem.size[anchor]
            if need < 0:
                continue
            slot = _Slot(
                z, lcm // z, big_left, small_left, lo, hi, remaining, total, players, teams
            )
            low = -(-lo // slot.factor) - problem.value[anchor]
            high = hi // slot.factor - problem.value[anchor]
            forbid = problem.apart[anchor]
            self._grow(slot, candidates, bounds, 0, need, low, high, forbid, 0, [anchor])

    def _grow(
        self,
        slot: _Slot,
        candidates: list[int],
        bounds: _Bounds,
        j: int,
        need: int,
        low: int,
        high: int,
        forbid: int,
        skipped: int,
        chosen: list[int],
    ) -> None:
        """Add parties from candidates[j:]: ``need`` more players worth ``low..high`` units.

        ``forbid`` holds the parties apart from one chosen; ``skipped`` the parties passed
        over, which all go to the last team when only one is left after this one.
        """
        self._tick()
        if need == 0:
            if low <= 0 <= high:
                self._close(slot, chosen)
            return
        if need == 1:
            for index in bounds.singles_between(j, low, high):
                p = candidates[bounds.single_at[index]]
                self._tick()
                if not forbid >> p & 1:
                    chosen.append(p)
                    self._close(slot, chosen)
                    chosen.pop()
            return
        if need > bounds.available[j] or bounds.most(j, need) < low or bounds.least(j, need) > high:
            return
        p = candidates[j]
        z, v = self.problem.size[p], self.problem.value[p]
        if z <= need and not forbid >> p & 1:
            chosen.append(p)
            forbid_more = forbid | self.problem.apart[p]
            self._grow(
                slot,
                candidates,
                bounds,
                j + 1,
                need - z,
                low - v,
                high - v,
                forbid_more,
                skipped,
                chosen,
            )
            chosen.pop()
        if slot.big_left + slot.small_left == 1 and self.problem.apart[p] & skipped:
            return  # p and a party apart from it would share the last team
        self._grow(
            slot, candidates, bounds, j + 1, need, low, high, forbid, skipped | 1 << p, chosen
        )

    def _close(self, slot: _Slot, chosen: list[int]) -> None:
        """A team is complete: narrow the window to it and place the next team."""
        problem = self.problem
        self._tick(4)  # a closed team costs a few nodes' work before its first test
        mean = sum(problem.value[p] for p in chosen) * slot.factor
        lo, hi = max(slot.lo, mean - self.width), min(slot.hi, mean + self.width)
        rest_value = (slot.remaining_value - mean // slot.factor) * problem.lcm
        rest_size = slot.remaining_size - slot.size
        # The remaining teams' means average (weighted) to the remaining players' mean.
        if not lo * rest_size <= rest_value <= hi * rest_size:
            return
        self._tick(len(slot.remaining))
        team = set(chosen)
        rest = [p for p in slot.remaining if p not in team]
        if not self._placeable(rest, slot.big_left, slot.small_left, lo, hi):
            return
        self._teams(rest, slot.big_left, slot.small_left, lo, hi, [*slot.teams, list(chosen)])

    def _placeable(self, rest: list[int], big: int, small: int, lo: int, hi: int) -> bool:
        """Can the weakest party still reach ``lo`` with the strongest players left (and the
        strongest get down to ``hi`` with the weakest)? Many small teams fail here early."""
        problem = self.problem
        sizes = ([problem.q + 1] if big else []) + ([problem.q] if small else [])
        if all(problem.size[p] == 1 for p in rest):
            units = [problem.value[p] for p in reversed(rest)]  # already in order
        else:
            units = sorted(problem.units[i] for p in rest for i in problem.parties[p])
        weakest, strongest = rest[-1], rest[0]  # the order is by mean value, highest first
        reach_up = reach_down = False
        for z in sizes:
            factor = problem.lcm // z
            extra = z - problem.size[weakest]
            if (
                extra >= 0
                and (problem.value[weakest] + sum(units[-extra:] if extra else ())) * factor >= lo
            ):
                reach_up = True
            extra = z - problem.size[strongest]
            if extra >= 0 and (problem.value[strongest] + sum(units[:extra])) * factor <= hi:
                reach_down = True
        return reach_up and reach_down

    def _last(self, remaining: list[int], lo: int, hi: int, teams: list[list[int]]) -> None:
        problem = self.problem
        mask = sum(1 << p for p in remaining)
        if any(problem.apart[p] & mask for p in remaining):
            return
        z = sum(problem.size[p] for p in remaining)
        mean = sum(problem.value[p] for p in remaining) * (problem.lcm // z)
        if not lo <= mean <= hi:
            return
        split = [*teams, list(remaining)]
        means = [
            sum(problem.value[p] for p in t) * (problem.lcm // sum(problem.size[p] for p in t))
            for t in split
        ]
        if max(means) - min(means) <= self.width:
            self.width = self.found(split)


class _Bounds:
    """For each suffix of the candidates, the least and the most that c of its players add up
    to (parties counted player by player, a relaxation that keeps the bounds valid)."""

    def __init__(self, problem: _Problem, candidates: list[int]) -> None:
        m = len(candidates)
        self.lone = all(problem.size[p] == 1 for p in candidates)
        if self.lone:
            # Lone players in order of value, highest first: the most c of them from j can
            # add up to is the next c, the least the last c.
            self.available = list(range(m, -1, -1))
            self._sums = _prefix(problem.value[p] for p in candidates)
        else:
            self._suffix_bounds(problem, candidates, problem.q + 1)
        # The lone players among the candidates, whose values run downwards (the candidates
        # are ordered by mean value): a team's last place is a binary search among them.
        self.single_at = [j for j, p in enumerate(candidates) if problem.size[p] == 1]
        self.single_negated = [-problem.value[candidates[j]] for j in self.single_at]

    def singles_between(self, j: int, low: int, high: int) -> range:
        """Indices into ``single_at`` of the lone players from position j worth low..high."""
        first = max(bisect_left(self.single_at, j), bisect_left(self.single_negated, -high))
        return range(first, bisect_right(self.single_negated, -low))

    def _suffix_bounds(self, problem: _Problem, candidates: list[int], cap: int) -> None:
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
            self._most[j] = _prefix(reversed(values[-cap:]))
            self._least[j] = _prefix(values[:cap])

    def most(self, j: int, c: int) -> int:
        if self.lone:
            return self._sums[j + c] - self._sums[j]
        return self._most[j][c]

    def least(self, j: int, c: int) -> int:
        if self.lone:
            return self._sums[-1] - self._sums[-1 - c]
        return self._least[j][c]


def _prefix(values: Iterable[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _width_below(problem: _Problem, gap: float) -> int:
    """The largest scaled spread whose split could still be more than SLACK better than gap."""
    return math.ceil(problem.scaled(gap - (SLACK - ROUNDING)) + 1e-6) - 1


def _window_proof(problem: _Problem, team_of: list[int], gap: float, lower: float) -> _Search:
    """Three teams or more: look for a split more than a point better; none found proves it."""
    best = _Search(team_of, gap, lower)

    def found(split: list[list[int]]) -> int:
        candidate = _team_of(problem, split)
        candidate_gap = _true_gap(problem, candidate)
        if candidate_gap < best.gap:
            best.team_of, best.gap = candidate, candidate_gap
        return _width_below(problem, best.gap)

    width = _width_below(problem, gap)
    budget = PROOF_BUDGET if problem.n <= EXACT_PLAYERS else PROOF_BUDGET_LARGE
    if width < 0 or _WindowSearch(problem, width, budget, found).run():
        best.lower = max(best.lower, best.gap - SLACK)
    return best


def _team_of(problem: _Problem, split: list[list[int]]) -> list[int]:
    team_of = [0] * len(problem.size)
    for t, parties in enumerate(split):
        for p in parties:
            team_of[p] = t
    return team_of


# Pool ------------------------------------------------------------------------------------------


def _labels(problem: _Problem, team_of: Sequence[int]) -> tuple[int, ...]:
    """Canonical form as a tuple: each player's team, numbered in order of first appearance."""
    number: dict[int, int] = {}
    return tuple(
        number.setdefault(team_of[problem.party_of[i]], len(number)) for i in range(problem.n)
    )


def _split(problem: _Problem, labels: tuple[int, ...]) -> Split:
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


def _rank(split: Split, labels: tuple[int, ...]) -> tuple[int, float, tuple[int, ...]]:
    """Best first: the gap to the point, then the stacking, then the canonical form."""
    return math.floor(split.gap + 0.5), split.stacking, labels


def _fairness(split: Split) -> float:
    probabilities = split.win_probabilities
    if len(probabilities) == 2:
        return abs(probabilities[0] - 0.5)
    return max(probabilities) - min(probabilities)


def _pool_window(problem: _Problem, best_gap_ceiling: float, tolerance: float) -> float:
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


def _collect(
    problem: _Problem, best: list[int], width: float, wanted: int
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
                return sorted(listed | {_labels(problem, best)}), True, width
            width = min(2 * width + 10, widest)
    return _sample(problem, best, width), False, 0.0


def _enumerate(problem: _Problem, width: float) -> set[tuple[int, ...]] | None:
    """Every split within ``width`` points (grid-wide), or None when there are too many."""
    scaled = 10**18 if math.isinf(width) else math.floor(problem.scaled(width + ROUNDING) + 1e-6)
    listed: set[tuple[int, ...]] = set()

    def found(split: list[list[int]]) -> int:
        listed.add(_labels(problem, _team_of(problem, split)))
        if len(listed) > ENUM_CAP:
            raise _Exhausted
        return scaled

    return listed if _WindowSearch(problem, scaled, ENUM_BUDGET, found).run() else None


def _expected_count(problem: _Problem, width: float) -> float:
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


def _sample(problem: _Problem, best: list[int], width: float) -> list[tuple[int, ...]]:
    """A seeded random walk of swaps that keep the split within the window, thinned."""
    scaled = math.inf if math.isinf(width) else problem.scaled(width + ROUNDING)
    teams = _Teams(problem, best)
    rng = _Rng(SEARCH_SEED + 1)
    seen = {_labels(problem, best)}
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
            seen.add(_labels(problem, teams.team_of))
    return sorted(seen)


def _avoid_labels(
    problem: _Problem, avoid: Sequence[Sequence[Sequence[int]]]
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
