"""The match lifecycle: create, complete, cancel; and the match half of corrections.

Every status change goes through here, whether it comes from the API, the admin or a
command. Players are locked in primary-key order (``select_for_update`` on PostgreSQL;
SQLite's IMMEDIATE transactions serialize writers), so that two requests touching the
same players queue instead of losing an update or deadlocking.
"""

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from matches import balancing
from matches.models import MAX_TEAMS, Match, Participant
from matches.signals import match_completed
from ratings import glicko2  # the pure engine only (see matches/models.py)
from teambalance.errors import Conflict, Invalid
from users.models import Guild, Player

MAX_PLAYERS = 200


def _lock_players(player_ids) -> dict[int, Player]:
    players = Player.objects.select_for_update().filter(pk__in=player_ids).order_by("pk")
    return {player.pk: player for player in players}


def validate_teams(teams: Sequence[Sequence[int]]) -> None:
    """Shape rules for teams of Discord user ids (the database is not consulted)."""
    if not 2 <= len(teams) <= MAX_TEAMS:
        raise Invalid(f"A match has 2 to {MAX_TEAMS} teams, not {len(teams)}.")
    if any(len(team) == 0 for team in teams):
        raise Invalid("Every team needs at least one player.")
    ids = [user_id for team in teams for user_id in team]
    if len(ids) > MAX_PLAYERS:
        raise Invalid(f"A match has at most {MAX_PLAYERS} players.")
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise Invalid(
            "A player can be in a match only once.",
            extra={"duplicates": [str(i) for i in duplicates]},
        )


@transaction.atomic
def match_create(
    *,
    guild: Guild,
    teams: Sequence[Sequence[int]],
    created_by: int | None = None,
    created_at: datetime | None = None,
) -> Match:
    """Create a pending match between teams of registered players (Discord user ids).

    Raises ``Invalid`` for a malformed lineup or unknown players (listed), ``Conflict`` for
    players already in another pending match (listed).
    """
    validate_teams(teams)
    ids = [user_id for team in teams for user_id in team]
    known = dict(Player.objects.filter(guild=guild, user_id__in=ids).values_list("user_id", "pk"))
    if unknown := [user_id for user_id in ids if user_id not in known]:
        raise Invalid(
            "Some players are not registered in this guild.",
            extra={"unknown": [str(i) for i in unknown]},
        )
    _lock_players(known.values())
    busy = (
        Participant.objects.filter(player_id__in=known.values(), match__status=Match.Status.PENDING)
        .values_list("player__user_id", flat=True)
        .order_by("player__user_id")
    )
    if busy := list(busy):
        raise Conflict(
            "Some players are already in another pending match; complete or cancel it first.",
            extra={"players": [str(i) for i in busy]},
        )
    match = Match.objects.create(
        guild=guild,
        created_by=created_by,
        team_count=len(teams),
        created_at=created_at or timezone.now(),
    )
    Participant.objects.bulk_create(
        Participant(match=match, player_id=known[user_id], team=number)
        for number, team in enumerate(teams, start=1)
        for user_id in team
    )
    return match


def placements_from(
    *, team_count: int, winning_team: int | None = None, draw: bool = False, placements=None
) -> list[int]:
    """One placement per team (1 = best) from whichever form the result was given in."""
    given = (winning_team is not None) + (placements is not None) + bool(draw)
    if given != 1:
        raise Invalid("Give exactly one of winning_team, draw or placements.")
    if draw:
        return [1] * team_count
    if winning_team is not None:
        if not 1 <= winning_team <= team_count:
            raise Invalid(f"winning_team must be between 1 and {team_count} for this match.")
        return [1 if team == winning_team else 2 for team in range(1, team_count + 1)]
    placements = list(placements)
    if len(placements) != team_count:
        raise Invalid(f"placements needs one entry per team: {team_count}, not {len(placements)}.")
    if any(not 1 <= p <= team_count for p in placements):
        raise Invalid(f"Each placement is between 1 and {team_count} for this match.")
    if min(placements) != 1:
        raise Invalid("Some team must be placed first (1).")
    return list(placements)


def outcome_for(placements: Sequence[int], team: int) -> str:
    """A team's outcome: a win when alone in first place, a draw when sharing it, else a loss."""
    place = placements[team - 1]
    if place != 1:
        return Participant.Outcome.LOSS
    return Participant.Outcome.WIN if placements.count(1) == 1 else Participant.Outcome.DRAW


def _completion_time(players: Sequence[Player], completed_at: datetime | None) -> datetime:
    latest = max((p.rated_at for p in players if p.rated_at), default=None)
    if completed_at is None:
        now = timezone.now()
        # Ratings are applied in time order. If the clock stepped back, keep the order.
        return now if latest is None or now > latest else latest + timedelta(microseconds=1)
    if completed_at > timezone.now():
        raise Invalid("completed_at cannot be in the future.")
    if latest is not None and completed_at <= latest:
        raise Invalid("completed_at must be after every player's last rated event.")
    return completed_at


