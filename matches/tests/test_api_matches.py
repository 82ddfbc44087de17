"""The matches API: ``/api/v1/guilds/{guild_id}/matches/``, a match, its complete and cancel."""

import math
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from matches import services as match_services
from matches.models import Match
from users.tests.test_api_players import (
    BAD_SNOWFLAKES,
    BAD_URL_SNOWFLAKES,
    GOOD_SNOWFLAKES,
    UNKNOWN_GUILD_ID,
)

MATCH_FIELDS = {
    "match_id",
    "guild_id",
    "status",
    "teams",
    "result",
    "created_by",
    "created_at",
    "completed_at",
}
RECORD = ("games_played", "wins", "losses", "draws")


def url(guild, match=None, action: str = "") -> str:
    """A guild's matches, one match (a ``Match``, a response body or an id) or its action."""
    path = f"/api/v1/guilds/{guild.discord_id}/matches/"
    if match is None:
        return path
    match_id = getattr(match, "match_id", None) or (
        match["match_id"] if isinstance(match, dict) else match
    )
    return f"{path}{match_id}/{action}"


def post_match(client, guild, teams, **fields):
    return client.post(url(guild), {"teams": teams, **fields})


def create_match(client, guild, teams, **fields) -> dict:
    response = post_match(client, guild, teams, **fields)
    assert response.status_code == 201, response.json()
    return response.json()


def complete(client, guild, match, result, slash: bool = False):
    return client.post(url(guild, match, "complete/" if slash else "complete"), result)


def lineup(body: dict) -> list[list[str]]:
    """The teams of a match body as lists of user ids, team 1 first."""
    return [[player["user_id"] for player in team["players"]] for team in body["teams"]]


def record(client, guild, user_id) -> dict:
    """A player's record, as the API shows it."""
    body = client.get(f"/api/v1/guilds/{guild.discord_id}/players/{user_id}/").json()
    return {field: body[field] for field in RECORD}


def rec(games=0, wins=0, losses=0, draws=0) -> dict:
    return {"games_played": games, "wins": wins, "losses": losses, "draws": draws}


def lists_in(body: dict) -> list[list]:
    """Every list in an error body, sorted: where a 400/409 lists the ids concerned."""
    return [sorted(value) for value in body.values() if isinstance(value, list)]


def is_aware_iso(value: str) -> bool:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


# Create -----------------------------------------------------------------------------------


def test_create_returns_201_and_the_pending_match(api, guild, players):
    response = post_match(api, guild, [["1", "2"], ["3", "4"]], created_by="99")

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= MATCH_FIELDS
    uuid.UUID(body["match_id"])
    assert body["guild_id"] == str(guild.discord_id)
    assert body["status"] == "pending"
    assert [team["team"] for team in body["teams"]] == [1, 2]
    assert lineup(body) == [["1", "2"], ["3", "4"]]
    first = body["teams"][0]["players"][0]
    assert (first["username"], first["rating"], first["rd"]) == ("player1", 1500, 350)
    assert body["result"] is None
    assert body["created_by"] == "99"
    assert is_aware_iso(body["created_at"])
    assert body["completed_at"] is None
    assert Match.objects.get().status == Match.Status.PENDING


def test_create_accepts_integer_ids_and_returns_strings(api, guild, players):
    body = create_match(api, guild, [[1, 2], [3, 4]], created_by=99)

    assert lineup(body) == [["1", "2"], ["3", "4"]]
    assert body["created_by"] == "99"


def test_created_by_is_optional(api, guild, players):
    assert create_match(api, guild, [["1"], ["2"]])["created_by"] is None
    assert create_match(api, guild, [["3"], ["4"]], created_by=None)["created_by"] is None


@pytest.mark.parametrize("sent, returned", GOOD_SNOWFLAKES)
def test_created_by_is_returned_as_a_string(api, guild, players, sent, returned):
    assert create_match(api, guild, [["1"], ["2"]], created_by=sent)["created_by"] == returned


@pytest.mark.parametrize("sent, returned", GOOD_SNOWFLAKES)
def test_team_ids_are_accepted_as_strings_or_integers(api, guild, make_player, sent, returned):
    make_player(guild, int(returned))
    make_player(guild, 5)

    body = create_match(api, guild, [[sent], ["5"]])

    assert lineup(body) == [[returned], ["5"]]


