"""Read-side queries: leaderboards, records, head-to-head and the guild's summary.

The API and the pages both read through these functions, so a number on a page and in
the API is the same number. Each function runs a fixed number of queries, whatever the
size of the guild, and does the arithmetic in Python.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from matches.models import Match, Participant
from ratings import glicko2
from ratings.models import RatingChange
from users.models import Guild, Player


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's place on the leaderboard, with the rating as shown now."""

    rank: int
    player: Player
    rating: float
    rd: float
    conservative_rating: float
    provisional: bool


@dataclass(frozen=True, slots=True)
class Leaderboard:
    standings: list[Standing]
    hidden_provisional: int  # provisional players left out (0 when they are shown)


def leaderboard(
    guild: Guild,
    *,
    provisional: bool = False,
    min_games: int = 0,
    search: str = "",
    at: datetime | None = None,
) -> Leaderboard:
    """The guild's players ranked by conservative rating (rating − 2·RD, RD as of now).

    Provisional players are left out (and counted) unless ``provisional`` is true. Ranks
    are taken before ``search`` narrows the list, so a player keeps their rank when
    searched for. One query.
    """
    at = at or timezone.now()
    threshold = settings.RATINGS["PROVISIONAL_RD"]
    players = Player.objects.filter(guild=guild, games_played__gte=min_games).select_related(
        "guild"
    )
    rows, hidden = [], 0
    for player in players:
        rd = player.current_rd(at)
        if rd > threshold and not provisional:
            hidden += 1
            continue
        rows.append((player.rating - 2 * rd, player, rd))
    rows.sort(key=lambda row: (-row[0], -row[1].rating, row[1].user_id))
    standings = [
        Standing(rank, player, player.rating, rd, conservative, rd > threshold)
        for rank, (conservative, player, rd) in enumerate(rows, start=1)
    ]
    if search:
        needle = search.casefold()
        standings = [s for s in standings if needle in s.player.username.casefold()]
    return Leaderboard(standings, hidden)


# One player -------------------------------------------------------------------------------


@dataclass(slots=True)
class Partner:
    """Games with or against another player, from the first player's side."""

    player: Player
    games: int = 0
    wins: int = 0
    losses: int = 0
    draws: int = 0

    @property
    def win_rate(self) -> float:
        return self.wins / self.games if self.games else 0.0


@dataclass(slots=True)
class PlayerStats:
    player: Player
    games: int
    wins: int
    losses: int
    draws: int
    win_rate: float | None
    current_streak: tuple[str, int] | None  # ("win" | "loss" | "draw", length)
    best_win_streak: int
    peak_rating: float
    peak_at: datetime | None
    teammates: list[Partner] = field(default_factory=list)  # best first
    opponents: list[Partner] = field(default_factory=list)  # toughest first


def player_stats(player: Player, *, min_games: int = 3, limit: int = 5) -> PlayerStats:
    """Record, streaks, peak rating, best teammates and toughest opponents (three queries).

    Teammates and opponents count only pairs with at least ``min_games`` games, so one
    lucky game does not make a "best teammate".
    """
    mine = list(
        Participant.objects.filter(player=player, match__status=Match.Status.COMPLETED)
        .order_by("match__completed_at", "match_id")
        .values_list("match_id", "team", "outcome")
    )
    outcomes = [outcome for _, _, outcome in mine]
    current, best = _streaks(outcomes)
    wins, losses, draws = (outcomes.count(o) for o in ("win", "loss", "draw"))

    my_team = {match_id: team for match_id, team, _ in mine}
    my_outcome = {match_id: outcome for match_id, _, outcome in mine}
    teammates: dict[int, Partner] = {}
    opponents: dict[int, Partner] = {}
    others = (
        Participant.objects.filter(match_id__in=list(my_team))
        .exclude(player=player)
        .select_related("player")
        .only("match_id", "team", "player__user_id", "player__username", "player__guild_id")
    )
    for other in others:
        side = teammates if other.team == my_team[other.match_id] else opponents
        partner = side.setdefault(other.player_id, Partner(other.player))
        partner.games += 1
        outcome = my_outcome[other.match_id]
        if outcome == "win":
            partner.wins += 1
        elif outcome == "loss":
            partner.losses += 1
        else:
            partner.draws += 1

    peak = (
        RatingChange.objects.current()
        .filter(player=player)
        .order_by("-rating_after", "occurred_at")
        .values_list("rating_after", "occurred_at")
        .first()
    )
    peak_rating, peak_at = (player.initial_rating, None)
    if peak is not None and peak[0] > peak_rating:
        peak_rating, peak_at = peak

    def ranked(side: dict[int, Partner], best_first: bool) -> list[Partner]:
        eligible = [p for p in side.values() if p.games >= min_games]
        sign = -1 if best_first else 1
        eligible.sort(key=lambda p: (sign * p.win_rate, -p.games, p.player.username))
        return eligible[:limit]

    return PlayerStats(
        player=player,
        games=len(outcomes),
        wins=wins,
        losses=losses,
        draws=draws,
        win_rate=wins / len(outcomes) if outcomes else None,
        current_streak=current,
        best_win_streak=best,
        peak_rating=peak_rating,
        peak_at=peak_at,
        teammates=ranked(teammates, best_first=True),
        opponents=ranked(opponents, best_first=False),
    )


