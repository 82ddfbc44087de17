"""The analytics API: leaderboard, player stats, head to head, guild summary."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from matches import services as match_services
from ratings import glicko2, stats
from users.models import Player

G = "/api/v1/guilds/111111111111111111"


def results(guild, games):
    """Play 1v1s (or any lineups): ``games`` is [(teams, result), ...] in order."""
    for teams, result in games:
        match = match_services.match_create(guild=guild, teams=teams)
        match_services.match_complete(match=match, **result)


# Leaderboard --------------------------------------------------------------------------------


def test_leaderboard_ranks_by_conservative_rating_and_hides_provisional(api, guild, make_player):
    make_player(guild, 1, "steady", rating=1700, rd=50)  # 1600
    make_player(guild, 2, "lucky", rating=1800, rd=105)  # 1590: higher rating, lower rank
    make_player(guild, 3, "newcomer", rating=2000, rd=300)  # provisional
    make_player(guild, 4, "solid", rating=1500, rd=40)  # 1420
    data = api.get(f"{G}/leaderboard/").json()
    assert [(e["rank"], e["player"]["username"]) for e in data["results"]] == [
        (1, "steady"),
        (2, "lucky"),
        (3, "solid"),
    ]
    assert data["results"][0]["conservative_rating"] == pytest.approx(1600, abs=0.01)
    with_provisional = api.get(f"{G}/leaderboard/?provisional=true").json()["results"]
    assert [e["player"]["username"] for e in with_provisional] == [
        "steady",
        "lucky",
        "solid",
        "newcomer",
    ]
    assert with_provisional[3]["provisional"] is True


def test_inactivity_can_make_a_player_provisional_again(guild, make_player):
    veteran = make_player(guild, 1, rating=1700, rd=100)
    Player.objects.filter(pk=veteran.pk).update(rated_at=timezone.now() - timedelta(days=120))
    board = stats.leaderboard(guild)
    assert (board.standings, board.hidden_provisional) == ([], 1)  # RD grew past 110 idle
    veteran.refresh_from_db()
    assert veteran.provisional and veteran.display_rd > 110


def test_leaderboard_search_keeps_the_rank_and_filters_validate(api, guild, make_player):
    for i, name in enumerate(["alpha", "bravo", "charlie", "delta"], start=1):
        make_player(guild, i, name, rating=1800 - 50 * i, rd=50)
    found = api.get(f"{G}/leaderboard/?search=CHAR").json()["results"]
    assert [(e["rank"], e["player"]["username"]) for e in found] == [(3, "charlie")]
    assert api.get(f"{G}/leaderboard/?min_games=1").json()["count"] == 0
    assert api.get(f"{G}/leaderboard/?min_games=-1").status_code == 400
    assert api.get(f"{G}/leaderboard/?provisional=perhaps").status_code == 400
    page = api.get(f"{G}/leaderboard/?page_size=3&page=2").json()
    assert page["count"] == 4 and [e["rank"] for e in page["results"]] == [4]
    assert api.get(f"{G}/leaderboard/?page=3&page_size=3").status_code == 404


def test_empty_guild(api, guild):
    assert api.get(f"{G}/leaderboard/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    data = api.get(f"{G}/stats/").json()
    assert data["players"] == 0 and data["rating_distribution"] == []
    assert data["matches"] == {"pending": 0, "completed": 0, "cancelled": 0, "voided": 0}
    assert data["health"] == {
        "predictions": 0,
        "favourite_won": None,
        "brier": None,
        "log_loss": None,
    }


# One player -------------------------------------------------------------------------------------


def test_player_stats_record_streaks_and_peak(api, guild, players):
    results(
        guild,
        [
            ([[1], [2]], {"winning_team": 1}),
            ([[1], [3]], {"winning_team": 1}),
            ([[1], [4]], {"winning_team": 1}),
            ([[1], [5]], {"winning_team": 2}),
            ([[1], [6]], {"draw": True}),
            ([[1], [7]], {"winning_team": 2}),
            ([[1], [8]], {"winning_team": 2}),
        ],
    )
    data = api.get(f"{G}/players/1/stats/").json()
    assert (data["games"], data["wins"], data["losses"], data["draws"]) == (7, 3, 3, 1)
    assert data["win_rate"] == pytest.approx(3 / 7)
    assert data["current_streak"] == {"kind": "loss", "length": 2}
    assert data["best_win_streak"] == 3
    history = api.get(f"{G}/players/1/history/").json()["results"]
    assert data["peak_rating"] == max(e["rating_after"] for e in history)
    assert data["peak_at"] == history[-3]["created_at"]  # after the third straight win


def test_player_with_no_matches(api, guild, players):
    data = api.get(f"{G}/players/1/stats/").json()
    assert data["games"] == 0 and data["win_rate"] is None and data["current_streak"] is None
    assert data["peak_rating"] == 1500 and data["peak_at"] is None
    assert data["teammates"] == [] and data["opponents"] == []


def test_teammates_and_opponents_need_a_minimum_of_games(api, guild, players):
    # 1 and 2 win together three times; 1 loses to 3 three times; 1 plays 4 only once.
    results(guild, [([[1, 2], [3, 4]], {"winning_team": 1})] * 1)
    results(guild, [([[1, 2], [5, 6]], {"winning_team": 1})] * 2)
    results(guild, [([[1, 7], [3, 8]], {"winning_team": 2})] * 3)
    data = api.get(f"{G}/players/1/stats/").json()
    assert [(t["user_id"], t["games"], t["win_rate"]) for t in data["teammates"]] == [
        ("2", 3, 1.0),
        ("7", 3, 0.0),
    ]
    # Toughest first: never beaten 8 (0 of 3), then 3 (1 of 4).
    assert [(o["user_id"], o["games"], o["wins"]) for o in data["opponents"]] == [
        ("8", 3, 0),
        ("3", 4, 1),
    ]
    loose = api.get(f"{G}/players/1/stats/?min_games=1").json()
    assert "4" in {o["user_id"] for o in loose["opponents"]}
    assert api.get(f"{G}/players/1/stats/?min_games=0").status_code == 400


def test_head_to_head(api, guild, players):
    results(
        guild,
        [
            ([[1], [2]], {"winning_team": 1}),
            ([[2], [1]], {"winning_team": 1}),
            ([[1], [2]], {"draw": True}),
            ([[1, 2], [3, 4]], {"winning_team": 1}),
            ([[3], [1], [2]], {"placements": [1, 3, 2]}),  # 2 finished above 1
            ([[1], [5]], {"winning_team": 1}),  # not shared
        ],
    )
    data = api.get(f"{G}/players/1/versus/2/").json()
    assert (data["against"], data["a_wins"], data["b_wins"], data["draws_against"]) == (4, 1, 2, 1)
    assert (data["together"], data["together_wins"], data["together_losses"]) == (1, 1, 0)
    assert [m["result"] for m in data["recent"]] == ["loss", "win", "draw", "loss", "win"]
    assert data["recent"][1]["together"] is True
    assert api.get(f"{G}/players/1/versus/1/").status_code == 400
    assert api.get(f"{G}/players/1/versus/99/").status_code == 404
    assert api.get(f"{G}/players/1/versus/x/").status_code == 400


# The guild --------------------------------------------------------------------------------------


def test_guild_stats_counts_and_prediction_health(api, guild, make_player):
    make_player(guild, 1, rating=1700, rd=80)
    make_player(guild, 2, rating=1500, rd=80)
    make_player(guild, 3)
    results(guild, [([[1], [2]], {"winning_team": 1}), ([[1], [2]], {"winning_team": 2})])
    match_services.match_cancel(match=match_services.match_create(guild=guild, teams=[[1], [3]]))
    match_services.match_create(guild=guild, teams=[[2], [3]])

    data = api.get(f"{G}/stats/").json()
    assert data["players"] == 3 and data["active_players"] == 2
    assert data["matches"] == {"pending": 1, "completed": 2, "cancelled": 1, "voided": 0}
    assert sum(b["players"] for b in data["rating_distribution"]) == 2
    assert all(b["rating_to"] - b["rating_from"] == 100 for b in data["rating_distribution"])

    # Rebuild the two predictions by hand from the ledger's "before" values.
    rows = api.get(f"{G}/players/1/history/").json()["results"][::-1]
    other = api.get(f"{G}/players/2/history/").json()["results"][::-1]
    p = [
        glicko2.win_probability(
            glicko2.Rating(a["rating_before"], a["rd_before"]),
            glicko2.Rating(b["rating_before"], b["rd_before"]),
        )
        for a, b in zip(rows, other, strict=True)
    ]
    assert p[0] > 0.5 and p[1] > 0.5  # player 1 was the favourite both times
    health = data["health"]
    assert health["predictions"] == 2
    assert health["favourite_won"] == 0.5
    assert health["brier"] == pytest.approx(((1 - p[0]) ** 2 + p[1] ** 2) / 2)
    assert health["log_loss"] == pytest.approx(-(math.log(p[0]) + math.log(1 - p[1])) / 2)


def test_a_limited_key_cannot_read_another_guilds_stats(make_client, guild, other_guild):
    client = make_client("read", guild_ids=[other_guild.discord_id])
    for path in ["leaderboard/", "stats/"]:
        assert client.get(f"{G}/{path}").status_code == 403