@pytest.mark.parametrize("team_count", [2, 3, 8, 16])
def test_a_match_has_2_to_16_teams(api, guild, make_player, team_count):
    for user_id in range(1, team_count + 1):
        make_player(guild, user_id)

    body = create_match(api, guild, [[str(i)] for i in range(1, team_count + 1)])

    assert [team["team"] for team in body["teams"]] == list(range(1, team_count + 1))
    assert lineup(body) == [[str(i)] for i in range(1, team_count + 1)]


@pytest.mark.parametrize(
    "teams",
    [
        pytest.param([], id="no-teams"),
        pytest.param([["1"]], id="one-team"),
        pytest.param([[str(i)] for i in range(1, 18)], id="17-teams"),
        pytest.param([["1"], []], id="an-empty-team"),
        pytest.param([[], []], id="empty-teams"),
        pytest.param([["1", "1"], ["2"]], id="twice-in-a-team"),
        pytest.param([["1", "2"], ["3", "1"]], id="in-two-teams"),
        pytest.param([["1", "2"], [2, "3"]], id="string-and-int-same-id"),
        pytest.param([[str(i) for i in range(1, 202)], ["300"]], id="a-team-of-201"),
        pytest.param([[str(i)] for i in range(1, 10_001)], id="10000-teams"),
    ],
)
def test_a_lineup_that_is_not_a_match_is_400(api, guild, make_player, teams):
    for user_id in range(1, 18):
        make_player(guild, user_id)

    response = post_match(api, guild, teams)

    assert response.status_code == 400
    assert not Match.objects.exists()


def test_a_player_twice_is_400_naming_them(api, guild, players):
    response = post_match(api, guild, [["1", "2"], ["3", "2"]])

    assert response.status_code == 400
    assert ["2"] in lists_in(response.json())
    assert not Match.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-teams"),
        pytest.param({"teams": None}, id="null"),
        pytest.param({"teams": "1,2"}, id="string"),
        pytest.param({"teams": 12}, id="number"),
        pytest.param({"teams": {"1": ["1"], "2": ["2"]}}, id="object"),
        pytest.param({"teams": ["1", "2"]}, id="flat-list"),
        pytest.param({"teams": [["1"], "2"]}, id="a-team-that-is-a-string"),
        pytest.param({"teams": [[["1"]], [["2"]]]}, id="nested-too-deep"),
        pytest.param({"teams": [["1"], [None]]}, id="null-id"),
        pytest.param({"teams": [["1"], [{"user_id": "2"}]]}, id="object-id"),
    ],
)
def test_teams_of_the_wrong_type_are_400(api, guild, players, body):
    response = api.post(url(guild), body)

    assert response.status_code == 400
    assert "teams" in response.json()
    assert not Match.objects.exists()


@pytest.mark.parametrize("user_id", BAD_SNOWFLAKES)
def test_a_team_member_that_is_not_a_snowflake_is_400(api, guild, players, user_id):
    response = post_match(api, guild, [["1", user_id], ["2", "3"]])

    assert response.status_code == 400
    assert "teams" in response.json()
    assert not Match.objects.exists()


@pytest.mark.parametrize("created_by", BAD_SNOWFLAKES)
def test_a_created_by_that_is_not_a_snowflake_is_400(api, guild, players, created_by):
    response = post_match(api, guild, [["1"], ["2"]], created_by=created_by)

    assert response.status_code == 400
    assert "created_by" in response.json()
    assert not Match.objects.exists()


def test_unknown_players_are_400_listing_their_ids(api, guild, other_guild, players, make_player):
    make_player(other_guild, 77)  # registered, but in another guild

    response = post_match(api, guild, [["1", "99"], ["77", "2", "98"]])

    assert response.status_code == 400
    assert "detail" in response.json()
    assert ["77", "98", "99"] in lists_in(response.json())
    assert not Match.objects.exists()