@transaction.atomic
def match_complete(
    *,
    match: Match,
    winning_team: int | None = None,
    draw: bool = False,
    placements: Sequence[int] | None = None,
    completed_at: datetime | None = None,
) -> Match:
    """Record a pending match's result and announce it with ``match_completed``.

    The result is one of ``winning_team`` (1-based), ``draw=True`` or ``placements`` (one
    per team, 1 = best, ties allowed). The first result stands: a match that is not
    pending raises ``Conflict``. The players' games, wins, losses and draws change in the
    same transaction as the ratings. ``completed_at`` (default now) is for importing
    history; it must be after every participant's last rated event, so that ratings stay
    in time order.
    """
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PENDING:
        raise Conflict(f"This match is {match.status}; only a pending match can be completed.")
    placements = placements_from(
        team_count=match.team_count, winning_team=winning_team, draw=draw, placements=placements
    )
    participants = list(match.participants.order_by("team", "pk"))
    players = _lock_players(p.player_id for p in participants)
    for participant in participants:
        participant.player = players[participant.player_id]
        participant.outcome = outcome_for(placements, participant.team)

    match.status = Match.Status.COMPLETED
    match.placements = placements
    match.completed_at = _completion_time(list(players.values()), completed_at)
    match.save(update_fields=["status", "placements", "completed_at", "updated_at"])
    Participant.objects.bulk_update(participants, ["outcome"])

    match_completed.send(sender=Match, match=match, participants=participants)

    for participant in participants:
        player = participant.player
        player.games_played += 1
        player.wins += participant.outcome == Participant.Outcome.WIN
        player.losses += participant.outcome == Participant.Outcome.LOSS
        player.draws += participant.outcome == Participant.Outcome.DRAW
        player.last_played_at = match.completed_at
    Player.objects.bulk_update(
        players.values(), ["games_played", "wins", "losses", "draws", "last_played_at"]
    )
    return match


@transaction.atomic
def match_cancel(*, match: Match) -> Match:
    """Cancel a pending match: nobody's record or rating changes."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PENDING:
        raise Conflict(f"This match is {match.status}; only a pending match can be cancelled.")
    match.status = Match.Status.CANCELLED
    match.save(update_fields=["status", "updated_at"])
    return match


# The match half of corrections. ``ratings.services.match_void`` and ``match_correct`` call
# these inside their own transaction and then replay the guild's ratings; calling them on
# their own would leave the ratings describing a history that no longer exists.


def match_mark_voided(*, match: Match) -> Match:
    """Set a completed match to voided and recount its players' records."""
    if match.status != Match.Status.COMPLETED:
        raise Conflict(f"This match is {match.status}; only a completed match can be voided.")
    match.status = Match.Status.VOIDED
    match.save(update_fields=["status", "updated_at"])
    players_recount(player_ids=match.participants.values_list("player_id", flat=True))
    return match


def match_set_result(*, match: Match, placements: Sequence[int]) -> Match:
    """Replace a completed match's result and recount its players' records."""
    if match.status != Match.Status.COMPLETED:
        raise Conflict(f"This match is {match.status}; only a completed match can be corrected.")
    placements = placements_from(team_count=match.team_count, placements=placements)
    match.placements = placements
    match.save(update_fields=["placements", "updated_at"])
    participants = list(match.participants.all())
    for participant in participants:
        participant.outcome = outcome_for(placements, participant.team)
    Participant.objects.bulk_update(participants, ["outcome"])
    players_recount(player_ids=[p.player_id for p in participants])
    return match


def players_recount(*, player_ids) -> None:
    """Recompute games, wins, losses, draws and last played from completed matches."""
    completed = Q(participations__match__status=Match.Status.COMPLETED)
    players = list(
        Player.objects.filter(pk__in=list(player_ids))
        .order_by("pk")
        .annotate(
            n_games=Count("participations", filter=completed),
            n_wins=Count("participations", filter=completed & Q(participations__outcome="win")),
            n_losses=Count("participations", filter=completed & Q(participations__outcome="loss")),
            n_draws=Count("participations", filter=completed & Q(participations__outcome="draw")),
            last_played=Max("participations__match__completed_at", filter=completed),
        )
    )
    for player in players:
        player.games_played = player.n_games
        player.wins, player.losses, player.draws = player.n_wins, player.n_losses, player.n_draws
        player.last_played_at = player.last_played
    Player.objects.bulk_update(
        players, ["games_played", "wins", "losses", "draws", "last_played_at"]
    )


# Balancing ------------------------------------------------------------------------------------

MAX_LOBBY = 100


