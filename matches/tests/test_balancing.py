"""The balancing algorithm: numbers checked by hand, every refusal, brute force, properties.

Pure tests: no database, no Django. The brute force below enumerates every split of small
lobbies and re-derives the definitions of docs/balancing.md (best, stacking, pool, seed)
from ``ratings.glicko2`` directly, so the search is checked against the spec, not itself.
"""

import collections
import itertools
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matches.balancing import Infeasible, Member, balance
from ratings.glicko2 import Rating, composite, team_win_probabilities, win_probability

ROOT = Path(__file__).resolve().parents[2]


def lobby(ratings, rd=100.0):
    """Members with ids 1, 2, ... in the order of ``ratings``."""
    return [Member(i, float(r), rd) for i, r in enumerate(ratings, start=1)]


def random_lobby(rng, n):
    return [Member(3 * i + 7, rng.gauss(1500, 250), rng.uniform(50, 350)) for i in range(n)]


def gap_of(members, teams):
    rating = {m.id: m.rating for m in members}
    means = [math.fsum(rating[x] for x in team) / len(team) for team in teams]
    return max(means) - min(means)


def assert_valid(split, members, k, together=(), apart=()):
    """Every player placed once, sizes within one, constraints kept, canonical form."""
    teams = split.teams
    assert len(teams) == k
    assert sorted(x for team in teams for x in team) == sorted(m.id for m in members)
    assert max(map(len, teams)) - min(map(len, teams)) <= 1
    assert all(list(team) == sorted(team) for team in teams)
    assert [team[0] for team in teams] == sorted(team[0] for team in teams)
    team_of = {x: t for t, team in enumerate(teams) for x in team}
    for group in together:
        assert len({team_of[x] for x in group}) == 1
    for a, b in apart:
        assert team_of[a] != team_of[b]
    assert split.gap == pytest.approx(gap_of(members, teams), abs=1e-9)


# Brute force -----------------------------------------------------------------------------------


def all_splits(members, k, together=(), apart=()):
    """Every split honouring the constraints, each once, as canonical teams of ids."""
    ids = sorted(m.id for m in members)
    q, r = divmod(len(ids), k)
    groups = [set(g) for g in together]
    pairs = [set(p) for p in apart]

    def allowed(team):
        team = set(team)
        return all(g <= team or not g & team for g in groups) and not any(p <= team for p in pairs)

    def place(rest, big, small):
        if not rest:
            yield []
            return
        first, others = rest[0], rest[1:]
        for z, left in ((q + 1, (big - 1, small)), (q, (big, small - 1))):
            if min(left) < 0 or z == 0:
                continue
            for partners in itertools.combinations(others, z - 1):
                team = (first, *partners)
                if allowed(team):
                    remaining = [x for x in others if x not in partners]
                    for tail in place(remaining, *left):
                        yield [team, *tail]

    yield from place(ids, r, k - r)


def brute_optimum(members, k, together=(), apart=()):
    gaps = [gap_of(members, split) for split in all_splits(members, k, together, apart)]
    return min(gaps) if gaps else None


def reference_choice(members, k, seed, tolerance):
    """The spec, spelled out: rank every split, take the pool, pick pool[seed % len]."""
    by_id = {m.id: Rating(m.rating, m.rd, 0.06) for m in members}
    order = sorted(by_id)
    ranked = []
    for split in all_splits(members, k):
        ratings = [[by_id[x] for x in team] for team in split]
        comps = [composite(team) for team in ratings]
        means = [c.rating for c in comps]
        rds = [c.rd for c in comps]
        best = [max(p.rating for p in team) for team in ratings]
        stacking = max(rds) - min(rds) + max(best) - min(best)
        gap = max(means) - min(means)
        probabilities = team_win_probabilities(ratings)
        fairness = (
            abs(probabilities[0] - 0.5) if k == 2 else max(probabilities) - min(probabilities)
        )
        labels = tuple(next(t for t, team in enumerate(split) if x in team) for x in order)
        ranked.append(((math.floor(gap + 0.5), stacking, labels), tuple(split), fairness))
    ranked.sort()
    limit = ranked[0][2] + tolerance / 100 + 1e-12
    pool = [split for _, split, fairness in ranked if fairness <= limit]
    return pool[seed % len(pool)], len(pool)


def constraints_for(rng, members, k):
    ids = [m.id for m in members]
    together = [rng.sample(ids, rng.randint(2, min(3, len(ids)))) for _ in range(rng.randint(0, 2))]
    apart = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 3))]
    return together, apart


# (teams, players, sample): fewer samples where the brute force is slow.
CROSS_CHECKS = (
    [(2, n, s) for n in range(2, 15) for s in range(12 if n < 14 else 6)]
    + [(3, n, s) for n in range(3, 13) for s in range(10)]
    + [(3, 13, s) for s in range(3)]
    + [(3, 14, s) for s in range(2)]
    + [(4, n, s) for n in range(4, 13) for s in range(8)]
    + [(4, 13, s) for s in range(2)]
    + [(4, 14, 0)]
    + [(k, n, s) for k in (5, 6) for n in range(k, 13) for s in range(3)]
)


@pytest.mark.parametrize(("k", "n", "sample"), CROSS_CHECKS)
def test_matches_brute_force(k, n, sample):
    rng = random.Random(f"{k}/{n}/{sample}")
    members = random_lobby(rng, n)
    together, apart = constraints_for(rng, members, k) if sample % 2 else ((), ())
    optimum = brute_optimum(members, k, together, apart)
    if optimum is None:
        with pytest.raises(Infeasible):
            balance(members, teams=k, together=together, apart=apart, seed=sample)
        return
    result = balance(members, teams=k, together=together, apart=apart, seed=sample)
    assert_valid(result.split, members, k, together, apart)
    assert result.best_gap >= optimum - 1e-9  # nothing beats the brute force ...
    assert result.best_gap <= optimum + 1.0  # ... and the search is within a point of it
    assert result.optimal  # up to 14 players every lobby is proven
    assert result.certified_gap == 0.0


@pytest.mark.parametrize(("k", "n"), [(2, 6), (2, 9), (2, 10), (3, 7), (3, 9), (4, 8)])
@pytest.mark.parametrize("tolerance", [0.0, 1.0, 5.0])
def test_pool_and_choice_follow_the_definitions(k, n, tolerance):
    rng = random.Random(f"pool/{k}/{n}/{tolerance}")
    members = random_lobby(rng, n)
    for seed in (0, 1, 7):
        expected, size = reference_choice(members, k, seed, tolerance)
        result = balance(members, teams=k, seed=seed, tolerance=tolerance)
        assert result.pool_exact
        assert result.pool_size == size
        assert result.split.teams == expected


def test_infeasible_exactly_when_brute_force_finds_nothing():
    rng = random.Random("infeasible")
    refused = 0
    for _ in range(40):
        n = rng.randint(4, 9)
        k = rng.randint(2, 3)
        members = random_lobby(rng, n)
        ids = [m.id for m in members]
        together = [rng.sample(ids, 3) for _ in range(2)]
        apart = [tuple(rng.sample(ids, 2)) for _ in range(3)]
        if brute_optimum(members, k, together, apart) is None:
            refused += 1
            with pytest.raises(Infeasible):
                balance(members, teams=k, together=together, apart=apart, seed=0)
        else:
            balance(members, teams=k, together=together, apart=apart, seed=0)
    assert refused >= 5  # the sample does exercise the refusals


