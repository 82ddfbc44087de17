"""Concurrent writers through the real database (a SQLite file in WAL mode, or PostgreSQL).

Each thread has its own database connection, as each gunicorn worker does.
"""

import threading

import pytest
from django.db import connection

from matches import services
from matches.models import Match, Participant
from ratings.models import RatingChange
from ratings.tests.helpers import assert_consistent
from teambalance.errors import Conflict
from users import services as user_services
from users.models import Player

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(functions):
    """Run the functions in threads released together; returns (results, errors)."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), [None] * len(functions)

    def run(i, function):
        try:
            barrier.wait()
            results[i] = function()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def pending_match(guild, teams):
    """A pending match created directly: the service (rightly) refuses to put a player in
    two pending matches, but these tests need matches that share players."""
    match = Match.objects.create(
        guild=guild, team_count=len(teams), created_at="2026-01-01T00:00:00Z"
    )
    Participant.objects.bulk_create(
        Participant(match=match, player=player, team=number)
        for number, team in enumerate(teams, start=1)
        for player in team
    )
    return match


@pytest.fixture
def roster():
    guild = user_services.guild_upsert(guild_id=333333333333333333, name="Threads")[0]
    players = [
        user_services.player_create(guild=guild, user_id=i, username=f"p{i}") for i in range(1, 9)
    ]
    return guild, players


def test_completing_matches_that_share_players_loses_no_update(roster):
    guild, p = roster
    # Eight matches, every player in four of them; pairs overlap so that most matches
    # share a player with most others.
    lineups = [
        ([p[0], p[1]], [p[2], p[3]]),
        ([p[4], p[5]], [p[6], p[7]]),
        ([p[0], p[2]], [p[4], p[6]]),
        ([p[1], p[3]], [p[5], p[7]]),
        ([p[0], p[4]], [p[1], p[5]]),
        ([p[2], p[6]], [p[3], p[7]]),
        ([p[0], p[7]], [p[3], p[4]]),
        ([p[1], p[6]], [p[2], p[5]]),
    ]
    matches = [pending_match(guild, lineup) for lineup in lineups]
    _, errors = run_at_once(
        [lambda m=m: services.match_complete(match=m, winning_team=1) for m in matches]
    )
    assert errors == [None] * len(matches)  # no "database is locked", no deadlock
    for player in Player.objects.filter(guild=guild):
        assert player.games_played == 4  # no lost counter update
        assert player.wins + player.losses == 4
        assert RatingChange.objects.filter(player=player).count() == 4
    # Every rating change starts from the previous one's result: applied one at a time.
    assert_consistent(guild)


def test_two_simultaneous_completions_of_one_match_one_wins(roster):
    guild, p = roster
    for _ in range(5):
        match = pending_match(guild, ([p[0]], [p[1]]))
        results, errors = run_at_once(
            [
                lambda m=match: services.match_complete(match=m, winning_team=1),
                lambda m=match: services.match_complete(match=m, winning_team=2),
            ]
        )
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert [type(e) for e in errors if e is not None] == [Conflict]
        match.refresh_from_db()
        assert match.result["winning_team"] == winners[0].result["winning_team"]  # the first stands
        assert RatingChange.objects.filter(match=match).count() == 2
    assert Player.objects.get(pk=p[0].pk).games_played == 5
    assert_consistent(guild)


def test_two_simultaneous_completions_through_the_api(roster, make_client):
    guild, p = roster
    match = pending_match(guild, ([p[0], p[1]], [p[2], p[3]]))
    url = f"/api/v1/guilds/{guild.discord_id}/matches/{match.match_id}/complete"
    clients = [make_client("write"), make_client("write")]
    results, errors = run_at_once(
        [lambda c=c, n=n: c.post(url, {"winning_team": n}) for n, c in enumerate(clients, start=1)]
    )
    assert errors == [None, None]
    assert sorted(r.status_code for r in results) == [200, 409]
    assert Player.objects.get(pk=p[0].pk).games_played == 1


def test_a_player_cannot_be_put_in_two_pending_matches_at_once(roster):
    guild, _ = roster
    results, errors = run_at_once(
        [
            lambda: services.match_create(guild=guild, teams=[[1, 2], [3, 4]]),
            lambda: services.match_create(guild=guild, teams=[[4, 5], [6, 7]]),
        ]
    )
    assert len([r for r in results if r is not None]) == 1
    assert [type(e) for e in errors if e is not None] == [Conflict]
    assert Participant.objects.filter(player__user_id=4, match__status="pending").count() == 1


def test_corrections_and_completions_at_once_stay_consistent(roster):
    """A void replays the guild while other matches complete: nothing lost, no deadlock."""
    from ratings import services as rating_services

    guild, p = roster
    first = pending_match(guild, ([p[0]], [p[1]]))
    services.match_complete(match=first, winning_team=1)
    others = [pending_match(guild, ([p[i]], [p[i + 1]])) for i in (0, 2, 4, 6)]
    functions = [lambda: rating_services.match_void(match=first, actor="test")]
    functions += [lambda m=m: services.match_complete(match=m, winning_team=2) for m in others]
    _, errors = run_at_once(functions)
    assert errors == [None] * len(functions)
    assert Match.objects.get(pk=first.pk).status == "voided"
    assert Player.objects.get(pk=p[0].pk).games_played == 1
    assert_consistent(guild)
