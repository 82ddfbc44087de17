"""The lobby as the search sees it, and the checks of the caller's input.

``Member`` is a player as the caller gives it; ``Problem.build`` checks the members,
merges the overlapping ``together`` groups into parties (union-find), turns the ``apart``
pairs into bitmasks between parties, and rescales the ratings into small integers (half
points, shifted and divided by their gcd). Malformed input raises ``ValueError``; a party
too large for a team or an apart pair inside a party raises ``Infeasible``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from ratings.glicko2 import Rating

from .limits import GRID, MAX_ALTERNATIVES, MAX_PLAYERS, MAX_RATING, MAX_TEAMS, VOLATILITY


@dataclass(frozen=True, slots=True)
class Member:
    """A player in the lobby: an opaque, unique, sortable id and their rating and RD."""

    id: int
    rating: float
    rd: float


class Infeasible(ValueError):
    """The constraints cannot be met; str(exc) says which constraint, in words a bot can post."""


def check_options(teams: int, seed: int, tolerance: float, alternatives: int) -> None:
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


def names_text(ids: Sequence[int]) -> str:
    """``1``, ``1 and 2``, ``1, 2 and 3``: ids as a bot would write them."""
    words = [str(x) for x in ids]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class Problem:
    """The lobby as the search sees it: players by index (ids sorted), parties, units."""

    ids: tuple[int, ...]
    players: tuple[Rating, ...]  # per player, volatility 0.06
    k: int  # teams
    q: int  # the small team size; r teams have q + 1 players
    r: int
    unit: int  # 1/grid points per search unit (the gcd of the rating differences)
    units: tuple[int, ...]  # per player: (1/grid points - lowest) / unit
    parties: tuple[tuple[int, ...], ...]  # player indices; a lone player is a party of one
    party_of: tuple[int, ...]
    size: tuple[int, ...]  # per party
    value: tuple[int, ...]  # per party: its players' units, summed
    apart: tuple[int, ...]  # per party: bitmask of the parties it must be apart from
    links: dict[tuple[int, int], tuple[int, int]]  # party pair -> an apart pair of ids
    total: int  # every player's units, summed
    grid: int = GRID  # ratings counted in 1/grid points, before the unit (see ``finer``)

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property  # read in the searches' inner loops
    def lcm(self) -> int:
        """Scale making every team mean an integer: a team of z has mean value * lcm / z."""
        return self.q * (self.q + 1) if self.r else self.q

    def points(self, scaled: float) -> float:
        """A spread of scaled means, in rating points."""
        return scaled * self.unit / (self.lcm * self.grid)

    def scaled(self, points: float) -> float:
        return points * self.lcm * self.grid / self.unit

    def finer(self, grid: int) -> Problem:
        """The same lobby counted in 1/grid points: a spread computed on it is within
        1/grid of a point of the true one, not 1/GRID. (The searches keep GRID, whose
        smaller numbers they need; the lower bounds need no search.)"""
        unit, units = _units([p.rating for p in self.players], grid)
        return replace(
            self,
            grid=grid,
            unit=unit,
            units=units,
            value=tuple(sum(units[i] for i in p) for p in self.parties),
            total=sum(units),
        )

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
    ) -> Problem:
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
                    f"players {names_text([ordered[i].id for i in party])} want to play together, "
                    f"but the largest team has {largest} players"
                )
        masks = [0] * len(parties)
        links: dict[tuple[int, int], tuple[int, int]] = {}
        for pair in apart:
            a, b = _apart_pair(pair, index)
            pa, pb = party_of[index[a]], party_of[index[b]]
            if pa == pb:
                party = party_text([ordered[i].id for i in parties[pa]])
                raise Infeasible(
                    f"players {a} and {b} must be on different teams, "
                    f"but they are in the same party {party}"
                )
            masks[pa] |= 1 << pb
            masks[pb] |= 1 << pa
            links.setdefault((pa, pb), (a, b))
            links.setdefault((pb, pa), (b, a))
        unit, units = _units([m.rating for m in ordered], GRID)
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


def _units(ratings: list[float], grid: int) -> tuple[int, tuple[int, ...]]:
    """The unit (in 1/grid points) and each rating in units above the lowest: rounded to
    1/grid, shifted and divided by their gcd, to keep the numbers small."""
    fine = [math.floor(rating * grid + 0.5) for rating in ratings]
    low = min(fine)
    unit = math.gcd(*(x - low for x in fine)) or 1
    return unit, tuple((x - low) // unit for x in fine)


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


def party_text(ids: Sequence[int]) -> str:
    return "(" + ", ".join(str(x) for x in ids) + ")"