# Numbers checked by hand ------------------------------------------------------------------------


def test_four_players_best_pairing():
    # Pairs: 1000+1200 | 1300+1600 -> 350 apart, 1000+1300 | 1200+1600 -> 250,
    # 1000+1600 | 1200+1300 -> means 1300 and 1250, 50 apart: the best.
    result = balance(lobby([1000, 1200, 1300, 1600]), seed=0, alternatives=2)
    assert result.split.teams == ((1, 4), (2, 3))
    assert result.split.mean_ratings == (1300.0, 1250.0)
    assert result.best_gap == 50.0
    assert result.optimal
    assert result.pool_size == 1 and result.pool_exact
    expected = win_probability(Rating(1300, 100), Rating(1250, 100))
    assert result.split.win_probabilities[0] == pytest.approx(expected)
    assert 0.56 < result.split.win_probabilities[0] < 0.57  # 50 points: about 56.5 %
    assert [a.teams for a in result.alternatives] == [((1, 3), (2, 4)), ((1, 2), (3, 4))]
    assert [a.gap for a in result.alternatives] == [250.0, 350.0]


def test_three_teams_of_two_with_a_perfect_answer():
    # 1000..1500 in steps of 100: the pairs 1000+1500, 1100+1400, 1200+1300 all average 1250.
    result = balance(lobby([1000, 1100, 1200, 1300, 1400, 1500]), teams=3, seed=5)
    assert result.split.teams == ((1, 6), (2, 5), (3, 4))
    assert result.best_gap == 0.0 and result.optimal and result.certified_gap == 0.0
    assert result.split.win_probabilities == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert result.pool_size == 1  # every other split is at least 50 points off


def test_odd_lobby_ties_broken_by_canonical_form():
    # 3 v 2 around a mean of 1200: {1000, 1400} and {1100, 1300} both average 1200, and so
    # do their complements. The stacking is 100 for both, so the canonical form decides:
    # player 2 is on team 2 in both, player 3 joins player 1 in the first (0,1,0,1,0 < 0,1,1,1,0).
    result = balance(lobby([1000, 1100, 1200, 1300, 1400]), seed=0, alternatives=1)
    assert result.split.teams == ((1, 3, 5), (2, 4))
    assert result.alternatives[0].teams == ((1, 5), (2, 3, 4))
    assert result.pool_size == 2
    assert balance(lobby([1000, 1100, 1200, 1300, 1400]), seed=1).split.teams == (
        (1, 5),
        (2, 3, 4),
    )


def test_equal_splits_prefer_separating_the_strongest():
    # Players 1 (2000) and 2 (1900) together with 3 and 4 (1000, 1100) balance exactly (6000
    # each side), but so does 1, 3, 5, 6 against 2, 4, 7, 8. The stacking (spread of the
    # teams' best ratings) is 400 for the first and 100 for the second.
    members = lobby([2000, 1900, 1000, 1100, 1500, 1500, 1600, 1400])
    result = balance(members, seed=0, tolerance=0, alternatives=10)
    assert result.split.gap == 0.0
    assert result.split.stacking == 100.0
    assert not {1, 2} <= set(result.split.teams[0])
    stacked = [a for a in result.alternatives if a.teams == ((1, 2, 3, 4), (5, 6, 7, 8))]
    assert stacked and stacked[0].stacking == 400.0
    exact = [a for a in result.alternatives if a.gap == 0.0]
    assert exact[-1] == stacked[0]  # ranked after every less stacked exact split


def test_equal_splits_prefer_spreading_newcomers():
    members = [Member(1, 1500, 350), Member(2, 1500, 350), Member(3, 1500, 50), Member(4, 1500, 50)]
    result = balance(members, seed=0, alternatives=2)
    assert result.split.teams == ((1, 3), (2, 4))
    assert result.split.rds == (250.0, 250.0)  # sqrt((350^2 + 50^2) / 2)
    assert result.split.stacking == 0.0
    assert result.alternatives[-1].teams == ((1, 2), (3, 4))
    assert result.alternatives[-1].stacking == 300.0
    assert result.pool_size == 3  # all three splits have P = 1/2


def test_tolerance_sets_the_pool_in_win_probability_points():
    members = lobby([1000, 1200, 1300, 1600])
    # |P - 1/2| of the splits 50, 250 and 350 points apart (all RDs 100).
    distance = [win_probability(Rating(d, 100), Rating(0, 100)) - 0.5 for d in (50.0, 250.0, 350.0)]
    between = (distance[1] - distance[0]) * 100 + 0.01  # admits the 250 split, not the 350
    assert balance(members, seed=0, tolerance=0).pool_size == 1
    assert balance(members, seed=0, tolerance=between).pool_size == 2
    assert balance(members, seed=0, tolerance=100).pool_size == 3
    picked = {balance(members, seed=s, tolerance=between).split.teams for s in range(4)}
    assert picked == {((1, 4), (2, 3)), ((1, 3), (2, 4))}


def test_parties_and_apart_pairs_with_numbers():
    # Without constraints 1000+1600 | 1200+1300 is best; keeping 1 and 4 apart forces 250.
    members = lobby([1000, 1200, 1300, 1600])
    result = balance(members, apart=[(1, 4)], seed=0)
    assert result.split.teams == ((1, 3), (2, 4)) and result.best_gap == 250.0
    result = balance(members, together=[[1, 2]], seed=0)
    assert result.split.teams == ((1, 2), (3, 4)) and result.best_gap == 350.0


def test_overlapping_parties_merge():
    members = lobby([1000, 1100, 1200, 1300, 1400, 1500])
    result = balance(members, together=[[1, 2], [2, 3]], seed=0)
    assert (1, 2, 3) in result.split.teams


def test_multiples_of_one_hundred_are_proven_by_the_integrality_bound():
    rng = random.Random("hundreds")
    members = [Member(i, 100.0 * rng.randint(10, 20), 100.0) for i in range(1, 101)]
    total = sum(m.rating for m in members)
    result = balance(members, seed=0)
    assert result.optimal
    # Two teams of 50: their sums are multiples of 100 adding up to the total, so when the
    # total is an odd number of hundreds they differ by at least 100: a gap of 100/50 = 2.
    assert result.best_gap == (0.0 if total % 200 == 0 else 2.0)


def test_ratings_near_multiples_of_one_hundred_keep_the_half_point_bound():
    """Within 0.2 of multiples of 100, half points round every rating onto the hundreds and
    the integrality bound is strong; counted in 1/64 points the offsets survive and it is
    0. The bounds take the larger of the two grids, so this lobby stays proven (found in
    review: with the finer grid alone it was certified only within 33 points)."""
    from matches.balancing import proof
    from matches.balancing.limits import FINE_GRID
    from matches.balancing.problem import Problem

    rng = random.Random(1)
    members = [
        Member(i + 1, 100.0 * rng.randint(10, 20) + rng.uniform(-0.2, 0.2), 100.0)
        for i in range(50)
    ]
    problem = Problem.build(members, 16, (), ())
    assert problem.points(proof._integrality_bound(problem)) - 0.5 > 30
    fine = problem.finer(FINE_GRID)
    assert fine.points(proof._integrality_bound(fine)) < 1
    result = balance(members, teams=16, seed=0)
    assert result.optimal and result.certified_gap == 0.0


