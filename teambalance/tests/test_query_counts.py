"""Hot endpoints run a fixed number of queries, whatever the number of rows.

Each test measures the same request against a small and a large guild and pins the
count, so an N+1 in a serializer, a template or the admin fails here first.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matches import services as match_services
from users import services as user_services

G = "/api/v1/guilds/111111111111111111"


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), getattr(response, "content", b"")[:500]
    return len(captured)


def populate(guild, players: int, matches: int, team_size: int = 5):
    team_size = min(team_size, players // 2)
    for user_id in range(1, players + 1):
        user_services.player_create(guild=guild, user_id=user_id, username=f"player{user_id}")
    for n in range(matches):
        ids = [(n * 3 + k) % players + 1 for k in range(2 * team_size)]
        match = match_services.match_create(guild=guild, teams=[ids[:team_size], ids[team_size:]])
        match_services.match_complete(match=match, winning_team=1 + n % 2)


@pytest.fixture
def warm_api(api):
    """The API client after one request, so the key's last-used time is fresh (that
    write happens at most once a minute and is not part of the steady state)."""
    api.get("/api/v1/guilds/")
    return api


@pytest.mark.parametrize(("size", "matches"), [(12, 2), (60, 30)])
def test_player_endpoints(warm_api, guild, size, matches):
    populate(guild, size, matches)
    # key, guild, player
    assert queries(lambda: warm_api.get(f"{G}/players/3/")) == 3
    # key, guild, count, page
    assert queries(lambda: warm_api.get(f"{G}/players/?page_size=200")) == 4
    assert queries(lambda: warm_api.get(f"{G}/players/?min_games=1&ordering=-games_played")) == 4


@pytest.mark.parametrize(("team_size", "matches"), [(1, 1), (8, 12)])
def test_match_endpoints(warm_api, guild, team_size, matches):
    populate(guild, 2 * team_size + 4, matches, team_size)
    match = match_services.match_create(
        guild=guild,
        teams=[list(range(1, team_size + 1)), list(range(team_size + 1, 2 * team_size + 1))],
    )
    url = f"{G}/matches/{match.match_id}/"
    # key, guild, match (+guild), participants (+players)
    assert queries(lambda: warm_api.get(url)) == 4
    # key, guild, count, matches, participants
    assert queries(lambda: warm_api.get(f"{G}/matches/")) == 5
    # key, guild, match; in the transaction (a savepoint under the test's): lock the
    # match, participants, lock players, save match, outcomes, ledger rows, participants'
    # ratings, players' ratings, win probabilities, players' records; then the response's
    # match and participants. Bulk statements, so the same for 2 players or 16.
    assert queries(lambda: warm_api.post(f"{url}complete", {"winning_team": 1})) == 17
    assert queries(lambda: warm_api.get(url)) == 4


@pytest.mark.parametrize("size", [10, 40])
def test_ratings_endpoints(warm_api, guild, size):
    populate(guild, size, size)
    assert (
        queries(lambda: warm_api.get(f"{G}/players/3/history/")) == 5
    )  # key, guild, player, count, page
    assert (
        queries(lambda: warm_api.get(f"{G}/leaderboard/?provisional=true")) == 3
    )  # key, guild, players
    assert queries(lambda: warm_api.get(f"{G}/players/3/stats/")) == 6
    assert queries(lambda: warm_api.get(f"{G}/players/3/versus/4/")) == 5
    assert queries(lambda: warm_api.get(f"{G}/stats/")) == 6


@pytest.mark.parametrize("size", [10, 40])
def test_public_pages(client, guild, size):
    populate(guild, size, size)
    match = guild.matches.order_by("-pk").first()
    gid = guild.discord_id
    assert queries(lambda: client.get("/")) == 1
    assert queries(lambda: client.get(f"/g/{gid}/?provisional=1")) == 2
    assert queries(lambda: client.get(f"/g/{gid}/players/3/")) == 7
    assert queries(lambda: client.get(f"/g/{gid}/matches/{match.match_id}/")) == 3


@pytest.mark.parametrize("size", [10, 40])
def test_admin_changelists(admin_client, guild, size):
    populate(guild, size, size)
    counts = {
        url: queries(lambda url=url: admin_client.get(url))
        for url in [
            "/admin/users/player/",
            "/admin/matches/match/",
            "/admin/ratings/ratingchange/",
            "/admin/users/guild/",
            "/admin/users/apikey/",
            "/admin/users/auditentry/",
        ]
    }
    # The same for 10 and 40 players: sessions, user, count, page (+ filters' choices).
    assert counts == ADMIN_COUNTS, counts


ADMIN_COUNTS = {
    "/admin/users/player/": 7,
    "/admin/matches/match/": 8,
    "/admin/ratings/ratingchange/": 8,
    "/admin/users/guild/": 5,
    "/admin/users/apikey/": 5,
    "/admin/users/auditentry/": 8,
}
