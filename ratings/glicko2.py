"""Glicko-2, exactly as Glickman's "Example of the Glicko-2 system", and its team model.

Pure Python, no Django: the maths reads like the paper and is tested without a database.

The paper (``rate``)
--------------------
``rate`` is steps 1-8 of the paper and nothing else: scale 173.7178, convergence
tolerance 0.000001, and the Illinois iteration for the new volatility with the 2022
correction (``f_C * f_B <= 0``). ``periods`` is how many rating periods step 6 inflates
the RD by: 1 in the paper, 0 when the service has already applied the time since the
player's last game with ``inflate``. The product's clamps (RD floor and ceiling,
volatility cap) are *not* in ``rate``; ``rate_match`` applies them around it.

Two numerical guards keep every finite input finite, and change nothing for any input
the paper's example or a real community produces:

* the logistic ``E`` is evaluated in the overflow-free form;
* when every game is a certainty to double precision (``E`` is exactly 0 or 1, so the
  estimated variance ``v`` is infinite), the games carry no information: the volatility
  is kept and step 7 reduces to ``phi' = phi*`` (the limit of the paper's formula as
  ``v`` grows).

The team model (``rate_match``)
-------------------------------
A team game is rated as a game between composite players, because that is the level at
which the outcome is observed: nobody knows which member won the game, only which team.

1. Each team is a composite player: the *mean* of its members' ratings, the *root mean
   square* of their RDs (so the composite is as uncertain as a typical member, not
   less), and the root mean square of their volatilities.
2. Each pair of teams is one game. The better placement scores 1, equal placements 0.5.
   A two-team match is one game; four teams give each team three games.
3. Each composite gets one ordinary Glicko-2 update (``rate`` with ``periods=0``),
   giving its rating change ``delta``, its estimated variance ``v`` and its new
   volatility.
4. Each member's share of the team's uncertainty is ``w = rd_i**2 / mean(rd**2)``
   (the shares average to 1). The member's rating moves by ``w * delta``, so the team's
   mean moves by exactly ``delta``; a newcomer with RD 350 beside veterans with RD 60
   takes most of the change and the veterans little. The member's RD shrinks by the
   information the game carried for them, ``1/phi'**2 = 1/phi**2 + w/v``: the same
   share of the team's information. The member's volatility is scaled by the team's.
5. The product's clamps apply to every member: RD within [floor, ceiling], volatility
   at most the cap.

For a one-player team every share is 1 and the update is exactly ``rate``.

Win probability
---------------
``P(A beats B) = 1 / (1 + exp(-g(sqrt(phi_A**2 + phi_B**2)) * (mu_A - mu_B)))`` on the
Glicko-2 scale, with team means and RMS deviations. Both RDs count: two uncertain teams
make a less certain prediction. With more than two teams, a team's *expected score* is
its mean probability of beating each other team, and its *win probability* is its share
of all expected pairwise wins (the shares sum to 1; for two teams they are the plain
``P(A beats B)``). Balancing, the ledger's expected scores and the pages use these two
functions and no other formula.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SCALE = 173.7178
CENTER = 1500.0
EPSILON = 0.000001
_MAX_ITERATIONS = 1000  # the Illinois iteration converges in a handful; this only bounds it


@dataclass(frozen=True, slots=True)
class Rating:
    """A player's (or a composite team's) rating, RD and volatility on the Glicko scale."""

    rating: float = CENTER
    rd: float = 350.0
    volatility: float = 0.06


@dataclass(frozen=True, slots=True)
class TeamResult:
    """One team's side of a rated match: its members' new ratings and its scores."""

    ratings: list[Rating]
    expected_score: float  # mean probability of beating each other team, before the match
    score: float  # mean of its pairwise scores (1 / 0.5 / 0)


def g(phi: float) -> float:
    """Step 3's weight: how much a game against an opponent of deviation ``phi`` says."""
    return 1.0 / math.sqrt(1.0 + 3.0 * phi * phi / (math.pi * math.pi))


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def expected_score(mu: float, mu_j: float, phi_j: float) -> float:
    """Step 3's E(mu, mu_j, phi_j), on the Glicko-2 scale."""
    return _logistic(g(phi_j) * (mu - mu_j))


def _check(player: Rating) -> None:
    values = (player.rating, player.rd, player.volatility)
    if not all(math.isfinite(x) for x in values) or player.rd <= 0 or player.volatility <= 0:
        raise ValueError(f"not a valid rating: {player!r}")


def _step6(phi: float, sigma: float, periods: float) -> float:
    return math.sqrt(phi * phi + periods * sigma * sigma)


