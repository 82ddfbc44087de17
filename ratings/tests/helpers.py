"""Checks shared by the rating tests."""

import pytest

from matches.models import Match, Participant
from ratings.models import Adjustment, RatingChange
from users.models import AuditEntry, Player


def assert_consistent(guild) -> None:
    """Players, participants and the ledger agree, as the ratings issue requires."""
    for player in Player.objects.filter(guild=guild):
        rows = (
            RatingChange.objects.current()
            .filter(player=player)
            .order_by("occurred_at", "-kind", "pk")
        )
        last = rows.last()
        if last is None:
            assert (player.rating, player.rd, player.volatility) == (
                player.initial_rating,
                player.initial_rd,
                player.initial_volatility,
            )
            assert player.rated_at is None
        else:
            assert (player.rating, player.rd, player.volatility, player.rated_at) == (
                last.rating_after,
                last.rd_after,
                last.volatility_after,
                last.occurred_at,
            ), player
        previous = None
        for row in rows:  # each event starts where the previous one ended
            if previous is not None:
                assert row.rating_before == previous.rating_after
                assert row.volatility_before == previous.volatility_after
                assert row.rd_before >= previous.rd_after  # the RD only grows while idle
            previous = row
        completed = Participant.objects.filter(player=player, match__status=Match.Status.COMPLETED)
        assert player.games_played == completed.count()
        assert player.wins == completed.filter(outcome="win").count()
        assert player.losses == completed.filter(outcome="loss").count()
        assert player.draws == completed.filter(outcome="draw").count()
    for participant in Participant.objects.filter(match__guild=guild).select_related("match"):
        row = (
            RatingChange.objects.current()
            .filter(match=participant.match, player=participant.player)
            .first()
        )
        if participant.match.status == Match.Status.COMPLETED:
            assert row is not None
            assert (
                participant.rating_before,
                participant.rating_after,
                participant.rd_before,
                participant.rd_after,
                participant.expected_score,
            ) == (
                row.rating_before,
                row.rating_after,
                row.rd_before,
                row.rd_after,
                row.expected_score,
            )
        else:
            assert row is None
            assert participant.rating_before is None and participant.rating_after is None


def snapshot(guild) -> dict:
    """Every row a rating operation could touch, to prove a dry run changed nothing."""
    return {
        "players": list(Player.objects.filter(guild=guild).order_by("pk").values()),
        "matches": list(Match.objects.filter(guild=guild).order_by("pk").values()),
        "participants": list(
            Participant.objects.filter(match__guild=guild).order_by("pk").values()
        ),
        "ledger": list(RatingChange.objects.filter(guild=guild).order_by("pk").values()),
        "adjustments": list(Adjustment.objects.filter(guild=guild).order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def assert_same_ratings(players_a, players_b, tolerance=1e-9) -> None:
    """Two guilds' players (paired by user id) have the same ratings and records."""
    a = {p.user_id: p for p in players_a}
    b = {p.user_id: p for p in players_b}
    assert a.keys() == b.keys()
    for user_id, pa in a.items():
        pb = b[user_id]
        for field in ("rating", "rd", "volatility"):
            assert getattr(pa, field) == pytest.approx(getattr(pb, field), abs=tolerance), (
                user_id,
                field,
            )
        for field in ("games_played", "wins", "losses", "draws", "last_played_at", "rated_at"):
            assert getattr(pa, field) == getattr(pb, field), (user_id, field)