@dataclass(frozen=True)
class BalancedLobby:
    """A balancing answer with the players it speaks of and, when asked, the match."""

    result: balancing.Balance
    players: dict[int, Player]  # by primary key, as in the result's teams
    ratings: dict[int, glicko2.Rating]  # as shown now (RD grown with inactivity)
    match: Match | None
    explanation: str


def lobby_balance(
    *,
    guild: Guild,
    user_ids: Sequence[int],
    teams: int = 2,
    together: Sequence[Sequence[int]] = (),
    apart: Sequence[Sequence[int]] = (),
    seed: int | None = None,
    tolerance: float = 1.0,
    alternatives: int = 0,
    create_match: bool = False,
    created_by: int | None = None,
) -> BalancedLobby:
    """Split a lobby of registered players into the fairest teams.

    The split the guild's previous match with exactly these players used is avoided when
    another split within the tolerance exists. With ``create_match`` the pending match is
    created in the same transaction. Raises ``Invalid`` for unknown players and for
    constraints that cannot be met (the message says which).
    """
    if not 2 <= len(user_ids) <= MAX_LOBBY:
        raise Invalid(f"A lobby has 2 to {MAX_LOBBY} players, not {len(user_ids)}.")
    if len(set(user_ids)) != len(user_ids):
        raise Invalid("A player can be in the lobby only once.")
    if not 2 <= teams <= min(MAX_TEAMS, len(user_ids)):
        raise Invalid(
            f"teams must be between 2 and {min(MAX_TEAMS, len(user_ids))} for this lobby."
        )
    players = {p.user_id: p for p in Player.objects.filter(guild=guild, user_id__in=user_ids)}
    if unknown := [u for u in user_ids if u not in players]:
        raise Invalid(
            "Some players are not registered in this guild.",
            extra={"unknown": [str(u) for u in unknown]},
        )
    groups = [*together, *apart]
    if outside := sorted({u for group in groups for u in group if u not in players}):
        raise Invalid(
            "together and apart may only name players in the lobby.",
            extra={"outside_lobby": [str(u) for u in outside]},
        )
    # Only a lobby that creates its match writes: it reads the ratings and creates the
    # match in one transaction. Otherwise there is no transaction at all (and, on SQLite,
    # no write lock held while the search runs).
    with transaction.atomic() if create_match else contextlib.nullcontext():
        now = timezone.now()
        by_pk = {p.pk: p for p in players.values()}
        ratings = {pk: p.as_rating(now) for pk, p in by_pk.items()}
        try:
            result = balancing.balance(
                [balancing.Member(pk, r.rating, r.rd) for pk, r in ratings.items()],
                teams=teams,
                together=[[players[u].pk for u in group] for group in together],
                apart=[(players[a].pk, players[b].pk) for a, b in apart],
                seed=secrets.randbelow(2**31) if seed is None else seed,
                tolerance=tolerance,
                alternatives=alternatives,
                avoid=_previous_split(guild, list(by_pk)),
            )
        except ValueError as exc:  # Infeasible included: the message names the constraint
            raise Invalid(str(exc)) from None
        match = None
        if create_match:
            lineup = [[by_pk[pk].user_id for pk in team] for team in result.split.teams]
            match = match_create(guild=guild, teams=lineup, created_by=created_by)
    return BalancedLobby(result, by_pk, ratings, match, _explain(result, together, apart))


def _previous_split(guild: Guild, player_ids: list[int]) -> list[list[list[int]]]:
    """The teams of the guild's latest match with exactly these players, if any."""
    previous = (
        Match.objects.filter(guild=guild)
        .annotate(
            size=Count("participants"),
            hits=Count("participants", filter=Q(participants__player_id__in=player_ids)),
        )
        .filter(size=len(player_ids), hits=len(player_ids))
        .order_by("-created_at", "-pk")
        .first()
    )
    if previous is None:
        return []
    teams: dict[int, list[int]] = {}
    for team, player_id in previous.participants.values_list("team", "player_id"):
        teams.setdefault(team, []).append(player_id)
    return [list(teams.values())]


def _explain(result: balancing.Balance, together, apart) -> str:
    """One line a bot can post as it is."""
    chances = " – ".join(
        f"Team {n} {p:.1%}" for n, p in enumerate(result.split.win_probabilities, start=1)
    )
    parts = [chances]
    if result.pool_size > 1:
        more = "" if result.pool_exact else "+"
        parts.append(f"one of {result.pool_size:,}{more} equally fair splits")
    elif result.optimal:
        parts.append("the fairest split possible")
    if together:
        parts.append(
            "party kept together"
            if len(together) == 1
            else f"{len(together)} parties kept together"
        )
    if apart:
        parts.append("1 pair kept apart" if len(apart) == 1 else f"{len(apart)} pairs kept apart")
    if result.avoided:
        parts.append("not the same teams as last time")
    return " · ".join(parts)