def test_players_in_another_pending_match_are_409_listing_them(api, guild, players):
    create_match(api, guild, [["1", "2"], ["3", "4"]])

    response = post_match(api, guild, [["1", "5"], ["6", "3"]])

    assert response.status_code == 409
    assert "detail" in response.json()
    assert ["1", "3"] in lists_in(response.json())
    assert Match.objects.count() == 1


@pytest.mark.parametrize("finish", ["complete", "cancel"])
def test_players_are_free_again_once_their_match_is_over(api, guild, players, finish):
    first = create_match(api, guild, [["1", "2"], ["3", "4"]])
    body = {"winning_team": 1} if finish == "complete" else None
    assert api.post(url(guild, first, finish), body).status_code == 200

    assert post_match(api, guild, [["1", "5"], ["6", "3"]]).status_code == 201


def test_a_pending_match_in_another_guild_does_not_block(
    api, guild, other_guild, players, make_player
):
    make_player(other_guild, 1)
    make_player(other_guild, 2)
    create_match(api, other_guild, [["1"], ["2"]])

    assert post_match(api, guild, [["1"], ["2"]]).status_code == 201


@pytest.mark.parametrize("guild_id", BAD_URL_SNOWFLAKES)
def test_a_malformed_guild_id_in_the_matches_url_is_400(api, guild, players, guild_id):
    path = f"/api/v1/guilds/{quote(guild_id, safe='')}/matches/"

    listed = api.get(path)
    created = api.post(path, {"teams": [["1"], ["2"]]})

    assert (listed.status_code, created.status_code) == (400, 400)
    assert "guild_id" in listed.json()
    assert not Match.objects.exists()


def test_create_in_an_unknown_guild_is_404(api, db):
    response = api.post(f"/api/v1/guilds/{UNKNOWN_GUILD_ID}/matches/", {"teams": [["1"], ["2"]]})

    assert response.status_code == 404


# Detail -----------------------------------------------------------------------------------


def test_detail_shows_the_teams_team_1_first_with_their_players(api, guild, players):
    created = create_match(api, guild, [["5", "1"], ["2", "9"], ["3"]])

    response = api.get(url(guild, created))

    assert response.status_code == 200
    body = response.json()
    assert [team["team"] for team in body["teams"]] == [1, 2, 3]
    assert sorted(lineup(body)[0]) == ["1", "5"]
    assert sorted(lineup(body)[1]) == ["2", "9"]
    assert lineup(body)[2] == ["3"]
    assert all(
        set(player) >= {"user_id", "username", "rating", "rd"}
        for team in body["teams"]
        for player in team["players"]
    )
    assert body["match_id"] == created["match_id"]


@pytest.mark.parametrize("teams", [[["1", "2"], ["3", "4"]], [["1"], ["2"], ["3"], ["4"]]])
def test_win_probabilities_of_a_pending_match_sum_to_1(api, guild, make_player, teams):
    for user_id, rating in [(1, 1900), (2, 1400), (3, 1600), (4, 1500)]:
        make_player(guild, user_id, rating=rating)

    body = api.get(url(guild, create_match(api, guild, teams))).json()

    per_team = [team["win_probability"] for team in body["teams"]]
    assert math.isclose(sum(per_team), 1.0)
    assert all(0 < p < 1 for p in per_team)
    assert per_team == pytest.approx(body["win_probability"])


def test_the_stronger_team_is_favoured(api, guild, make_player):
    make_player(guild, 1, rating=2000)
    make_player(guild, 2, rating=1200)

    body = api.get(url(guild, create_match(api, guild, [["1"], ["2"]]))).json()

    assert body["teams"][0]["win_probability"] > body["teams"][1]["win_probability"]


def test_detail_of_a_completed_match_shows_its_result_and_outcomes(api, guild, players):
    created = create_match(api, guild, [["1"], ["2"]])
    complete(api, guild, created, {"winning_team": 2})

    body = api.get(url(guild, created)).json()

    assert body["status"] == "completed"
    assert body["result"]["winning_team"] == 2
    assert body["result"]["draw"] is False
    assert is_aware_iso(body["completed_at"])
    outcomes = [team["players"][0]["outcome"] for team in body["teams"]]
    assert outcomes == ["loss", "win"]