def inflate(player: Rating, periods: float, *, ceiling: float = 350.0) -> Rating:
    """Step 6 alone for ``periods`` rating periods without games, RD capped at ``ceiling``.

    This is how an inactive player's RD grows: ``min(sqrt(RD**2 + sigma**2 * t), 350)``.
    """
    _check(player)
    if periods < 0:
        raise ValueError("periods must not be negative")
    if periods == 0:
        return player  # exactly, without a round trip through the Glicko-2 scale
    rd = SCALE * _step6(player.rd / SCALE, player.volatility, periods)
    return Rating(player.rating, min(rd, ceiling), player.volatility)


@dataclass(frozen=True, slots=True)
class _Update:
    mu: float
    phi: float
    sigma: float
    v: float  # step 3's estimated variance (inf when the games carry no information)


def _new_volatility(delta: float, phi: float, v: float, sigma: float, tau: float) -> float:
    """Step 5: the Illinois iteration, with the 2022 correction (``f_C * f_B <= 0``)."""
    a = math.log(sigma * sigma)
    phi2 = phi * phi

    def f(x: float) -> float:
        ex = math.exp(x)
        return ex * (delta * delta - phi2 - v - ex) / (2.0 * (phi2 + v + ex) ** 2) - (x - a) / (
            tau * tau
        )

    if delta * delta > phi2 + v:
        b = math.log(delta * delta - phi2 - v)
    else:
        k = 1
        while f(a - k * tau) < 0 and k < _MAX_ITERATIONS:
            k += 1
        b = a - k * tau
    return math.exp(illinois(f, a, b) / 2.0)


def illinois(f, big_a: float, big_b: float) -> float:
    """Step 5.4: the Illinois method between A and B, to the paper's tolerance.

    The 2022 correction: when f(C) is exactly 0 (``f_C * f_B <= 0``, not ``< 0``) the
    bracket moves to C; with ``<`` A never moved again and the result stayed at A.
    """
    f_a, f_b = f(big_a), f(big_b)
    for _ in range(_MAX_ITERATIONS):
        if abs(big_b - big_a) <= EPSILON:
            break
        big_c = big_a + (big_a - big_b) * f_a / (f_b - f_a)
        f_c = f(big_c)
        if f_c * f_b <= 0:
            big_a, f_a = big_b, f_b
        else:
            f_a = f_a / 2.0
        big_b, f_b = big_c, f_c
    return big_a


def _update(
    player: Rating, games: Sequence[tuple[float, float, float]], tau: float, periods: float
) -> _Update:
    _check(player)
    if periods < 0:
        raise ValueError("periods must not be negative")
    if not tau > 0:
        raise ValueError("tau must be positive")
    # Step 2: convert to the Glicko-2 scale.
    mu = (player.rating - CENTER) / SCALE
    phi = player.rd / SCALE
    sigma = player.volatility
    if not games:
        # "If the player does not compete during the rating period": step 6 only.
        return _Update(mu, _step6(phi, sigma, periods), sigma, math.inf)

    # Steps 3 and 4: the estimated variance and the estimated improvement.
    information = 0.0
    improvement = 0.0  # sum of g(phi_j) * (s_j - E)
    for opponent_rating, opponent_rd, score in games:
        _check(Rating(opponent_rating, opponent_rd, 0.06))
        if score not in (0, 0.5, 1):
            raise ValueError(f"a score is 1, 0.5 or 0, not {score!r}")
        mu_j = (opponent_rating - CENTER) / SCALE
        g_j = g(opponent_rd / SCALE)
        e = expected_score(mu, mu_j, opponent_rd / SCALE)
        information += g_j * g_j * e * (1.0 - e)
        improvement += g_j * (score - e)

    if information == 0.0:
        # Every result was a certainty to double precision: v is infinite, the games
        # carry no information, and step 7 tends to phi' = phi*, mu' = mu + phi*^2 * sum.
        phi_star = _step6(phi, sigma, periods)
        return _Update(mu + phi_star * phi_star * improvement, phi_star, sigma, math.inf)

    v = 1.0 / information
    delta = v * improvement
    # Step 5: the new volatility.
    sigma_new = _new_volatility(delta, phi, v, sigma, tau)
    # Step 6: the pre-rating-period value.
    phi_star = _step6(phi, sigma_new, periods)
    # Step 7: the new RD and rating.
    phi_new = 1.0 / math.sqrt(1.0 / (phi_star * phi_star) + 1.0 / v)
    mu_new = mu + phi_new * phi_new * improvement
    return _Update(mu_new, phi_new, sigma_new, v)


def _to_rating(update: _Update) -> Rating:
    # Step 8: back to the Glicko scale.
    return Rating(SCALE * update.mu + CENTER, SCALE * update.phi, update.sigma)