def test_one_hundred_players_two_teams_is_proven_and_sampled():
    rng = random.Random("hundred")
    members = random_lobby(rng, 100)
    result = balance(members, seed=3, alternatives=10)
    assert_valid(result.split, members, 2)
    assert result.optimal and result.certified_gap == 0.0
    assert result.best_gap <= 1.0
    assert not result.pool_exact and result.pool_size > 10
    # The sample is varied: the alternatives do not all agree on the lower half of the ids.
    lower = sorted(m.id for m in members)[:50]
    sides = {tuple(x in a.teams[0] for x in lower) for a in (result.split, *result.alternatives)}
    assert len(sides) == 11


def test_larger_lobbies_with_many_teams_report_a_certificate():
    rng = random.Random("many")
    members = random_lobby(rng, 50)
    result = balance(members, teams=16, seed=0)
    assert_valid(result.split, members, 16)
    assert result.certified_gap >= 0.0
    assert result.optimal == (result.certified_gap == 0.0)
    assert result.best_gap - result.certified_gap <= result.best_gap  # a bound, not a guess


# The proof for three teams or more, up to 24 players ---------------------------------------------


def bench_lobby(row, n, k, index):
    """The ``index``-th lobby of a row of bench/balance.py's random table."""
    rng = random.Random(f"{row}/{n}/{k}")
    for _ in range(index + 1):
        members = [Member(i, rng.gauss(1500, 250), rng.uniform(50, 350)) for i in range(1, n + 1)]
    return members