def test_an_unknown_match_is_404(api, guild):
    response = api.get(url(guild, uuid.uuid4()))

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_match_of_another_guild_is_404_here(api, guild, other_guild, make_player):
    make_player(other_guild, 1)
    make_player(other_guild, 2)
    theirs = create_match(api, other_guild, [["1"], ["2"]])

    assert api.get(url(guild, theirs)).status_code == 404
    assert complete(api, guild, theirs, {"winning_team": 1}).status_code == 404
    assert api.post(url(guild, theirs, "cancel")).status_code == 404
    assert Match.objects.get().status == Match.Status.PENDING


@pytest.mark.parametrize(
    "match_id",
    ["abc", "123", "not-a-uuid-at-all", "1" * 40, "00000000-0000-0000-0000-00000000000g"],
)
def test_a_malformed_match_id_is_400(api, guild, players, match_id):
    create_match(api, guild, [["1"], ["2"]])

    got = api.get(url(guild, match_id))
    completed = complete(api, guild, match_id, {"winning_team": 1})
    cancelled = api.post(url(guild, match_id, "cancel"))

    assert (got.status_code, completed.status_code, cancelled.status_code) == (400, 400, 400)
    assert "match_id" in got.json()
    assert Match.objects.get().status == Match.Status.PENDING


# List -------------------------------------------------------------------------------------


def at(day: int) -> datetime:
    return datetime(2024, 1, day, 12, tzinfo=UTC)


@pytest.fixture
def history(guild, players, make_match):
    """Three matches on 1, 2 and 3 January 2024: completed, cancelled, pending."""
    old = make_match(guild, [[1], [2]], created_at=at(1), result={"winning_team": 1})
    cancelled = match_services.match_cancel(match=make_match(guild, [[3], [4]], created_at=at(2)))
    new = make_match(guild, [[1], [5]], created_at=at(3))
    return {
        "completed": str(old.match_id),
        "cancelled": str(cancelled.match_id),
        "pending": str(new.match_id),
    }


def match_ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [match["match_id"] for match in response.json()["results"]]


def test_the_list_is_newest_first_in_a_paginated_envelope(api, guild, history):
    response = api.get(url(guild))

    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert match_ids(response) == [history["pending"], history["cancelled"], history["completed"]]
    assert set(body["results"][0]) >= MATCH_FIELDS


def test_the_list_shows_only_this_guilds_matches(api, guild, other_guild, history, make_player):
    make_player(other_guild, 1)
    make_player(other_guild, 2)
    theirs = create_match(api, other_guild, [["1"], ["2"]])

    assert theirs["match_id"] not in match_ids(api.get(url(guild)))
    assert match_ids(api.get(url(other_guild))) == [theirs["match_id"]]


def test_the_list_is_paginated_50_a_page(api, guild, make_player, make_match):
    make_player(guild, 1)
    make_player(guild, 2)
    for day in range(1, 56):
        make_match(
            guild, [[1], [2]], created_at=at(1) + timedelta(hours=day), result={"draw": True}
        )

    first = api.get(url(guild)).json()
    second = api.get(first["next"]).json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (55, 50, 5)
    assert api.get(url(guild), {"page_size": 500}).json()["count"] == 55


@pytest.mark.parametrize("status", ["pending", "completed", "cancelled"])
def test_filter_by_status(api, guild, history, status):
    assert match_ids(api.get(url(guild), {"status": status})) == [history[status]]


def test_filter_by_player(api, guild, history):
    assert match_ids(api.get(url(guild), {"player": "1"})) == [
        history["pending"],
        history["completed"],
    ]
    assert match_ids(api.get(url(guild), {"player": 4})) == [history["cancelled"]]
    assert match_ids(api.get(url(guild), {"player": "10"})) == []


def test_filter_by_creation_time(api, guild, history):
    after = match_ids(api.get(url(guild), {"created_after": "2024-01-02T00:00:00Z"}))
    before = match_ids(api.get(url(guild), {"created_before": "2024-01-02T00:00:00Z"}))
    between = match_ids(
        api.get(
            url(guild),
            {
                "created_after": "2024-01-01T13:00:00Z",
                "created_before": "2024-01-02T13:00:00+00:00",
            },
        )
    )

    assert after == [history["pending"], history["cancelled"]]
    assert before == [history["completed"]]
    assert between == [history["cancelled"]]