def _streaks(outcomes: list[str]) -> tuple[tuple[str, int] | None, int]:
    """The current streak (outcome, length) and the longest run of wins."""
    best = run = 0
    for outcome in outcomes:
        run = run + 1 if outcome == "win" else 0
        best = max(best, run)
    if not outcomes:
        return None, best
    last, length = outcomes[-1], 0
    for outcome in reversed(outcomes):
        if outcome != last:
            break
        length += 1
    return (last, length), best


@dataclass(frozen=True, slots=True)
class SharedMatch:
    match_id: object  # the public UUID
    completed_at: datetime
    together: bool
    result: str  # a's result: against b (a's team above b's = "win"), or with b when together


@dataclass(slots=True)
class Versus:
    a: Player
    b: Player
    against: int = 0
    a_wins: int = 0
    b_wins: int = 0
    draws_against: int = 0
    together: int = 0
    together_wins: int = 0
    together_losses: int = 0
    together_draws: int = 0
    recent: list[SharedMatch] = field(default_factory=list)  # newest first


def versus(a: Player, b: Player, *, recent: int = 10) -> Versus:
    """Head to head: completed matches against each other and together (one query).

    Against each other, "a won" means a's team finished above b's team (which, with more
    than two teams, is not always first place).
    """
    rows = (
        Participant.objects.filter(player__in=[a, b], match__status=Match.Status.COMPLETED)
        .order_by("-match__completed_at", "-match_id")
        .values_list(
            "match_id",
            "player_id",
            "team",
            "outcome",
            "match__placements",
            "match__match_id",
            "match__completed_at",
        )
    )
    seen: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    info: dict[int, tuple] = {}
    for match_id, player_id, team, outcome, *match_info in rows:
        seen[match_id][player_id] = (team, outcome)
        info[match_id] = match_info
    result = Versus(a, b)
    for match_id, players in seen.items():  # newest first
        if len(players) != 2:
            continue
        (team_a, outcome_a), (team_b, _) = players[a.pk], players[b.pk]
        placements, public_id, completed_at = info[match_id]
        if team_a == team_b:
            result.together += 1
            result.together_wins += outcome_a == "win"
            result.together_losses += outcome_a == "loss"
            result.together_draws += outcome_a == "draw"
            outcome = outcome_a
        else:
            result.against += 1
            place_a, place_b = placements[team_a - 1], placements[team_b - 1]
            if place_a < place_b:
                result.a_wins += 1
                outcome = "win"
            elif place_b < place_a:
                result.b_wins += 1
                outcome = "loss"
            else:
                result.draws_against += 1
                outcome = "draw"
        if len(result.recent) < recent:
            result.recent.append(SharedMatch(public_id, completed_at, team_a == team_b, outcome))
    return result


# The guild ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Health:
    """How well the ratings predicted results, over every pair of teams in every match."""

    predictions: int  # pairs of teams in completed matches
    favourite_won: float | None  # share of decisive pairs the favourite won
    brier: float | None  # mean (p - outcome)^2; always guessing 50% scores 0.25
    log_loss: float | None  # mean -log p(outcome); always guessing 50% scores 0.693


@dataclass(frozen=True, slots=True)
class GuildStats:
    players: int
    active_players: int  # played in the last 30 days
    matches: dict[str, int]  # by status
    histogram: list[tuple[int, int]]  # (bucket start, players) over players with games
    bucket_width: int
    health: Health