def newcomers_lobby(n, k, index):
    """The ``index``-th lobby of bench/balance.py's row of newcomers at 1500: a third to a
    half of the lobby new."""
    rng = random.Random(f"newcomers at 1500/{n}/{k}")
    for _ in range(index + 1):
        new = rng.randint(n // 3, n // 2)
        members = [
            Member(i, 1500.0, 350.0)
            if i <= new
            else Member(i, rng.gauss(1500, 250), rng.uniform(50, 200))
            for i in range(1, n + 1)
        ]
    return members


def test_the_benchmark_lobby_that_ran_out_of_budget_is_proven():
    # 24 players in 8 teams: the one lobby of its benchmark row the first version of the
    # proof could not finish. Its optimum is 16.2 points: the teams are forced apart.
    members = bench_lobby("random", 24, 8, 28)
    result = balance(members, teams=8, seed=28)
    assert result.optimal and result.certified_gap == 0.0
    assert 16.0 < result.best_gap < 16.4


@pytest.mark.parametrize("n", [16, 20, 24])
@pytest.mark.parametrize("k", [3, 4, 5, 6, 7, 8])
def test_lobbies_of_up_to_24_players_are_proven(n, k):
    for index in range(2):
        members = bench_lobby("proven", n, k, index)
        result = balance(members, teams=k, seed=index)
        assert result.optimal, (n, k, index)


def sorted_pairing_gap(members):
    ratings = sorted(m.rating for m in members)
    means = [(ratings[i] + ratings[-1 - i]) / 2 for i in range(len(ratings) // 2)]
    return max(means) - min(means)


@pytest.mark.parametrize("n", [6, 8, 10, 12])
def test_teams_of_two_pair_the_strongest_with_the_weakest(n):
    # With every team a pair, pairing the sorted players from both ends is optimal.
    rng = random.Random(f"pairs/{n}")
    for _ in range(3):
        members = random_lobby(rng, n)
        assert sorted_pairing_gap(members) == pytest.approx(brute_optimum(members, n // 2))
        result = balance(members, teams=n // 2, seed=0)
        assert result.optimal
        assert result.best_gap == pytest.approx(sorted_pairing_gap(members))


def test_sixteen_teams_of_two_are_proven():
    rng = random.Random("sixteen pairs")
    for seed in range(3):
        members = random_lobby(rng, 32)
        result = balance(members, teams=16, seed=seed)
        assert result.optimal and result.certified_gap == 0.0
        assert result.best_gap == pytest.approx(sorted_pairing_gap(members))


@pytest.mark.parametrize(("n", "k"), [(6, 2), (7, 3), (9, 3), (8, 4), (10, 4), (11, 3)])
def test_a_party_filling_a_team_bounds_the_optimum(n, k):
    """The whole-team bound never exceeds the brute-force optimum (in its half-point units)."""
    from matches.balancing.problem import Problem
    from matches.balancing.proof import _whole_team_bound

    rng = random.Random(f"whole/{n}/{k}")
    biting = 0
    for _ in range(6):
        members = random_lobby(rng, n)
        ids = [m.id for m in members]
        whole = -(-n // k)  # the largest team
        together = [ids[:whole]] if n % k else [ids[:whole], ids[whole : 2 * whole]]
        problem = Problem.build(members, k, together, ())
        bound = problem.points(_whole_team_bound(problem)) - 0.5
        optimum = brute_optimum(members, k, together)
        assert bound <= optimum + 1e-9
        biting += bound > optimum - 20
    assert biting  # and it is close to the optimum at times, not only a valid zero


def bound_lobby(n, teams, kind, party, seed):
    """A lobby for the lower bounds' property tests: members, team count and parties (none,
    one of two or three players, which may fill a team, or two of two), or None when the
    party cannot be placed."""
    k = min(teams, n // 2)
    rng = random.Random(seed)
    rating = {
        "normal": lambda i: rng.gauss(1500, 250),
        "clusters": lambda i: rng.gauss(1100 if i % 2 else 1900, 40),
        "hundreds": lambda i: 100.0 * rng.randint(10, 20),
        "outlier": lambda i: 2900.0 if i == 1 else rng.gauss(1500, 250),
        # rounding to 1/64 moves these the most: by nearly 1/128 each
        "near half points": lambda i: rng.randint(2000, 4000) / 2 + rng.choice([-1, 1]) / 129,
        # and rounding to half points, by nearly a quarter of a point each
        "near quarter points": lambda i: rng.randint(2000, 4000) / 2 + rng.choice([1, 3]) / 4.1,
        # within a few points, each a quarter point off a half point: a split's rounded
        # spread can be off its true one by nearly the full half point
        "close quarter points": lambda i: rng.randint(1000, 1040) + rng.choice([0.24, 0.26]),
        # newcomers: at 1500 exactly, or a fraction off it (twins once rounded)
        "twins": lambda i: 1500.0 + (0 if i % 3 else rng.choice([0, 0.2, -0.2, 190, -260])),
    }[kind]
    members = [Member(i, rating(i), 100.0) for i in range(1, n + 1)]
    together = [[], [[1, 2]], [[1, 2, 3]], [[1, 2], [3, 4]]][party]
    if max(map(len, together), default=1) > -(-n // k):
        return None
    return members, k, together


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(4, 10),
    teams=st.integers(2, 4),
    kind=st.sampled_from(["normal", "clusters", "hundreds", "outlier"]),
    party=st.integers(0, 3),
    seed=st.integers(0, 10**6),
)
def test_the_threshold_bound_never_exceeds_the_optimum(n, teams, kind, party, seed):
    """The count of strong players per team bounds the spread from below: never above the
    narrowest spread of every split, in the search's own units, with parties that fill a
    team as teams of their own; and teams with the same count, taken together, bound it
    at least as well as each team alone."""
    from matches.balancing.problem import Problem
    from matches.balancing.threshold import threshold_bound

    lobby = bound_lobby(n, teams, kind, party, seed)
    if lobby is None:
        return  # the party cannot be placed
    members, k, together = lobby
    problem = Problem.build(members, k, together, ())
    narrowest = brute_spread(problem, members, k, together)
    bound = threshold_bound(problem)
    assert threshold_bound(problem, groups=False) <= bound <= narrowest
    # Asked only whether it reaches a spread, it may stop early, with a smaller bound.
    for enough in (0, bound // 2, bound, bound + 1):
        assert threshold_bound(problem, enough) <= bound


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(4, 10),
    teams=st.integers(3, 4),
    kind=st.sampled_from(["normal", "clusters", "hundreds", "near half points"]),
    party=st.integers(0, 3),
    seed=st.integers(0, 10**6),
)
def test_the_bounds_in_finer_units_never_exceed_the_true_optimum(n, teams, kind, party, seed):
    """Counted in 1/64 points, every lower bound less 1/64 of a point is still no more than
    the narrowest spread of the true ratings over every split."""
    from matches.balancing import proof
    from matches.balancing.limits import FINE_GRID, FINE_ROUNDING
    from matches.balancing.problem import Problem
    from matches.balancing.threshold import threshold_bound

    lobby = bound_lobby(n, teams, kind, party, seed)
    if lobby is None:
        return  # the party cannot be placed
    members, k, together = lobby
    optimum = brute_optimum(members, k, together)
    fine = Problem.build(members, k, together, ()).finer(FINE_GRID)
    by_id = sorted(members, key=lambda m: m.id)
    low = min(math.floor(m.rating * FINE_GRID + 0.5) for m in members)
    for member, units in zip(by_id, fine.units, strict=True):  # each within 1/128 of a point
        assert abs((low + units * fine.unit) / FINE_GRID - member.rating) <= 1 / 128 + 1e-9
    for bound in (
        proof._integrality_bound(fine),
        proof._separation_bound(fine),
        proof._whole_team_bound(fine),
        threshold_bound(fine),
    ):
        assert fine.points(bound) - FINE_ROUNDING <= optimum + 1e-9


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(5, 11),
    teams=st.integers(3, 5),
    kind=st.sampled_from(
        ["normal", "clusters", "outlier", "near quarter points", "close quarter points", "twins"]
    ),
    party=st.integers(0, 3),
    budget=st.sampled_from([40, 400, 4_000, 10**7]),
    seed=st.integers(0, 10**6),
)
# The optimum's spread rounds up by more than a quarter of a point: half the rounding
# term in the bound would put it above the optimum.
@example(n=9, teams=3, kind="normal", party=0, budget=400, seed=9)
def test_narrowing_down_keeps_a_true_lower_bound(n, teams, kind, party, budget, seed):
    """After a proof that ran out, narrower searches raise the lower bound or find better
    splits. Started from the first split the constraints allow, whatever the budget: the
    bound never exceeds the narrowest spread of the true ratings over every split, the
    split returned is no worse and its gap is its own; with budget enough, it is proven
    (the general search and the walk of teams of two and three alike)."""
    from matches.balancing.feasibility import feasible_start
    from matches.balancing.heuristic import true_gap
    from matches.balancing.limits import SLACK
    from matches.balancing.pool import labels_of, split_of
    from matches.balancing.problem import Problem
    from matches.balancing.window_proof import _width_below, narrow_down

    lobby = bound_lobby(n, teams, kind, party, seed)
    if lobby is None:
        return  # the party cannot be placed
    members, k, together = lobby
    problem = Problem.build(members, k, together, ())
    start = feasible_start(problem)
    gap = true_gap(problem, start)
    team_of, found_gap, lower = narrow_down(problem, start, gap, 0.0, budget)
    optimum = brute_optimum(members, k, together)
    split = split_of(problem, labels_of(problem, team_of))
    assert_valid(split, members, k, together)
    assert found_gap == pytest.approx(split.gap, abs=1e-9)
    assert found_gap <= gap
    assert optimum - 1e-9 <= found_gap
    assert lower <= optimum + 1e-9
    if budget == 10**7:
        assert found_gap - lower <= SLACK + 1e-9
    # A first search just below the narrowest spread in the search's units finds nothing,
    # and the bound it gives is the tightest there is: still no more than the optimum.
    below = brute_spread(problem, members, k, together) - 1
    if 0 <= below < _width_below(problem, gap):
        first = 2 * problem.points(below + 0.5) - gap  # a lower bound halfway to it
        assert narrow_down(problem, start, gap, first, budget)[2] <= optimum + 1e-9


def test_the_threshold_bound_deals_out_every_way_it_must():
    """Dealing out lazily (from the least average-based need on) gives the least need of
    every way dealt out; asked whether it reaches a spread, it stops early with a bound
    no greater."""
    from fractions import Fraction

    from matches.balancing import threshold
    from matches.balancing.problem import Problem

    # Lobbies where the way with the least average-based need is not the least once dealt
    # out (found by a search over 3 000 random ones), then random two-cluster lobbies.
    lobbies = [
        (4, [1094, 1506, 1903, 1113, 1553, 1903, 1119, 1501, 1906]),
        (6, [2269, 1438, 2259, 1466, 2267, 1583, 2212, 1569, 2354, 1509, 2352, 1410, 2292, 1546]),
        (4, [2366, 1929, 1075, 2271, 1876, 1104, 2320, 1899, 1084, 2278, 1937]),
    ]
    rng = random.Random("dealing out")
    for _ in range(40):
        n = rng.randint(8, 14)
        centres = rng.sample([1100, 1500, 1900, 2300], 2)
        lobbies.append((rng.randint(3, n // 2), [rng.gauss(centres[i % 2], 60) for i in range(n)]))
    for k, ratings in lobbies:
        n = len(ratings)
        members = [Member(i, rating, 100.0) for i, rating in enumerate(ratings, 1)]
        problem = Problem.build(members, k, (), ())
        units, lcm = sorted(problem.units), problem.lcm
        sizes = {problem.q: problem.k - problem.r} | (
            {problem.q + 1: problem.r} if problem.r else {}
        )
        average = Fraction(problem.total * lcm, problem.n)
        for cut in sorted(range(1, n), key=lambda t: (units[t - 1] - units[t], t))[:2]:
            weak, strong = units[:cut], units[cut:]
            _check_dealing(threshold, weak, strong, sizes, lcm, average)


def _check_dealing(threshold, weak, strong, sizes, lcm, average):
    """``_by_groups`` against every way dealt out (see the test above)."""
    from itertools import product

    options = []
    for size, teams in sizes.items():
        counts = range(max(0, size - len(weak)), min(size, len(strong)) + 1)
        shares = threshold._shares(teams, len(counts))
        options.append([(threshold._strong(counts, x), size, counts, x) for x in shares])
    groups = threshold._Groups(weak, strong, lcm)
    reach = (average, average)
    needs = [
        threshold._need(way, groups, reach, dealt=True)
        for way in product(*options)
        if sum(option[0] for option in way) == len(strong)
    ]
    least = max(0, min(need for need in needs if need is not None))
    assert threshold._by_groups(weak, strong, sizes, lcm, reach, None) == least
    for enough in (least // 2, least, least + 1, least + 2, least + 5):
        assert threshold._by_groups(weak, strong, sizes, lcm, reach, enough) <= least


@pytest.mark.parametrize("k", [3, 7])
def test_the_threshold_bound_proves_two_clusters(k):
    """11 players around 1900 and 11 around 1100 (sd 40), as in bench/balance.py. In teams
    of 8, 7 and 7 some team of seven must have four of one cluster; in 7 teams (one of
    four, six of three) the three teams with two of the strong players share six of them
    and the three with one share three, and dealing those out bounds the highest and the
    lowest mean. Either way the bound alone is within a point of the answer, which the
    window search would need 15 to 20 times its budget (or more) to prove."""
    from matches.balancing.problem import Problem
    from matches.balancing.threshold import threshold_bound

    rng = random.Random(f"two clusters/22/{k}")
    for seed in range(3):
        members = [
            Member(i, rng.gauss(1100 if i % 2 else 1900, 40), rng.uniform(50, 350))
            for i in range(1, 23)
        ]
        result = balance(members, teams=k, seed=seed)
        assert result.optimal and result.certified_gap == 0.0
        problem = Problem.build(members, k, (), ())
        assert problem.points(threshold_bound(problem)) - 0.5 >= result.best_gap - 1.0


def test_two_clusters_in_teams_of_three_are_proven():
    """21 players of two clusters in 7 teams of three: the four teams with one strong player
    take eight weak ones in pairs, 105 ways to deal them (lobbies 3 to 7 were not proven
    when past 100 ways the average stood in)."""
    rng = random.Random("two clusters/21/7")
    for index in range(8):
        members = [Member(i, rng.gauss(1100 if i % 2 else 1900, 40), 100.0) for i in range(1, 22)]
        result = balance(members, teams=7, seed=index)
        assert result.optimal and result.certified_gap == 0.0, index


def test_the_threshold_bound_in_finer_units_proves_what_half_points_cannot():
    """Lobby 15 of bench/balance.py's two clusters in 3 teams: counted in half points the
    bound, less the half point rounding may cost, is 1.04 points short of the optimum (the
    window search would need about five times its budget); counted in 1/64 points it is
    within a point, and the lobby is proven."""
    from matches.balancing.limits import FINE_GRID, FINE_ROUNDING
    from matches.balancing.problem import Problem
    from matches.balancing.threshold import threshold_bound

    rng = random.Random("two clusters/22/3")
    for _ in range(16):
        members = [
            Member(i, rng.gauss(1100 if i % 2 else 1900, 40), rng.uniform(50, 350))
            for i in range(1, 23)
        ]
    result = balance(members, teams=3, seed=15)
    assert result.optimal and result.certified_gap == 0.0
    problem = Problem.build(members, 3, (), ())
    assert problem.points(threshold_bound(problem)) - 0.5 < result.best_gap - 1.0
    fine = problem.finer(FINE_GRID)
    assert fine.points(threshold_bound(fine)) - FINE_ROUNDING >= result.best_gap - 1.0


def spread_of(problem, split):
    """The spread of a split's team means as the window search scales them."""
    means = [
        sum(problem.value[p] for p in team) * (problem.lcm // sum(problem.size[p] for p in team))
        for team in split
    ]
    return max(means) - min(means)


def test_the_proof_search_meets_the_splits_of_the_plain_search_in_order():
    """The proof's search prunes more but finds the same splits in the same order (so the
    answer is the one the plain search would give) and never counts more steps, with
    twins or without."""
    from matches.balancing.problem import Problem
    from matches.balancing.window import WindowSearch
    from matches.balancing.window_proof import _ProofSearch

    rng = random.Random("same order")
    finds = 0
    for case in range(24):
        k = rng.randint(3, 6)
        n = rng.randint(2 * k, 18)
        members = random_lobby(rng, n)
        if case % 2:  # twins: newcomers at 1500, or ratings in steps of 50
            newcomers = rng.randint(2, n // 2)
            members = [
                Member(m.id, 1500.0 if i < newcomers else m.rating, m.rd)
                if case % 4 == 1
                else Member(m.id, 50.0 * round(m.rating / 50), m.rd)
                for i, m in enumerate(members)
            ]
        ids = [m.id for m in members]
        together = [ids[:2]] if case % 3 == 0 else []
        apart = [(ids[2], ids[3])] if case % 4 == 0 else []
        problem = Problem.build(members, k, together, apart)
        runs = []
        for search in (WindowSearch, _ProofSearch):
            found, narrow = [], random.Random(case)

            def keep(split, problem=problem, found=found, narrow=narrow):
                # Search on for splits narrower than this one, by a little more at times.
                found.append(split)
                return spread_of(problem, split) - 1 - narrow.randint(0, 3)

            engine = search(problem, math.floor(problem.scaled(40.0)), 10**7, keep)
            finished = engine.run()
            runs.append((finished, found, 10**7 - engine.budget))
        (plain_done, plain, plain_steps), (done, found, steps) = runs
        assert plain_done and done
        assert found == plain
        assert steps <= plain_steps
        finds += len(found)
    assert finds > 50  # the width did narrow, many times


@pytest.mark.parametrize("case", range(24))
def test_the_window_search_lists_every_split_within_its_width_once(case):
    """Parties that fill a team, or all of it but one place, are placed first; the search
    still lists every split whose means lie within the width, each once, as the brute
    force does."""
    from matches.balancing.problem import Problem
    from matches.balancing.window import WindowSearch

    rng = random.Random(f"listing/{case}")
    spreads = {}
    while not spreads:  # until the constraints can be met
        k = rng.randint(3, 4)
        n = rng.randint(2 * k + 1, 12)
        members = random_lobby(rng, n)
        ids = [m.id for m in members]
        rng.shuffle(ids)
        q, r = divmod(n, k)
        together, start = [], 0
        for _ in range(rng.randint(1, 2)):
            size = rng.choice([z for z in (q - 1, q, q + 1 if r else q) if z >= 2])
            together.append(ids[start : start + size])
            start += size
        apart = [tuple(ids[start : start + 2])] if case % 3 == 0 else []
        problem = Problem.build(members, k, together, apart)
        by_id = sorted(members, key=lambda m: m.id)
        units = {m.id: problem.units[i] for i, m in enumerate(by_id)}
        for split in all_splits(members, k, together, apart):
            means = [sum(units[x] for x in team) * (problem.lcm // len(team)) for team in split]
            spreads[frozenset(frozenset(team) for team in split)] = max(means) - min(means)
    # From the narrowest split alone to a few dozen.
    width = min(spreads.values()) + math.floor(problem.scaled(rng.choice([0.0, 20.0, 80.0])))
    listed = []

    def keep(split):
        teams = [[problem.ids[i] for p in team for i in problem.parties[p]] for team in split]
        listed.append(frozenset(frozenset(team) for team in teams))
        return width  # never narrower: every split within the width

    assert WindowSearch(problem, width, 10**7, keep).run()
    assert len(listed) == len(set(listed))  # each once
    assert set(listed) == {split for split, spread in spreads.items() if spread <= width}


# The proof when one team size is two -------------------------------------------------------


def brute_spread(problem, members, k, together):
    """The narrowest spread of team means, scaled as the search scales them, over every
    split of the brute force."""
    index = {m.id: i for i, m in enumerate(sorted(members, key=lambda m: m.id))}
    best = None
    for split in all_splits(members, k, together):
        means = [
            sum(problem.units[index[x]] for x in team) * (problem.lcm // len(team))
            for team in split
        ]
        spread = max(means) - min(means)
        best = spread if best is None else min(best, spread)
    return best


PAIRS_CASES = [
    (n, k, case)
    for n in range(3, 13)
    for k in range(2, n)
    if n // k in (1, 2) and n % k
    for case in range(5)
]


@pytest.mark.parametrize(("n", "k", "case"), PAIRS_CASES)
def test_the_pairs_search_finds_the_narrowest_split(n, k, case):
    """The walk from both ends with the exchanges left out still meets the narrowest split
    of every lobby of teams of two and three (or one and two), with parties of two and of
    three, equal ratings, two clusters, a player far from the rest and newcomers at 1500:
    checked against every split."""
    from matches.balancing.pairs_proof import PairsSearch
    from matches.balancing.problem import Problem

    rng = random.Random(f"pairs search/{n}/{k}/{case}")
    far = 600.0 if n % 2 else 2400.0  # one player far below (or above) the rest
    make = [
        lambda i: rng.gauss(1500, 250),
        lambda i: 100.0 * rng.randint(10, 20),  # many equal ratings: ties in the exchanges
        lambda i: rng.gauss(1100 if i % 2 else 1900, 40),
        lambda i: far if i == 1 else rng.gauss(1500, 250),  # bound for a team of the other size
        lambda i: 1500.0 if i % 2 else rng.gauss(1500, 250),  # newcomers: twins
    ][case]
    members = [Member(i, make(i), 100.0) for i in range(1, n + 1)]
    ids = [m.id for m in members]
    rng.shuffle(ids)
    together = [[], [ids[:2]], [ids[:2], ids[2:4]] if n >= 6 else [ids[:2]], [], [ids[:2]]][case]
    if case == 2 and n // k == 2 and n >= 7:
        together = [ids[:3], ids[3:5]]  # a party of three fills a team of three
    problem = Problem.build(members, k, together, ())
    splits = []

    def found(split):
        assert sorted(p for team in split for p in team) == list(range(len(problem.size)))
        assert len(split) == k
        sizes = sorted(sum(problem.size[p] for p in team) for team in split)
        assert sizes[-1] - sizes[0] <= 1
        assert spread_of(problem, split) <= search.width  # within the width asked for
        splits.append(split)
        return spread_of(problem, split) - 1  # then look for a narrower one

    search = PairsSearch(problem, math.floor(problem.scaled(5000.0)), 10**8, found)
    assert search.run()
    narrowest = brute_spread(problem, members, k, together)
    if narrowest is None:  # the parties cannot be packed
        assert not splits
    else:
        assert spread_of(problem, splits[-1]) == narrowest


def test_the_pairs_search_agrees_with_the_general_search():
    """Beyond what brute force can list: the narrowest spread the pairs search finds is the
    one the general window search finds, with the width narrowed after every split (with
    newcomers at 1500 in every other lobby)."""
    from matches.balancing.pairs_proof import PairsSearch
    from matches.balancing.problem import Problem
    from matches.balancing.window import WindowSearch
    from matches.balancing.window_proof import _ProofSearch

    rng = random.Random("pairs search, larger")
    compared = 0
    while compared < 24:
        n = rng.randint(13, 18)
        k = rng.randint(n // 3 + 1, n - 1)
        if n // k not in (1, 2) or not n % k:
            continue
        members = random_lobby(rng, n)
        if compared % 2:  # newcomers at 1500: twins
            members = [Member(m.id, 1500.0, m.rd) if i % 3 else m for i, m in enumerate(members)]
        ids = [m.id for m in members]
        together = [ids[:2]] if compared % 3 == 0 else []
        problem = Problem.build(members, k, together, ())
        narrowest = []
        # (with twins, the proof's search: the plain one meets every split, and as many
        # times as twins can be swapped; the test above checks they agree)
        general = _ProofSearch if compared % 2 else WindowSearch
        for search in (general, PairsSearch):
            spreads = []

            def keep(split, problem=problem, spreads=spreads):
                spreads.append(spread_of(problem, split))
                return spreads[-1] - 1

            assert search(problem, math.floor(problem.scaled(400.0)), 10**8, keep).run()
            narrowest.append(min(spreads, default=None))
        assert narrowest[0] == narrowest[1], (n, k, together)
        compared += 1


@pytest.mark.parametrize(
    ("n", "k", "index"),
    [
        # Lobbies of bench/balance.py the general search could not prove within its budget
        (24, 10, 1),
        (24, 10, 6),
        (24, 10, 13),
        (22, 10, 15),
        (22, 10, 20),
        (24, 11, 38),
        # nor the first pairs search, without the bounds on the teams of three
        (22, 9, 0),
        (22, 9, 2),  # one player 350 points below the next: the two strongest join them
        (22, 9, 6),
        (22, 9, 21),
        (22, 9, 39),
        (24, 10, 2),
        (24, 9, 27),  # more teams of three than pairs
        (24, 9, 37),
    ],
)
def test_teams_of_two_and_three_are_proven(n, k, index):
    members = bench_lobby("random", n, k, index)
    result = balance(members, teams=k, seed=index)
    assert_valid(result.split, members, k)
    assert result.optimal and result.certified_gap == 0.0


def test_the_general_search_finishes_what_the_pairs_search_cannot():
    """24 players in 9 teams (six of three), two of them over 500 points below the next:
    each needs two of the strongest, which the general search places first. The pairs search
    alone runs out of the whole budget; with the general search after it, it is proven."""
    from matches.balancing.limits import PROOF_BUDGET
    from matches.balancing.pairs_proof import PairsSearch
    from matches.balancing.problem import Problem
    from matches.balancing.window_proof import _width_below

    members = bench_lobby("random", 24, 9, 3)
    result = balance(members, teams=9, seed=3)
    assert_valid(result.split, members, 9)
    assert result.optimal and result.certified_gap == 0.0

    problem = Problem.build(members, 9, (), ())
    width = _width_below(problem, result.best_gap)  # a split more than a point better
    alone = PairsSearch(problem, width, PROOF_BUDGET, lambda split: width)
    assert not alone.run()


@pytest.mark.skipif(sys.platform != "linux", reason="counts this thread's page faults")
def test_the_searches_map_their_frames_once_whatever_the_callers_depth():
    """CPython keeps frames in 16 KiB chunks and unmaps one as soon as its first frame
    returns, so a search recursing back and forth across a chunk's end maps and unmaps it
    each time (``room.py``). Called from under 0 to 47 levels of about 600 bytes of frames
    (more than a chunk in all, so one depth puts the end of a chunk where the search
    recurses most), a lobby costs about the page faults of the one chunk ``with_room``
    maps: about 20 here, against up to 9 000 without it."""
    import resource

    from matches.balancing.room import spacer

    level = spacer(48)  # a frame of about 470 bytes; with pad's and the lambda's, about 600

    def pad(depth, run):
        return run() if depth == 0 else level(lambda: pad(depth - 1, run))

    rng = random.Random("frames")
    members = [Member(i, rng.gauss(1500, 250), 100.0) for i in range(1, 17)]
    balance(members, teams=5, seed=0)
    faults = []
    for depth in range(48):
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        pad(depth, lambda: balance(members, teams=5, seed=0))
        faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)
    assert max(faults) < 200, faults


def test_newcomers_in_teams_of_two_and_three_are_proven():
    """Lobbies 11, 16 and 31 of bench/balance.py's newcomers at 1500 in 24/10: nine to
    twelve twins, and an optimum 41 to 93 points wide that no bound comes near. The walk
    proves them because a state met again with twins swapped, or with a different number
    of the twins left taken from each end, is searched once."""
    for index in (11, 16, 31):
        result = balance(newcomers_lobby(24, 10, index), teams=10, seed=index)
        assert result.optimal and result.certified_gap == 0.0, index
        assert result.best_gap > 40


@settings(max_examples=100, deadline=None)
@given(
    ratings=st.lists(st.sampled_from([1400.0, 1450.0, 1500.0, 1550.0]), min_size=3, max_size=57),
    data=st.data(),
)
def test_the_walk_names_the_units_set_aside_by_one_number(ratings, data):
    """The walk keys its states with twins by ``held``, the weights of the players set aside
    summed: two sets of players have the same sum exactly when they hold the same units,
    with any number of players of one rating (here up to 60 of four ratings)."""
    from matches.balancing.pairs_proof import PairsSearch
    from matches.balancing.problem import Problem

    ratings = [1500.0] * 3 + ratings  # three twins at least: the walk keeps its states
    members = [Member(i, r, 100.0) for i, r in enumerate(ratings, start=1)]
    problem = Problem.build(members, len(members) // 2, (), ())
    search = PairsSearch(problem, 0, 1, lambda split: 0)
    assert search.twins_left
    weight = {}  # of each rating's units: the same for every player of it
    for p, units in enumerate(search.units):
        assert weight.setdefault(units, search.weight[p]) == search.weight[p]
    available = collections.Counter(search.units)
    carried = 0  # the most all the players of the ratings ranked before weigh together
    for units in dict.fromkeys(search.units):  # in rank order
        assert weight[units] > carried  # so no set of them adds up to one of these
        carried += weight[units] * available[units]
    sets = [
        {u: data.draw(st.integers(0, count)) for u, count in available.items()} for _ in range(2)
    ]
    numbers = [sum(weight[u] * taken for u, taken in held.items()) for held in sets]
    assert (numbers[0] == numbers[1]) == (sets[0] == sets[1])


def test_narrower_searches_finish_what_the_proof_could_not():
    """Where the proof runs out, searches of narrower widths prune far more (``narrow_down``).
    32 players in 8 teams (lobby 4 of bench/balance.py): the local search stopped at 2.92
    points and the proof ran out at 2.28; a narrower search finds a split within 0.52 and
    proves it. Newcomers at 1500 in 24 players in 10 teams (lobby 7), whose optimum is 78 points
    wide and the bounds 0: certified within 40 points instead of 78."""
    members = bench_lobby("random", 32, 8, 4)
    result = balance(members, teams=8, seed=4)
    assert_valid(result.split, members, 8)
    assert result.optimal and result.best_gap < 0.6

    result = balance(newcomers_lobby(24, 10, 7), teams=10, seed=7)
    assert not result.optimal and result.best_gap > 77
    assert 0 < result.certified_gap < 40


def test_dead_ends_are_shared_by_sets_of_players_with_other_twins():
    """Twelve newcomers at 1500 and a party of two, 24 players in 7 teams (lobby 110 of
    bench/balance.py's mixed sample, ratings to a tenth): its optimum is 20.7 points wide.
    Recorded with its twins as the first of them, a dead end is met again whichever twins
    are left, and the proof finishes within its budget (it needed four times as much)."""
    ratings = [1500.0] * 12 + [1247.5, 1590.2, 1574.2, 1499.5, 1305.9, 1429.8, 1407.4]
    ratings += [1419.6, 1381.1, 1745.7, 1683.6, 1340.5]
    members = lobby(ratings)
    result = balance(members, teams=7, seed=110, together=[[9, 7]])
    assert result.optimal and result.certified_gap == 0.0
    assert result.best_gap == pytest.approx(20.72, abs=0.01)


def test_parties_in_teams_of_two_and_three_are_proven():
    """With a party of two, teams of two and three get the general search, which places
    each party's team first. 16 lobbies of 18 to 24 players with parties of two and three:
    the pairs walk alone left lobby 2 unproven; every one is proven."""
    from matches.balancing.pairs_proof import PairsSearch
    from matches.balancing.problem import Problem
    from matches.balancing.window_proof import _searches

    rng = random.Random("parties in teams of two and three")
    for index in range(16):
        n = rng.randint(18, 24)
        k = rng.choice([t for t in range(n // 3 + 1, n // 2 + 1) if n % t and n // t == 2])
        members = [Member(i, rng.gauss(1500, 220), 100.0) for i in range(1, n + 1)]
        ids = [m.id for m in members]
        rng.shuffle(ids)
        together = [ids[:2], ids[2:4]] if index % 2 else [ids[:2], ids[2:5]]
        problem = Problem.build(members, k, together, ())
        assert PairsSearch not in [search for search, _ in _searches(problem)]
        result = balance(members, teams=k, seed=index, together=together)
        assert_valid(result.split, members, k, together)
        assert result.optimal and result.certified_gap == 0.0, index


@pytest.mark.parametrize(("n", "k"), [(16, 10), (20, 12), (24, 14), (24, 16)])
def test_teams_of_one_and_two_are_proven(n, k):
    rng = random.Random(f"ones and twos/{n}/{k}")
    for seed in range(2):
        members = random_lobby(rng, n)
        result = balance(members, teams=k, seed=seed)
        assert_valid(result.split, members, k)
        assert result.optimal, (n, k, seed)


# Refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": lobby([1500])}, "2 to 100 players, not 1"),
        ({"members": lobby([1500] * 101)}, "2 to 100 players, not 101"),
        ({"members": [Member(1, 1500, 50), Member(1, 1600, 50)]}, "player 1 is listed twice"),
        ({"members": [Member(1, math.nan, 50), Member(2, 1500, 50)]}, "player 1 has an invalid"),
        ({"members": [Member(1, 1500, 0), Member(2, 1500, 50)]}, "player 1 has an invalid RD"),
        ({"teams": 1}, "teams must be a whole number from 2 to 16, not 1"),
        ({"teams": 17}, "from 2 to 16, not 17"),
        ({"teams": 5}, "4 players cannot make 5 teams"),
        ({"together": [[1, 99]]}, "together names player 99"),
        ({"apart": [(1, 99)]}, "apart names player 99"),
        ({"apart": [(2, 2)]}, "player 2 cannot be apart from themself"),
        ({"apart": [(1, 2, 3)]}, "an apart pair has two players"),
        ({"alternatives": 11}, "alternatives must be 0 to 10, not 11"),
        ({"tolerance": -0.5}, "tolerance must be a non-negative number"),
        ({"seed": "1"}, "seed must be a whole number"),
    ],
)
def test_malformed_input_is_a_value_error(kwargs, message):
    arguments = {"members": lobby([1000, 1200, 1300, 1600]), "seed": 0} | kwargs
    with pytest.raises(ValueError, match=message) as error:
        balance(**arguments)
    assert not isinstance(error.value, Infeasible)


@pytest.mark.parametrize(
    ("n", "kwargs", "message"),
    [
        (
            6,
            {"together": [[1, 2, 3, 4]]},
            "players 1, 2, 3 and 4 want to play together, but the largest team has 3 players",
        ),
        (
            6,
            {"together": [[1, 2, 3]], "apart": [(1, 3)]},
            r"players 1 and 3 must be on different teams, but they are in the same party "
            r"\(1, 2, 3\)",
        ),
        (
            6,
            {"apart": [(1, 2), (2, 3), (3, 1)]},
            "players 1, 2 and 3 cannot all be kept apart with 2 teams: "
            "the apart pairs 1-2, 2-3, 3-1 form an odd cycle",
        ),
        (
            8,
            {"teams": 3, "apart": [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]},
            "players 1, 2, 3 and 4 cannot all be kept apart as asked with 3 teams",
        ),
        (
            9,
            {"together": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]},
            r"the parties \(1, 2, 3\), \(4, 5, 6\), \(7, 8, 9\) cannot be packed into "
            "1 team of 5 and 1 team of 4",
        ),
        (
            6,
            {"teams": 3, "together": [[1, 2], [3, 4]], "apart": [(5, 6)]},
            r"the parties \(1, 2\), \(3, 4\) and the apart pairs 5-6 cannot all be "
            "honoured in 3 teams of 2",
        ),
        (
            6,
            {"together": [[1, 2, 3]], "apart": [(1, 4), (4, 5)]},
            r"the parties \(1, 2, 3\) and the apart pairs 1-4, 4-5 cannot all be honoured "
            "in 2 teams of 3",
        ),
    ],
)
def test_impossible_constraints_are_infeasible_and_say_which(n, kwargs, message):
    members = lobby([1500 + 10 * i for i in range(n)])
    with pytest.raises(Infeasible, match=message):
        balance(members, seed=0, **kwargs)


def test_infeasible_is_a_value_error():
    assert issubclass(Infeasible, ValueError)


def test_avoid_entries_that_are_not_splits_of_the_lobby_are_ignored():
    members = lobby([1000, 1200, 1300, 1600])
    plain = balance(members, seed=0)
    odd = balance(members, seed=0, avoid=[[[1, 4], [2, 99]], [[1, 2, 3, 4]], [[1, 4]]])
    assert odd.split == plain.split and not odd.avoided


# Properties -----------------------------------------------------------------------------------


@st.composite
def lobbies(draw, max_players=16, max_teams=5):
    n = draw(st.integers(2, max_players))
    k = draw(st.integers(2, min(max_teams, n)))
    ratings = draw(
        st.lists(
            st.one_of(st.floats(800, 2300), st.sampled_from([1000.0, 1500.0, 2000.0])),
            min_size=n,
            max_size=n,
        )
    )
    rds = draw(st.lists(st.floats(50, 350), min_size=n, max_size=n))
    ids = draw(st.lists(st.integers(1, 10**9), min_size=n, max_size=n, unique=True))
    members = [Member(i, r, d) for i, r, d in zip(ids, ratings, rds, strict=True)]
    together, apart = [], []
    if draw(st.booleans()):
        together = [draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3))]
        apart = [
            tuple(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)))
            for _ in range(draw(st.integers(0, 2)))
        ]
    return members, k, together, apart


# Derandomized and without an example database: the same examples on every run and machine.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def balance_or_skip(members, k, together, apart, **kwargs):
    try:
        return balance(members, teams=k, together=together, apart=apart, **kwargs)
    except Infeasible:
        return None


@PROPERTY
@given(lobbies(), st.integers(-(10**6), 10**6))
def test_every_split_is_valid_and_repeatable(case, seed):
    members, k, together, apart = case
    result = balance_or_skip(members, k, together, apart, seed=seed, alternatives=3)
    if result is None:
        return
    for split in (result.split, *result.alternatives):
        assert_valid(split, members, k, together, apart)
    assert math.fsum(result.split.win_probabilities) == pytest.approx(1.0)
    ratings = {m.id: Rating(m.rating, m.rd, 0.06) for m in members}
    expected = team_win_probabilities([[ratings[x] for x in t] for t in result.split.teams])
    assert list(result.split.win_probabilities) == pytest.approx(expected)
    again = balance(members, teams=k, together=together, apart=apart, seed=seed, alternatives=3)
    assert (again.split, again.alternatives, again.pool_size) == (
        result.split,
        result.alternatives,
        result.pool_size,
    )
    assert result.certified_gap >= 0.0
    assert (result.certified_gap == 0.0) == result.optimal
    assert result.best_gap <= result.split.gap + 1e-9


@PROPERTY
@given(lobbies(), st.integers(0, 10**6))
def test_a_reroll_always_changes_the_split(case, seed):
    members, k, together, apart = case
    first = balance_or_skip(members, k, together, apart, seed=seed)
    if first is None:
        return
    second = balance(members, teams=k, together=together, apart=apart, seed=seed + 1)
    assert second.pool_size == first.pool_size
    if first.pool_size > 1:
        assert second.split.teams != first.split.teams
    else:
        assert second.split.teams == first.split.teams


@PROPERTY
@given(lobbies(), st.integers(0, 10**6), st.randoms(use_true_random=False))
def test_avoid_is_honoured_when_the_pool_allows(case, seed, shuffler):
    members, k, together, apart = case
    first = balance_or_skip(members, k, together, apart, seed=seed)
    if first is None:
        return
    # The previous match as a caller might pass it: teams and players in any order.
    previous = [list(team) for team in first.split.teams]
    for team in previous:
        shuffler.shuffle(team)
    shuffler.shuffle(previous)
    again = balance(members, teams=k, together=together, apart=apart, seed=seed, avoid=[previous])
    if first.pool_size > 1:
        assert again.split.teams != first.split.teams
        assert again.avoided
        assert again.split.teams not in [a.teams for a in again.alternatives]
    else:
        assert again.split.teams == first.split.teams and not again.avoided


@PROPERTY
@given(lobbies(), st.integers(0, 10), st.integers(0, 10**6))
def test_alternatives_are_distinct_and_best_first(case, wanted, seed):
    members, k, together, apart = case
    result = balance_or_skip(members, k, together, apart, seed=seed, alternatives=wanted)
    if result is None:
        return
    teams = [a.teams for a in result.alternatives]
    assert len(teams) <= wanted
    assert len(set(teams)) == len(teams)
    assert result.split.teams not in teams
    keys = [(math.floor(a.gap + 0.5), a.stacking) for a in result.alternatives]
    assert keys == sorted(keys)


def test_same_answer_in_another_process():
    """No hash() of strings, no clock: a fresh interpreter with another hash seed agrees."""
    script = (
        "import random; from matches.balancing import Member, balance\n"
        "rng = random.Random(42)\n"
        "m = [Member(i, rng.gauss(1500, 250), rng.uniform(50, 350)) for i in range(40)]\n"
        "print(balance(m, teams=3, seed=9, alternatives=3, together=[[1, 2]]))\n"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        env = os.environ | {"PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout.split("elapsed_ms")[0])
    assert len(outputs) == 1