def test_filters_combine(api, guild, history):
    response = api.get(url(guild), {"player": "1", "status": "completed"})

    assert match_ids(response) == [history["completed"]]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"status": "finished"}, id="status-unknown"),
        pytest.param({"status": "PENDING"}, id="status-case"),
        pytest.param({"player": "abc"}, id="player-letters"),
        pytest.param({"player": "0"}, id="player-zero"),
        pytest.param({"player": "-1"}, id="player-negative"),
        pytest.param({"player": str(2**63)}, id="player-2^63"),
        pytest.param({"player": "1.5"}, id="player-float"),
        pytest.param({"created_after": "yesterday"}, id="after-words"),
        pytest.param({"created_after": "2024-13-45T00:00:00Z"}, id="after-impossible-date"),
        pytest.param({"created_before": "12345"}, id="before-number"),
    ],
)
def test_an_invalid_filter_is_400_naming_it(api, guild, history, params):
    response = api.get(url(guild), params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


# Complete ---------------------------------------------------------------------------------


@pytest.fixture
def match(api, guild, players):
    """A pending 2v2: players 1 and 2 against 3 and 4."""
    return create_match(api, guild, [["1", "2"], ["3", "4"]])


def test_complete_with_a_winning_team(api, guild, match):
    response = complete(api, guild, match, {"winning_team": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["match_id"] == match["match_id"]
    assert body["status"] == "completed"
    assert body["result"] == {"winning_team": 2, "draw": False, "placements": [2, 1]}
    assert is_aware_iso(body["completed_at"])
    assert record(api, guild, 1) == record(api, guild, 2) == rec(games=1, losses=1)
    assert record(api, guild, 3) == record(api, guild, 4) == rec(games=1, wins=1)


def test_complete_with_a_draw(api, guild, match):
    response = complete(api, guild, match, {"draw": True})

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert response.json()["result"]["draw"] is True
    assert response.json()["result"]["winning_team"] is None
    for user_id in (1, 2, 3, 4):
        assert record(api, guild, user_id) == rec(games=1, draws=1)


def test_complete_with_placements(api, guild, players):
    created = create_match(api, guild, [["1"], ["2"], ["3"]])

    response = complete(api, guild, created, {"placements": [2, 1, 3]})

    assert response.status_code == 200
    assert response.json()["result"]["placements"] == [2, 1, 3]
    assert response.json()["result"]["winning_team"] == 2
    assert record(api, guild, 1) == rec(games=1, losses=1)
    assert record(api, guild, 2) == rec(games=1, wins=1)
    assert record(api, guild, 3) == rec(games=1, losses=1)


def test_complete_with_placements_that_share_first_place(api, guild, players):
    created = create_match(api, guild, [["1"], ["2"], ["3"]])

    response = complete(api, guild, created, {"placements": [1, 1, 2]})

    assert response.status_code == 200
    assert response.json()["result"]["placements"] == [1, 1, 2]
    assert response.json()["result"]["draw"] is False
    assert record(api, guild, 1) == record(api, guild, 2) == rec(games=1, draws=1)
    assert record(api, guild, 3) == rec(games=1, losses=1)


def test_complete_with_placements_that_share_a_lower_place(api, guild, players):
    created = create_match(api, guild, [["1"], ["2"], ["3"], ["4"]])

    response = complete(api, guild, created, {"placements": [1, 2, 2, 4]})

    assert response.status_code == 200
    assert response.json()["result"]["winning_team"] == 1
    assert record(api, guild, 1) == rec(games=1, wins=1)
    assert record(api, guild, 4) == rec(games=1, losses=1)


@pytest.mark.parametrize("slash", [False, True], ids=["complete", "complete/"])
def test_complete_answers_with_and_without_a_trailing_slash(api, guild, match, slash):
    response = complete(api, guild, match, {"winning_team": 1}, slash=slash)

    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_completing_updates_every_participant_and_no_one_else(api, guild, players):
    created = create_match(api, guild, [["1", "2", "3", "4", "5"], ["6", "7", "8", "9"]])

    response = complete(api, guild, created, {"winning_team": 1})

    completed_at = response.json()["completed_at"]
    for user_id in (1, 2, 3, 4, 5):
        assert record(api, guild, user_id) == rec(games=1, wins=1)
    for user_id in (6, 7, 8, 9):
        assert record(api, guild, user_id) == rec(games=1, losses=1)
    assert record(api, guild, 10) == rec()
    played = api.get(f"/api/v1/guilds/{guild.discord_id}/players/1/").json()["last_played_at"]
    assert played == completed_at


def test_records_add_up_over_several_matches(api, guild, players):
    for result in ({"winning_team": 1}, {"winning_team": 2}, {"draw": True}, {"winning_team": 1}):
        complete(api, guild, create_match(api, guild, [["1"], ["2"]]), result)

    assert record(api, guild, 1) == rec(games=4, wins=2, losses=1, draws=1)
    assert record(api, guild, 2) == rec(games=4, wins=1, losses=2, draws=1)


@pytest.mark.parametrize(
    "result",
    [
        pytest.param({}, id="empty"),
        pytest.param({"winning_team": 0}, id="team-0"),
        pytest.param({"winning_team": 3}, id="team-3-of-2"),
        pytest.param({"winning_team": 17}, id="team-17"),
        pytest.param({"winning_team": -1}, id="team-negative"),
        pytest.param({"winning_team": 10**30}, id="team-huge"),
        pytest.param({"winning_team": 1.5}, id="team-float"),
        pytest.param({"winning_team": "first"}, id="team-word"),
        pytest.param({"winning_team": True}, id="team-bool"),
        pytest.param({"winning_team": None}, id="team-null"),
        pytest.param({"winning_team": [1]}, id="team-list"),
        pytest.param({"draw": False}, id="draw-false"),
        pytest.param({"draw": "maybe"}, id="draw-word"),
        pytest.param({"draw": None}, id="draw-null"),
        pytest.param({"placements": [1]}, id="placements-too-short"),
        pytest.param({"placements": [1, 2, 3]}, id="placements-too-long"),
        pytest.param({"placements": []}, id="placements-empty"),
        pytest.param({"placements": [2, 2]}, id="nobody-first"),
        pytest.param({"placements": [1, 3]}, id="placement-beyond-team-count"),
        pytest.param({"placements": [0, 1]}, id="placement-0"),
        pytest.param({"placements": [1, -2]}, id="placement-negative"),
        pytest.param({"placements": [1, "second"]}, id="placement-word"),
        pytest.param({"placements": [1, None]}, id="placement-null"),
        pytest.param({"placements": "1,2"}, id="placements-string"),
        pytest.param({"placements": list(range(1, 10_001))}, id="placements-10000"),
        pytest.param({"winning_team": 1, "draw": True}, id="winner-and-draw"),
        pytest.param({"winning_team": 1, "placements": [1, 2]}, id="winner-and-placements"),
        pytest.param({"draw": True, "placements": [1, 1]}, id="draw-and-placements"),
    ],
)
def test_a_result_that_does_not_fit_the_match_is_400(api, guild, match, result):
    response = complete(api, guild, match, result)

    assert response.status_code == 400
    assert response.json()
    assert api.get(url(guild, match)).json()["status"] == "pending"
    assert record(api, guild, 1) == rec()


@pytest.mark.parametrize(
    "raw", ["", "[]", '[{"winning_team": 1}]', "1", "null", '{"winning_team": ', "{'draw': true}"]
)
def test_a_result_body_that_is_not_a_json_object_is_400(api, guild, match, raw):
    response = api.post(url(guild, match, "complete"), data=raw, content_type="application/json")

    assert response.status_code == 400
    assert Match.objects.get().status == Match.Status.PENDING


def test_a_form_encoded_result_is_415(api, guild, match):
    response = api.post(
        url(guild, match, "complete"),
        data="winning_team=1",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    assert Match.objects.get().status == Match.Status.PENDING


def test_completing_twice_is_409_and_the_first_result_stands(api, guild, match):
    first = complete(api, guild, match, {"winning_team": 1})

    again = complete(api, guild, match, {"winning_team": 2})
    same = complete(api, guild, match, {"winning_team": 1})

    assert (first.status_code, again.status_code, same.status_code) == (200, 409, 409)
    assert "detail" in again.json()
    body = api.get(url(guild, match)).json()
    assert body["result"]["winning_team"] == 1
    assert body["completed_at"] == first.json()["completed_at"]
    assert record(api, guild, 1) == rec(games=1, wins=1)
    assert record(api, guild, 3) == rec(games=1, losses=1)


def test_completing_an_unknown_match_is_404(api, guild, players):
    assert complete(api, guild, uuid.uuid4(), {"winning_team": 1}).status_code == 404


# Cancel -----------------------------------------------------------------------------------


def test_cancel_a_pending_match(api, guild, match):
    before = [api.get(f"/api/v1/guilds/{guild.discord_id}/players/{i}/").json() for i in (1, 3)]

    response = api.post(url(guild, match, "cancel"))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["result"] is None
    assert response.json()["completed_at"] is None
    after = [api.get(f"/api/v1/guilds/{guild.discord_id}/players/{i}/").json() for i in (1, 3)]
    for old, new in zip(before, after, strict=True):
        assert {k: new[k] for k in RECORD} == rec()
        assert (new["rating"], new["volatility"]) == (old["rating"], old["volatility"])
        assert new["rd"] == pytest.approx(old["rd"])
        assert new["last_played_at"] is None


@pytest.mark.parametrize("slash", [False, True], ids=["cancel", "cancel/"])
def test_cancel_answers_with_and_without_a_trailing_slash(api, guild, match, slash):
    response = api.post(url(guild, match, "cancel/" if slash else "cancel"))

    assert response.status_code == 200


def test_cancel_ignores_a_body(api, guild, match):
    assert api.post(url(guild, match, "cancel"), {"reason": "no-show"}).status_code == 200


def test_cancel_a_completed_match_is_409_and_it_stays_completed(api, guild, match):
    complete(api, guild, match, {"winning_team": 1})

    response = api.post(url(guild, match, "cancel"))

    assert response.status_code == 409
    assert "detail" in response.json()
    body = api.get(url(guild, match)).json()
    assert (body["status"], body["result"]["winning_team"]) == ("completed", 1)
    assert record(api, guild, 1) == rec(games=1, wins=1)


def test_cancel_a_cancelled_match_is_409(api, guild, match):
    api.post(url(guild, match, "cancel"))

    response = api.post(url(guild, match, "cancel"))

    assert response.status_code == 409
    assert api.get(url(guild, match)).json()["status"] == "cancelled"


def test_complete_a_cancelled_match_is_409(api, guild, match):
    api.post(url(guild, match, "cancel"))

    response = complete(api, guild, match, {"winning_team": 1})

    assert response.status_code == 409
    body = api.get(url(guild, match)).json()
    assert (body["status"], body["result"]) == ("cancelled", None)
    assert record(api, guild, 1) == rec()


def test_cancel_an_unknown_match_is_404(api, guild):
    assert api.post(url(guild, uuid.uuid4(), "cancel")).status_code == 404


# Create: bodies that are not JSON objects -------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "[]",
        '[["1"], ["2"]]',
        "null",
        '{"teams": [["1"], ["2"]]',
        '{"teams": [["1"], ["2"]], "created_by": NaN}',
        "[" * 100_000,
    ],
    ids=["empty", "list", "bare-teams", "null", "truncated", "nan", "deeply-nested"],
)
def test_a_create_body_that_is_not_a_json_object_is_4xx(api, guild, players, raw):
    response = api.post(url(guild), data=raw, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert not Match.objects.exists()


def test_a_form_encoded_create_is_415(api, guild, players):
    response = api.post(
        url(guild), data="teams=1&teams=2", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert not Match.objects.exists()


def test_unknown_players_are_listed_even_when_the_lineup_is_large(api, guild, players):
    teams = [[str(i) for i in range(1, 6)], [str(i) for i in range(1000, 1050)]]

    response = post_match(api, guild, teams)

    assert response.status_code == 400
    listed = next(ids for ids in lists_in(response.json()) if "1000" in ids)
    assert sorted(listed, key=int) == [str(i) for i in range(1000, 1050)]
    assert not Match.objects.exists()