def rate(
    player: Rating,
    games: Sequence[tuple[float, float, float]],
    *,
    tau: float,
    periods: float = 1.0,
) -> Rating:
    """Rate one player over one rating period: steps 1-8 of Glickman's paper, exactly.

    ``games`` holds (opponent rating, opponent RD, score) with score 1, 0.5 or 0.
    ``periods`` is how many rating periods step 6 inflates the RD by.
    """
    return _to_rating(_update(player, games, tau, periods))


def composite(members: Sequence[Rating]) -> Rating:
    """A team as one player: mean rating, root-mean-square RD and volatility."""
    if not members:
        raise ValueError("a team has at least one member")
    n = len(members)
    return Rating(
        math.fsum(m.rating for m in members) / n,
        math.sqrt(math.fsum(m.rd * m.rd for m in members) / n),
        math.sqrt(math.fsum(m.volatility * m.volatility for m in members) / n),
    )


def win_probability(a: Rating, b: Rating) -> float:
    """P(A beats B), counting both deviations: the product's one prediction formula."""
    phi = math.sqrt((a.rd / SCALE) ** 2 + (b.rd / SCALE) ** 2)
    return _logistic(g(phi) * (a.rating - b.rating) / SCALE)


def team_expected_scores(teams: Sequence[Sequence[Rating]]) -> list[float]:
    """Each team's mean probability of beating each other team (for two teams, P(win))."""
    if len(teams) < 2:
        raise ValueError("a match has at least two teams")
    comps = [composite(team) for team in teams]
    n = len(comps)
    return [
        math.fsum(win_probability(comps[i], comps[j]) for j in range(n) if j != i) / (n - 1)
        for i in range(n)
    ]


def team_win_probabilities(teams: Sequence[Sequence[Rating]]) -> list[float]:
    """Each team's share of all expected pairwise wins: one number per team, summing to 1."""
    expected = team_expected_scores(teams)
    total = math.fsum(expected)
    return [e / total for e in expected]


def pairwise_scores(placements: Sequence[int]) -> list[list[float]]:
    """``scores[i][j]``: team i's score against team j (better placement 1, tie 0.5)."""
    return [[1.0 if p < q else 0.5 if p == q else 0.0 for q in placements] for p in placements]


def _clamp(r: Rating, rd_floor: float, rd_ceiling: float, volatility_cap: float) -> Rating:
    return Rating(r.rating, min(max(r.rd, rd_floor), rd_ceiling), min(r.volatility, volatility_cap))


def rate_match(
    teams: Sequence[Sequence[Rating]],
    placements: Sequence[int],
    *,
    tau: float,
    rd_floor: float = 0.0,
    rd_ceiling: float = math.inf,
    volatility_cap: float = math.inf,
) -> list[TeamResult]:
    """Rate a match between teams finishing at ``placements`` (1 = best, ties allowed).

    Every rating is taken as it stands just before the match (the service has applied
    the inactivity inflation), so step 6 uses ``periods=0``. See the module docstring for
    the model; the clamps (none by default) apply to every member's result.
    """
    if len(teams) < 2 or len(placements) != len(teams):
        raise ValueError("a match has at least two teams and one placement per team")
    comps = [composite(team) for team in teams]
    scores = pairwise_scores(placements)
    results = []
    for i, (team, comp) in enumerate(zip(teams, comps, strict=True)):
        others = [j for j in range(len(teams)) if j != i]
        games = [(comps[j].rating, comps[j].rd, scores[i][j]) for j in others]
        expected = math.fsum(win_probability(comp, comps[j]) for j in others) / len(others)
        score = math.fsum(scores[i][j] for j in others) / len(others)
        if len(team) == 1:
            # The composite is the player, so the team model is exactly rate().
            new = [rate(team[0], games, tau=tau, periods=0)]
        else:
            new = _share_out(team, comp, _update(comp, games, tau, 0))
        ratings = [_clamp(r, rd_floor, rd_ceiling, volatility_cap) for r in new]
        results.append(TeamResult(ratings, expected, score))
    return results


def _share_out(team: Sequence[Rating], comp: Rating, update: _Update) -> list[Rating]:
    """Step 4 of the team model: each member takes their share of the team's update."""
    mean_variance = math.fsum(m.rd * m.rd for m in team) / len(team)
    change = SCALE * update.mu + CENTER - comp.rating
    volatility_ratio = update.sigma / comp.volatility
    information = 0.0 if math.isinf(update.v) else 1.0 / update.v
    out = []
    for member in team:
        share = member.rd * member.rd / mean_variance
        phi = member.rd / SCALE
        phi_new = 1.0 / math.sqrt(1.0 / (phi * phi) + share * information)
        out.append(
            Rating(
                member.rating + share * change,
                SCALE * phi_new,
                member.volatility * volatility_ratio,
            )
        )
    return out
