"""A first split that honours every party and apart pair, or ``Infeasible`` saying why.

Two teams: the parties linked by apart pairs must be 2-colourable, and a bitset over player
counts decides whether the sizes fit. Three teams or more: a small exhaustive search (with
the symmetries of identical parties and of empty teams broken) places the constrained
parties. Either way the lone players then fill up greedily.
"""

from __future__ import annotations

from collections.abc import Sequence

from .limits import CONSTRAINT_BUDGET
from .problem import Infeasible, Problem, names_text, party_text


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def feasible_start(problem: Problem) -> list[int]:
    """A split honouring every constraint (the team of each party), or Infeasible."""
    constrained = _two_team_constrained if problem.k == 2 else _many_team_constrained
    team_of = constrained(problem)
    _fill_singles(problem, team_of)
    return team_of


def components(problem: Problem) -> list[tuple[list[int], list[int]]]:
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


def _odd_cycle(problem: Problem, parent: list[int], u: int, w: int) -> str:
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
        f"players {names_text(players)} cannot all be kept apart with 2 teams: "
        f"the apart pairs {text} form an odd cycle"
    )


def _two_team_constrained(problem: Problem) -> list[int]:
    """Place every party with a partner or an apart pair so the free players can fill up."""
    size = problem.size
    comps = [c for c in components(problem) if len(c[0]) + len(c[1]) > 1 or size[c[0][0]] > 1]
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


def _many_team_constrained(problem: Problem) -> list[int]:
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
                f"players {names_text(players)} cannot all be kept apart as asked "
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


def _apart_groups(problem: Problem, parties: list[int]) -> list[list[int]]:
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


def _packing_message(problem: Problem, parties: Sequence[Sequence[int]], apart: bool) -> str:
    listed = ", ".join(party_text([problem.ids[i] for i in p]) for p in sorted(parties))
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
    problem: Problem,
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


def _fill_singles(problem: Problem, team_of: list[int]) -> None:
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
