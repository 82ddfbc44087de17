"""The engine against Glickman's paper, its properties, and the team model with numbers."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings import glicko2
from ratings.glicko2 import Rating, rate, rate_match

PAPER_PLAYER = Rating(1500, 200, 0.06)
PAPER_GAMES = [(1400, 30, 1), (1550, 100, 0), (1700, 300, 0)]
CLAMPS = {"rd_floor": 30.0, "rd_ceiling": 350.0, "volatility_cap": 0.1}


# The paper ------------------------------------------------------------------------------------


def test_reproduces_the_papers_worked_example():
    new = rate(PAPER_PLAYER, PAPER_GAMES, tau=0.5)
    # Full precision; the paper prints 1464.06 / 151.52 / 0.05999 from rounded intermediates.
    assert new.rating == pytest.approx(1464.050671, abs=1e-6)
    assert new.rd == pytest.approx(151.516524, abs=1e-6)
    assert new.volatility == pytest.approx(0.059995984, abs=1e-9)


def test_papers_intermediate_quantities():
    mu, phi = 0.0, 200 / glicko2.SCALE
    games = [((r - 1500) / glicko2.SCALE, d / glicko2.SCALE, s) for r, d, s in PAPER_GAMES]
    assert [round(glicko2.g(p), 4) for _, p, _ in games] == [0.9955, 0.9531, 0.7242]
    assert [round(glicko2.expected_score(mu, m, p), 3) for m, p, _ in games] == [
        0.639,
        0.432,
        0.303,
    ]
    v = 1 / sum(
        glicko2.g(p) ** 2
        * glicko2.expected_score(mu, m, p)
        * (1 - glicko2.expected_score(mu, m, p))
        for m, p, _ in games
    )
    assert v == pytest.approx(1.7785, abs=1e-3)  # the paper's 1.7785 is from rounded steps
    assert phi == pytest.approx(1.1513, abs=1e-4)


def test_volatility_iteration_uses_the_2022_correction():
    # f(x) = 1 - x from A = 0, B = 2: the first secant step lands exactly on the root,
    # f(C) = 0. With the 2022 rule (f_C * f_B <= 0) the bracket moves there and the
    # iteration ends at 1; with the original "< 0" A stays at 0 for ever.
    assert glicko2.illinois(lambda x: 1 - x, 0.0, 2.0) == 1.0
    # And a root that is never hit exactly is found to the paper's tolerance.
    assert glicko2.illinois(lambda x: x * x - 2, 0.0, 2.0) == pytest.approx(2**0.5, abs=1e-6)


def test_no_games_applies_only_step_6():
    player = Rating(1600, 80, 0.06)
    new = rate(player, [], tau=0.5, periods=1)
    phi = 80 / glicko2.SCALE
    assert new.rating == 1600
    assert new.volatility == 0.06
    assert new.rd == pytest.approx(glicko2.SCALE * math.sqrt(phi**2 + 0.06**2))
    assert rate(player, [], tau=0.5, periods=0) == player


def test_periods_scale_step_6():
    inflated = rate(PAPER_PLAYER, PAPER_GAMES, tau=0.5, periods=0)
    paper = rate(PAPER_PLAYER, PAPER_GAMES, tau=0.5, periods=1)
    assert inflated.rating == pytest.approx(paper.rating, abs=2)  # same direction and size
    assert inflated.rd < paper.rd  # no step-6 growth with periods=0


def test_inflate_is_step_6_capped_at_the_ceiling():
    player = Rating(1500, 60, 0.06)
    grown = glicko2.inflate(player, 10)
    assert grown.rd == pytest.approx(
        glicko2.SCALE * math.sqrt((60 / glicko2.SCALE) ** 2 + 10 * 0.06**2)
    )
    assert glicko2.inflate(player, 1e9).rd == 350
    assert glicko2.inflate(player, 0) == player
    with pytest.raises(ValueError):
        glicko2.inflate(player, -1)


def test_rejects_invalid_input():
    with pytest.raises(ValueError):
        rate(Rating(1500, 0, 0.06), [], tau=0.5)
    with pytest.raises(ValueError):
        rate(Rating(math.nan, 100, 0.06), [], tau=0.5)
    with pytest.raises(ValueError):
        rate(Rating(1500, 100, 0.06), [(1500, 100, 0.7)], tau=0.5)
    with pytest.raises(ValueError):
        rate(Rating(1500, 100, 0.06), [(1500, 100, 1)], tau=0)


# Properties -------------------------------------------------------------------------------------

ratings = st.floats(-5000, 10000, allow_nan=False, allow_infinity=False)
rds = st.floats(1, 3500, allow_nan=False, allow_infinity=False)
volatilities = st.floats(0.001, 1, allow_nan=False, allow_infinity=False)
taus = st.floats(0.2, 1.2)
players_st = st.builds(Rating, ratings, rds, volatilities)
scores = st.sampled_from([0, 0.5, 1])
games_st = st.lists(st.tuples(ratings, rds, scores), max_size=8)


def finite(r: Rating) -> bool:
    return (
        all(math.isfinite(x) for x in (r.rating, r.rd, r.volatility))
        and r.rd > 0
        and r.volatility > 0
    )


@given(players_st, games_st, taus, st.floats(0, 50))
@settings(max_examples=300, deadline=None)
def test_never_nan_or_inf(player, games, tau, periods):
    assert finite(rate(player, games, tau=tau, periods=periods))


@given(
    st.lists(st.lists(players_st, min_size=1, max_size=6), min_size=2, max_size=5), st.data(), taus
)
@settings(max_examples=200, deadline=None)
def test_rate_match_stays_within_the_clamps(teams, data, tau):
    placements = data.draw(
        st.lists(st.integers(1, len(teams)), min_size=len(teams), max_size=len(teams))
    )
    for result in rate_match(teams, placements, tau=tau, **CLAMPS):
        assert 0 <= result.expected_score <= 1
        for r in result.ratings:
            assert finite(r)
            assert CLAMPS["rd_floor"] <= r.rd <= CLAMPS["rd_ceiling"]
            assert r.volatility <= CLAMPS["volatility_cap"]


@given(players_st, st.tuples(ratings, rds), taus)
@settings(max_examples=300, deadline=None)
def test_a_win_never_lowers_a_rating(player, opponent, tau):
    # Up to the round trip through the Glicko-2 scale (a loss that was a certainty moves
    # the rating by less than that round trip's rounding).
    rounding = 1e-9 * max(1.0, abs(player.rating))
    assert rate(player, [(*opponent, 1)], tau=tau, periods=0).rating >= player.rating - rounding
    assert rate(player, [(*opponent, 0)], tau=tau, periods=0).rating <= player.rating + rounding


@given(st.builds(Rating, st.floats(500, 2500), st.floats(30, 350), st.floats(0.01, 0.1)), taus)
@settings(max_examples=200, deadline=None)
def test_win_and_loss_are_mirror_images_for_equal_players(player, tau):
    games = lambda s: [(player.rating, player.rd, s)]  # noqa: E731
    win, loss = rate(player, games(1), tau=tau), rate(player, games(0), tau=tau)
    assert win.rating - player.rating == pytest.approx(player.rating - loss.rating, rel=1e-9)
    assert win.rd == pytest.approx(loss.rd, rel=1e-9)
    assert win.volatility == pytest.approx(loss.volatility, rel=1e-9)


@given(st.builds(Rating, st.floats(500, 2500), st.floats(30, 350), st.floats(0.01, 0.1)), taus)
@settings(max_examples=200, deadline=None)
def test_a_draw_between_equal_players_changes_no_rating(player, tau):
    drawn = rate(player, [(player.rating, player.rd, 0.5)], tau=tau)
    assert drawn.rating == pytest.approx(player.rating, abs=1e-9)
    team = [[player, player], [player, player]]
    for result in rate_match(team, [1, 1], tau=tau):
        assert all(r.rating == pytest.approx(player.rating, abs=1e-9) for r in result.ratings)


@given(players_st, players_st, scores, taus)
@settings(max_examples=200, deadline=None)
def test_one_player_teams_reduce_exactly_to_rate(a, b, score, tau):
    placements = {1: [1, 2], 0.5: [1, 1], 0: [2, 1]}[score]
    team_a, team_b = rate_match([[a], [b]], placements, tau=tau)
    assert team_a.ratings[0] == rate(a, [(b.rating, b.rd, score)], tau=tau, periods=0)
    assert team_b.ratings[0] == rate(b, [(a.rating, a.rd, 1 - score)], tau=tau, periods=0)


# The team model, with numbers -----------------------------------------------------------------


def test_equal_teams_of_equal_players_move_like_one_player():
    newcomer = Rating(1500, 350, 0.06)
    winners, losers = rate_match([[newcomer] * 5, [newcomer] * 5], [1, 2], tau=0.5)
    one = rate(newcomer, [(1500, 350, 1)], tau=0.5, periods=0)
    for r in winners.ratings:
        assert r.rating == pytest.approx(one.rating, abs=1e-9)  # 1662.21
        assert r.rd == pytest.approx(one.rd, abs=1e-9)  # 290.23
    assert winners.ratings[0].rating == pytest.approx(1662.212, abs=1e-3)
    assert losers.ratings[0].rating == pytest.approx(1337.788, abs=1e-3)
    assert winners.expected_score == 0.5 and winners.score == 1.0


def test_a_newcomer_among_veterans_takes_most_of_the_change():
    newcomer, veteran = Rating(1500, 350, 0.06), Rating(1500, 60, 0.06)
    team_one = [newcomer, veteran, veteran, veteran, veteran]
    winners, losers = rate_match([team_one, [veteran] * 5], [1, 2], tau=0.5)
    new_change = winners.ratings[0].rating - 1500
    vet_change = winners.ratings[1].rating - 1500
    # Shares of the team's variance: 350² and 60² over their mean (27,380).
    assert new_change / vet_change == pytest.approx(350**2 / 60**2, rel=1e-9)  # 34.03
    assert new_change == pytest.approx(284.16, abs=0.01)
    assert vet_change == pytest.approx(8.35, abs=0.01)
    # The team's mean moved by exactly the composite's change.
    comp = glicko2.composite(team_one)
    comp_new = rate(comp, [(1500, 60, 1)], tau=0.5, periods=0)
    mean_after = sum(r.rating for r in winners.ratings) / 5
    assert mean_after - 1500 == pytest.approx(comp_new.rating - comp.rating, abs=1e-9)
    # Everyone's RD shrinks, the newcomer's most.
    assert winners.ratings[0].rd == pytest.approx(150.87, abs=0.01)
    assert 59 < winners.ratings[1].rd < 60
    assert all(r.rd < 60 for r in losers.ratings)


def test_an_upset_moves_more_than_an_expected_win():
    strong, weak = [Rating(1700, 80, 0.06)] * 5, [Rating(1400, 80, 0.06)] * 5
    expected_win = rate_match([strong, weak], [1, 2], tau=0.5)[0]
    upset = rate_match([strong, weak], [2, 1], tau=0.5)[1]
    assert expected_win.expected_score == pytest.approx(0.8355, abs=1e-4)
    assert upset.ratings[0].rating - 1400 > 3 * (expected_win.ratings[0].rating - 1700)


def test_placements_with_more_than_two_teams_are_pairwise_games():
    team = [Rating(1500, 200, 0.06)] * 3
    first, second, third, tied = rate_match([team] * 4, [1, 2, 3, 3], tau=0.5)
    assert (first.score, second.score, third.score, tied.score) == (1.0, 2 / 3, 1 / 6, 1 / 6)
    assert first.ratings[0].rating > second.ratings[0].rating > 1500 > third.ratings[0].rating
    assert third.ratings[0] == tied.ratings[0]


# Win probability ------------------------------------------------------------------------------


def test_win_probability_counts_both_deviations():
    a, b = Rating(1600, 100), Rating(1500, 100)
    phi = math.hypot(100 / glicko2.SCALE, 100 / glicko2.SCALE)
    expected = 1 / (1 + math.exp(-glicko2.g(phi) * 100 / glicko2.SCALE))
    assert glicko2.win_probability(a, b) == pytest.approx(expected, abs=1e-15)
    assert glicko2.win_probability(a, b) == pytest.approx(0.6284, abs=1e-4)
    assert glicko2.win_probability(a, b) + glicko2.win_probability(b, a) == pytest.approx(1)
    # Less certain teams, a less certain prediction.
    assert glicko2.win_probability(Rating(1600, 350), Rating(1500, 350)) < glicko2.win_probability(
        a, b
    )


@given(st.lists(st.lists(players_st, min_size=1, max_size=5), min_size=2, max_size=8))
@settings(max_examples=200, deadline=None)
def test_team_win_probabilities_sum_to_one(teams):
    probabilities = glicko2.team_win_probabilities(teams)
    assert sum(probabilities) == pytest.approx(1)
    assert all(0 <= p <= 1 for p in probabilities)


def test_two_team_win_probability_is_the_team_model_formula():
    team_a = [Rating(1700, 100), Rating(1500, 300)]
    team_b = [Rating(1550, 50), Rating(1550, 50)]
    comp_a = Rating(1600, math.sqrt((100**2 + 300**2) / 2))
    comp_b = Rating(1550, 50)
    p = glicko2.team_win_probabilities([team_a, team_b])
    assert p[0] == pytest.approx(glicko2.win_probability(comp_a, comp_b), abs=1e-15)
    assert p[0] + p[1] == pytest.approx(1)