def guild_stats(
    guild: Guild, *, bucket_width: int = 100, now: datetime | None = None
) -> GuildStats:
    """Players, activity, matches by status, the rating distribution and the rating
    system's predictive health (four queries)."""
    now = now or timezone.now()
    counts = Player.objects.filter(guild=guild).aggregate(
        players=Count("pk"),
        active=Count("pk", filter=Q(last_played_at__gte=now - timedelta(days=30))),
    )
    by_status = dict(
        Match.objects.filter(guild=guild).order_by().values_list("status").annotate(n=Count("pk"))
    )
    ratings = Player.objects.filter(guild=guild, games_played__gt=0).values_list(
        "rating", flat=True
    )
    buckets = Counter(math.floor(r / bucket_width) * bucket_width for r in ratings)
    return GuildStats(
        players=counts["players"],
        active_players=counts["active"],
        matches={status: by_status.get(status, 0) for status in Match.Status.values},
        histogram=sorted(buckets.items()),
        bucket_width=bucket_width,
        health=prediction_health(guild),
    )


def prediction_health(guild: Guild) -> Health:
    """Score the pre-match predictions of every completed match.

    The prediction for each pair of teams is rebuilt from what the system knew when it
    rated the match (the participants' rating and RD before), with the product's one
    win-probability formula; for two teams it is the match's stored win probability.
    One query.
    """
    rows = (
        Participant.objects.filter(match__guild=guild, match__status=Match.Status.COMPLETED)
        .order_by("match__completed_at", "match_id", "team")
        .values_list("match_id", "team", "rating_before", "rd_before", "match__placements")
    )
    matches: dict[int, tuple[list[int], dict[int, list[glicko2.Rating]]]] = {}
    for match_id, team, rating, rd, placements in rows:
        matches.setdefault(match_id, (placements, defaultdict(list)))[1][team].append(
            glicko2.Rating(rating, rd)
        )
    pairs = decisive = favourite_won = 0
    brier = log_loss = 0.0
    for placements, teams in matches.values():
        composites = {team: glicko2.composite(members) for team, members in teams.items()}
        for i in composites:
            for j in composites:
                if i >= j:
                    continue
                p = glicko2.win_probability(composites[i], composites[j])
                place_i, place_j = placements[i - 1], placements[j - 1]
                outcome = 1.0 if place_i < place_j else 0.5 if place_i == place_j else 0.0
                pairs += 1
                brier += (p - outcome) ** 2
                log_loss -= outcome * math.log(max(p, 1e-15)) + (1 - outcome) * math.log(
                    max(1 - p, 1e-15)
                )
                if outcome != 0.5 and p != 0.5:
                    decisive += 1
                    favourite_won += (p > 0.5) == (outcome == 1.0)
    return Health(
        predictions=pairs,
        favourite_won=favourite_won / decisive if decisive else None,
        brier=brier / pairs if pairs else None,
        log_loss=log_loss / pairs if pairs else None,
    )


# Explaining a change ----------------------------------------------------------------------------


def explain_change(participant: Participant) -> str:
    """Why a player's rating moved, in plain words, for the match page."""
    if participant.rating_before is None or participant.expected_score is None:
        return ""
    expected, outcome = participant.expected_score, participant.outcome
    result = {"win": "won", "loss": "lost", "draw": "drew"}.get(outcome, "played")
    if outcome == "draw":
        why = "a draw pulls ratings towards each other"
    elif abs(expected - 0.5) < 0.05:
        why = "an even match"
    elif (expected > 0.5) == (outcome == "win"):
        why = "as expected, so a small change"
    else:
        why = "an upset, so a bigger change"
    change = signed(participant.rating_change)
    words = f"The team was given {expected:.0%} and {result} ({why}): {change}."
    rd = participant.rd_before
    if rd > settings.RATINGS["PROVISIONAL_RD"]:
        words += f" Still provisional (RD {rd:.0f}), so the rating moves fast."
    elif rd < 60:
        words += f" A settled rating (RD {rd:.0f}) moves little."
    else:
        words += f" RD {rd:.0f}: still settling, so it moves more than a veteran's."
    return words


def signed(value: float, digits: int = 1) -> str:
    """12.34 → "+12.3", -4 → "−4.0" (a real minus sign), 0 → "±0.0"."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return f"±{text}"
    return f"+{text}" if value > 0 else f"−{text}"
