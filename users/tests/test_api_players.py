"""The players API: ``/api/v1/guilds/{guild_id}/players/`` and ``…/players/{user_id}/``.

Also home of the snowflake matrices the other API tests import: what a Discord id is
(accepted as a JSON string or integer, returned as a string) and what it is not (a 400).
"""

import json
from datetime import datetime
from urllib.parse import quote

import pytest

from teambalance.parsers import JSONParser
from users.models import Guild, Player

SNOWFLAKE_MAX = 2**63 - 1
UNKNOWN_GUILD_ID = 333333333333333333

# Discord ids as a bot may send them in a JSON body, and how they come back.
GOOD_SNOWFLAKES = [
    pytest.param(1, "1", id="int-1"),
    pytest.param("1", "1", id="str-1"),
    pytest.param(80351110224678912, "80351110224678912", id="int-real-id"),
    pytest.param("80351110224678912", "80351110224678912", id="str-real-id"),
    pytest.param(SNOWFLAKE_MAX, str(SNOWFLAKE_MAX), id="int-2^63-1"),
    pytest.param(str(SNOWFLAKE_MAX), str(SNOWFLAKE_MAX), id="str-2^63-1"),
]

# Not Discord ids, in a JSON body: each must be a 400, never a 500 and never accepted.
BAD_SNOWFLAKES = [
    pytest.param(0, id="zero"),
    pytest.param(-1, id="negative"),
    pytest.param(2**63, id="2^63"),
    pytest.param(9999999999999999999999, id="huge"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="true"),
    pytest.param("abc", id="letters"),
    pytest.param("", id="empty"),
    pytest.param(" 12", id="leading-space"),
    pytest.param("12 ", id="trailing-space"),
    pytest.param("1e3", id="exponent"),
    pytest.param("0", id="str-zero"),
    pytest.param("-1", id="str-negative"),
    pytest.param("+12", id="str-plus"),
    pytest.param(str(2**63), id="str-2^63"),
    pytest.param("9999999999999999999999", id="str-huge"),
    pytest.param("\u0661\u0662", id="arabic-indic-digits"),
    pytest.param(["12"], id="list"),
    pytest.param({"id": "12"}, id="object"),
]

# Not Discord ids, as a URL path segment (quoted into the URL by the tests).
BAD_URL_SNOWFLAKES = [
    pytest.param("0", id="zero"),
    pytest.param("-1", id="negative"),
    pytest.param(str(2**63), id="2^63"),
    pytest.param("9999999999999999999999", id="huge"),
    pytest.param("abc", id="letters"),
    pytest.param("1.5", id="float"),
    pytest.param("true", id="true"),
    pytest.param(" 12", id="leading-space"),
    pytest.param("12 ", id="trailing-space"),
    pytest.param("1e3", id="exponent"),
    pytest.param("+12", id="plus"),
    pytest.param("0x1f", id="hex"),
    pytest.param("\u0661\u0662", id="arabic-indic-digits"),
    pytest.param("12\x00", id="nul"),
]

# What the issue names as a player's JSON (more may be added, none may be missing).
PLAYER_FIELDS = {
    "user_id",
    "guild_id",
    "username",
    "region",
    "rating",
    "rd",
    "volatility",
    "games_played",
    "wins",
    "losses",
    "draws",
    "last_played_at",
    "created_at",
    "updated_at",
}

# Fields a bot must never be able to set after creation (nor, apart from the seeded
# rating/rd/volatility, at creation).
MASS_ASSIGNMENT = {
    "rating": 3000,
    "rd": 40,
    "volatility": 0.09,
    "games_played": 99,
    "wins": 99,
    "losses": 0,
    "draws": 0,
    "last_played_at": "2020-01-01T00:00:00Z",
    "created_at": "2020-01-01T00:00:00Z",
}
RECORD = ["rating", "rd", "volatility", "games_played", "wins", "losses", "draws", "last_played_at"]


def url(guild_id, user_id=None) -> str:
    """The players collection of a guild, or one player in it (ids quoted as given)."""
    base = f"/api/v1/guilds/{quote(str(guild_id), safe='')}/players/"
    return base if user_id is None else f"{base}{quote(str(user_id), safe='')}/"


def register(client, guild_id, user_id, username=None, **fields):
    body = {"user_id": user_id, "username": username or f"player{user_id}", **fields}
    return client.post(url(guild_id, None), body)


def record_of(body: dict) -> dict:
    """A player's rating and record; the RD rounded, since it grows with idle time."""
    return {field: round(body[field], 3) if field == "rd" else body[field] for field in RECORD}


def user_ids(response) -> list[str]:
    return [player["user_id"] for player in response.json()["results"]]


def is_aware_iso(value: str) -> bool:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


def bulk_players(guild, count: int, start: int = 1) -> None:
    """``count`` players with user ids from ``start``: only to fill pages quickly."""
    Player.objects.bulk_create(
        Player(guild=guild, user_id=i, username=f"bulk{i:04d}") for i in range(start, start + count)
    )


# Register (POST) --------------------------------------------------------------------------


def test_register_returns_201_and_the_new_player_with_default_rating(api, guild):
    response = register(api, guild.discord_id, "42", "Alice", region="EU")

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= PLAYER_FIELDS
    assert body["user_id"] == "42"
    assert body["guild_id"] == str(guild.discord_id)
    assert (body["username"], body["region"]) == ("Alice", "EU")
    assert (body["rating"], body["rd"], body["volatility"]) == (1500, 350, 0.06)
    assert (body["games_played"], body["wins"], body["losses"], body["draws"]) == (0, 0, 0, 0)
    assert body["last_played_at"] is None
    assert is_aware_iso(body["created_at"])
    assert is_aware_iso(body["updated_at"])
    assert api.get(url(guild.discord_id, 42)).json() == body


def test_register_without_region_leaves_it_blank(api, guild):
    response = register(api, guild.discord_id, 42, "Alice")

    assert response.status_code == 201
    assert response.json()["region"] == ""


def test_register_an_existing_player_is_409_and_keeps_the_first(api, guild):
    register(api, guild.discord_id, 42, "Alice", rating=1800)

    response = register(api, guild.discord_id, 42, "Mallory")

    assert response.status_code == 409
    assert "detail" in response.json()
    player = api.get(url(guild.discord_id, 42)).json()
    assert (player["username"], player["rating"]) == ("Alice", 1800)
    assert Player.objects.filter(user_id=42).count() == 1


def test_the_same_member_registers_separately_in_each_guild(api, guild, other_guild):
    assert register(api, guild.discord_id, 42, "Alice").status_code == 201
    assert register(api, other_guild.discord_id, 42, "Alice").status_code == 201

    assert Player.objects.filter(user_id=42).count() == 2


def test_register_in_a_guild_seen_for_the_first_time_creates_the_guild(api, db):
    response = register(api, UNKNOWN_GUILD_ID, 42, "Alice")

    assert response.status_code == 201
    assert response.json()["guild_id"] == str(UNKNOWN_GUILD_ID)
    assert Guild.objects.filter(discord_id=UNKNOWN_GUILD_ID).exists()


def test_register_with_a_seeded_rating(api, guild):
    response = register(api, guild.discord_id, 42, rating=1850, rd=80, volatility=0.05)

    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["rd"], body["volatility"]) == (1850, 80, 0.05)
    player = Player.objects.get(user_id=42)
    assert (player.rating, player.rd, player.volatility) == (1850, 80, 0.05)


@pytest.mark.parametrize(
    "seed",
    [
        pytest.param({"rating": -1}, id="rating-negative"),
        pytest.param({"rating": 1_000_000}, id="rating-million"),
        pytest.param({"rating": 10**400}, id="rating-overflows-float"),
        pytest.param({"rd": 0}, id="rd-zero"),
        pytest.param({"rd": -50}, id="rd-negative"),
        pytest.param({"rd": 1000}, id="rd-above-new-player"),
        pytest.param({"volatility": 0}, id="volatility-zero"),
        pytest.param({"volatility": -0.06}, id="volatility-negative"),
        pytest.param({"volatility": 1.0}, id="volatility-huge"),
    ],
)
def test_register_with_an_out_of_range_seed_is_400_naming_the_field(api, guild, seed):
    response = register(api, guild.discord_id, 42, **seed)

    assert response.status_code == 400
    assert set(seed) <= set(response.json())
    assert not Player.objects.filter(user_id=42).exists()


@pytest.mark.parametrize(
    "seed",
    [
        pytest.param({"rating": "abc"}, id="rating-letters"),
        pytest.param({"rating": "nan"}, id="rating-nan-string"),
        pytest.param({"rating": True}, id="rating-bool"),
        pytest.param({"rating": [1500]}, id="rating-list"),
        pytest.param({"rating": {"value": 1500}}, id="rating-object"),
        pytest.param({"volatility": "0.06x"}, id="volatility-junk"),
    ],
)
def test_register_with_a_seed_of_the_wrong_type_is_400_naming_the_field(api, guild, seed):
    response = register(api, guild.discord_id, 42, **seed)

    assert response.status_code == 400
    assert set(seed) <= set(response.json())
    assert not Player.objects.filter(user_id=42).exists()


def test_register_ignores_counters_and_times_in_the_body(api, guild):
    counters = {k: v for k, v in MASS_ASSIGNMENT.items() if k not in {"rating", "rd", "volatility"}}

    response = register(api, guild.discord_id, 42, **counters)

    assert response.status_code == 201
    body = response.json()
    assert (body["games_played"], body["wins"], body["last_played_at"]) == (0, 0, None)
    assert not body["created_at"].startswith("2020")


@pytest.mark.parametrize(
    "body, fields",
    [
        pytest.param({}, {"user_id", "username"}, id="empty"),
        pytest.param({"username": "Alice"}, {"user_id"}, id="no-user-id"),
        pytest.param({"user_id": "42"}, {"username"}, id="no-username"),
        pytest.param({"user_id": None, "username": "Alice"}, {"user_id"}, id="null-user-id"),
        pytest.param({"user_id": "42", "username": None}, {"username"}, id="null-username"),
        pytest.param({"user_id": "42", "username": ""}, {"username"}, id="blank-username"),
        pytest.param({"user_id": "42", "username": "   "}, {"username"}, id="spaces-username"),
        pytest.param({"user_id": "42", "username": "x" * 101}, {"username"}, id="username-101"),
        pytest.param(
            {"user_id": "42", "username": "x" * 100_000}, {"username"}, id="username-100k"
        ),
        pytest.param({"user_id": "42", "username": "Al\x00ice"}, {"username"}, id="username-nul"),
        pytest.param({"user_id": "42", "username": ["Alice"]}, {"username"}, id="username-list"),
        pytest.param({"user_id": "42", "username": {"a": 1}}, {"username"}, id="username-object"),
        pytest.param({"user_id": "42", "username": True}, {"username"}, id="username-bool"),
        pytest.param(
            {"user_id": "42", "username": "A", "region": "E\x00U"}, {"region"}, id="region-nul"
        ),
        pytest.param(
            {"user_id": "42", "username": "A", "region": "x" * 17}, {"region"}, id="region-17"
        ),
        pytest.param(
            {"user_id": "42", "username": "A", "region": "E U!"}, {"region"}, id="region-junk"
        ),
        pytest.param(
            {"user_id": "42", "username": "A", "region": ["EU"]}, {"region"}, id="region-list"
        ),
    ],
)
def test_register_with_a_bad_field_is_400_naming_it(api, guild, body, fields):
    response = api.post(url(guild.discord_id), body)

    assert response.status_code == 400
    assert fields <= set(response.json())
    assert not Player.objects.exists()


def test_a_username_of_100_characters_is_accepted(api, guild):
    response = register(api, guild.discord_id, 42, "x" * 100)

    assert response.status_code == 201
    assert response.json()["username"] == "x" * 100


# Snowflakes -------------------------------------------------------------------------------


@pytest.mark.parametrize("sent, returned", GOOD_SNOWFLAKES)
def test_user_id_is_accepted_as_string_or_integer_and_returned_as_string(
    api, guild, sent, returned
):
    response = register(api, guild.discord_id, sent, "Alice")

    assert response.status_code == 201
    assert response.json()["user_id"] == returned
    assert api.get(url(guild.discord_id, returned)).json()["user_id"] == returned


@pytest.mark.parametrize("user_id", BAD_SNOWFLAKES)
def test_a_user_id_that_is_not_a_snowflake_is_400(api, guild, user_id):
    response = register(api, guild.discord_id, user_id, "Alice")

    assert response.status_code == 400
    assert "user_id" in response.json()
    assert not Player.objects.exists()


@pytest.mark.parametrize("guild_id", BAD_URL_SNOWFLAKES)
@pytest.mark.parametrize(
    "method, body",
    [("get", None), ("post", {"user_id": "42", "username": "Alice"})],
)
def test_a_malformed_guild_id_in_the_players_url_is_400(api, db, guild_id, method, body):
    response = getattr(api, method)(url(guild_id), body)

    assert response.status_code == 400
    assert "guild_id" in response.json()
    assert not Guild.objects.exists()


@pytest.mark.parametrize("user_id", BAD_URL_SNOWFLAKES)
@pytest.mark.parametrize(
    "method, body",
    [
        ("get", None),
        ("put", {"username": "Alice"}),
        ("patch", {"username": "Alice"}),
        ("delete", None),
    ],
)
def test_a_malformed_user_id_in_the_url_is_400(api, guild, user_id, method, body):
    response = getattr(api, method)(url(guild.discord_id, user_id), body)

    assert response.status_code == 400
    assert "user_id" in response.json()
    assert not Player.objects.exists()


def test_the_largest_snowflake_works_in_urls(api, guild):
    response = api.put(url(SNOWFLAKE_MAX, SNOWFLAKE_MAX), {"username": "Max"})

    assert response.status_code == 201
    body = response.json()
    assert (body["guild_id"], body["user_id"]) == (str(SNOWFLAKE_MAX), str(SNOWFLAKE_MAX))
    assert api.get(url(SNOWFLAKE_MAX, SNOWFLAKE_MAX)).status_code == 200


# Detail (GET) -----------------------------------------------------------------------------


def test_get_an_unknown_player_is_404(api, guild):
    response = api.get(url(guild.discord_id, 42))

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_player_of_another_guild_is_not_found_here(api, guild, other_guild, make_player):
    make_player(other_guild, 42)

    assert api.get(url(guild.discord_id, 42)).status_code == 404
    assert api.get(url(other_guild.discord_id, 42)).status_code == 200


def test_players_of_an_unknown_guild_are_404(api, db):
    assert api.get(url(UNKNOWN_GUILD_ID)).status_code == 404
    assert api.get(url(UNKNOWN_GUILD_ID, 42)).status_code == 404
    assert not Guild.objects.exists()


# List: pagination -------------------------------------------------------------------------


def test_the_list_is_paginated_50_a_page_by_default(api, guild):
    bulk_players(guild, 60)

    first = api.get(url(guild.discord_id))

    assert first.status_code == 200
    body = first.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 60
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"]
    second = api.get(body["next"]).json()
    assert second["count"] == 60
    assert len(second["results"]) == 10
    assert second["next"] is None
    assert second["previous"]
    everyone = {p["user_id"] for p in body["results"] + second["results"]}
    assert everyone == {str(i) for i in range(1, 61)}


def test_page_size_picks_the_page_length(api, guild):
    bulk_players(guild, 25)

    body = api.get(url(guild.discord_id), {"page_size": 10}).json()

    assert (body["count"], len(body["results"])) == (25, 10)
    assert "page_size=10" in body["next"]


@pytest.mark.parametrize("page_size", [200, 201, 1000, 10**30])
def test_page_size_is_capped_at_200(api, guild, page_size):
    bulk_players(guild, 205)

    response = api.get(url(guild.discord_id), {"page_size": page_size})

    assert response.status_code == 200
    assert (response.json()["count"], len(response.json()["results"])) == (205, 200)


def test_the_list_shows_only_this_guilds_players(api, guild, other_guild, make_player):
    make_player(guild, 1)
    make_player(other_guild, 2)

    assert user_ids(api.get(url(guild.discord_id))) == ["1"]
    assert user_ids(api.get(url(other_guild.discord_id))) == ["2"]


def test_an_empty_guild_lists_no_players(api, guild):
    body = api.get(url(guild.discord_id)).json()

    assert (body["count"], body["results"], body["next"]) == (0, [], None)


# List: filters ----------------------------------------------------------------------------


@pytest.fixture
def roster(guild, make_player):
    make_player(guild, 1, "Alice", region="EU")
    make_player(guild, 2, "alicia", region="eu")
    make_player(guild, 3, "Bob", region="NA")
    make_player(guild, 4, "Carol")


def test_search_finds_part_of_a_username_whatever_the_case(api, guild, roster):
    assert sorted(user_ids(api.get(url(guild.discord_id), {"search": "ALI"}))) == ["1", "2"]
    assert user_ids(api.get(url(guild.discord_id), {"search": "ob"})) == ["3"]
    assert user_ids(api.get(url(guild.discord_id), {"search": "nobody"})) == []


def test_region_filters_by_region_code(api, guild, roster):
    assert sorted(user_ids(api.get(url(guild.discord_id), {"region": "EU"}))) == ["1", "2"]
    assert user_ids(api.get(url(guild.discord_id), {"region": "NA"})) == ["3"]


def test_min_games_keeps_players_with_at_least_that_many(api, guild, players, make_match):
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    make_match(guild, [[1], [3]], result={"draw": True})

    assert user_ids(api.get(url(guild.discord_id), {"min_games": 2})) == ["1"]
    assert sorted(user_ids(api.get(url(guild.discord_id), {"min_games": 1}))) == ["1", "2", "3"]
    assert api.get(url(guild.discord_id), {"min_games": 0}).json()["count"] == 10


def test_filters_combine(api, guild, roster):
    response = api.get(url(guild.discord_id), {"search": "ali", "region": "eu", "min_games": 0})

    assert sorted(user_ids(response)) == ["1", "2"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"min_games": "abc"}, id="min-games-letters"),
        pytest.param({"min_games": -1}, id="min-games-negative"),
        pytest.param({"ordering": "rd"}, id="ordering-unlisted-field"),
        pytest.param({"ordering": "password"}, id="ordering-junk"),
        pytest.param({"ordering": "--rating"}, id="ordering-double-minus"),
        pytest.param({"search": "a\x00b"}, id="search-nul"),
    ],
)
def test_an_invalid_filter_or_ordering_is_400(api, guild, roster, params):
    response = api.get(url(guild.discord_id), params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"page": "abc"}, id="page-letters"),
        pytest.param({"page": 10**30}, id="page-huge"),
        pytest.param({"page": 0}, id="page-zero"),
        pytest.param({"page_size": "abc"}, id="page-size-letters"),
        pytest.param({"page_size": -5}, id="page-size-negative"),
        pytest.param({"search": "x" * 5000}, id="search-5000"),
        pytest.param({"region": "x" * 5000}, id="region-5000"),
        pytest.param({"min_games": 10**30}, id="min-games-huge"),
    ],
)
def test_odd_query_parameters_are_answered_without_a_server_error(api, guild, roster, params):
    response = api.get(url(guild.discord_id), params)

    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"


# List: ordering ---------------------------------------------------------------------------


@pytest.fixture
def ranked(guild, make_player, make_match):
    """Four players with different ratings, usernames, games played (1, 3, 2, 0) and
    last games (player 1's first match before players 2 and 3's last; player 4 never)."""
    make_player(guild, 1, "anna", rating=1800)
    make_player(guild, 2, "bert", rating=1200)
    make_player(guild, 3, "cleo", rating=1500)
    make_player(guild, 4, "dora", rating=2100)
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    make_match(guild, [[2], [3]], result={"winning_team": 1})
    make_match(guild, [[3], [2]], result={"winning_team": 1})


@pytest.mark.parametrize(
    "ordering, field",
    [
        ("rating", "rating"),
        ("games_played", "games_played"),
        ("username", "username"),
        ("last_played", "last_played_at"),
    ],
)
def test_ordering_sorts_both_ways(api, guild, ranked, ordering, field):
    # Players who never played have no last game; where they sort is left to the database.
    params = {"min_games": 1} if ordering == "last_played" else {}

    up = api.get(url(guild.discord_id), {**params, "ordering": ordering})
    down = api.get(url(guild.discord_id), {**params, "ordering": f"-{ordering}"})

    assert (up.status_code, down.status_code) == (200, 200)
    up_values = [player[field] for player in up.json()["results"]]
    down_values = [player[field] for player in down.json()["results"]]
    assert up_values == sorted(up_values)
    assert down_values == sorted(down_values, reverse=True)
    assert user_ids(up) != user_ids(down)  # the ordering is not ignored


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("username", ["1", "2", "3", "4"]),
        ("-username", ["4", "3", "2", "1"]),
        ("games_played", ["4", "1", "3", "2"]),
        ("-games_played", ["2", "3", "1", "4"]),
    ],
)
def test_ordering_by_username_and_games_played(api, guild, ranked, ordering, expected):
    assert user_ids(api.get(url(guild.discord_id), {"ordering": ordering})) == expected


def test_ordering_by_last_played_puts_the_longest_idle_first(api, guild, ranked):
    played = {"min_games": 1}

    oldest_first = api.get(url(guild.discord_id), {**played, "ordering": "last_played"})
    newest_first = api.get(url(guild.discord_id), {**played, "ordering": "-last_played"})

    assert user_ids(oldest_first)[0] == "1"
    assert user_ids(newest_first)[-1] == "1"


# PUT: idempotent upsert -------------------------------------------------------------------


def test_put_creates_201_then_updates_200_with_the_same_result(api, guild):
    first = api.put(url(guild.discord_id, 42), {"username": "Alice", "region": "EU"})
    second = api.put(url(guild.discord_id, 42), {"username": "Alice", "region": "EU"})

    assert (first.status_code, second.status_code) == (201, 200)
    without_time = [
        {k: v for k, v in r.json().items() if k != "updated_at"} for r in (first, second)
    ]
    assert without_time[0] == without_time[1]
    assert without_time[0]["user_id"] == "42"
    assert Player.objects.filter(user_id=42).count() == 1


def test_put_updates_username_and_region_and_nothing_else(api, guild, make_player):
    make_player(guild, 42, "Alice", region="EU", rating=1900, rd=90)
    before = api.get(url(guild.discord_id, 42)).json()

    response = api.put(url(guild.discord_id, 42), {"username": "Alice2", "region": "NA"})

    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["region"]) == ("Alice2", "NA")
    assert record_of(body) == record_of(before)
    assert body["created_at"] == before["created_at"]


def test_put_in_a_guild_seen_for_the_first_time_creates_guild_and_player(api, db):
    response = api.put(url(UNKNOWN_GUILD_ID, 42), {"username": "Alice"})

    assert response.status_code == 201
    assert Player.objects.filter(guild__discord_id=UNKNOWN_GUILD_ID, user_id=42).exists()


def test_put_takes_the_user_id_from_the_url_not_the_body(api, guild):
    response = api.put(url(guild.discord_id, 42), {"username": "Alice", "user_id": "43"})

    assert response.status_code == 201
    assert response.json()["user_id"] == "42"
    assert list(Player.objects.values_list("user_id", flat=True)) == [42]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"region": "EU"}, id="no-username"),
        pytest.param({"username": "x" * 101}, id="username-101"),
        pytest.param({"username": "A\x00"}, id="username-nul"),
        pytest.param({"username": ["A"]}, id="username-list"),
        pytest.param({"username": "A", "region": "not a region"}, id="region-junk"),
    ],
)
def test_put_with_a_bad_body_is_400_and_creates_nothing(api, guild, body):
    response = api.put(url(guild.discord_id, 42), body)

    assert response.status_code == 400
    assert not Player.objects.exists()


# PATCH ------------------------------------------------------------------------------------


def test_patch_changes_the_username_only(api, guild, make_player):
    make_player(guild, 42, "Alice", region="EU")

    response = api.patch(url(guild.discord_id, 42), {"username": "Alicia"})

    assert response.status_code == 200
    assert (response.json()["username"], response.json()["region"]) == ("Alicia", "EU")
    assert Player.objects.get(user_id=42).username == "Alicia"


def test_patch_changes_the_region_only(api, guild, make_player):
    make_player(guild, 42, "Alice", region="EU")

    response = api.patch(url(guild.discord_id, 42), {"region": "NA"})

    assert response.status_code == 200
    assert (response.json()["username"], response.json()["region"]) == ("Alice", "NA")


def test_patch_of_an_unknown_player_is_404_and_creates_nothing(api, guild):
    response = api.patch(url(guild.discord_id, 42), {"username": "Alice"})

    assert response.status_code == 404
    assert not Player.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"username": ""}, id="blank-username"),
        pytest.param({"username": None}, id="null-username"),
        pytest.param({"username": "x" * 101}, id="username-101"),
        pytest.param({"region": "x" * 17}, id="region-17"),
        pytest.param({"region": {"code": "EU"}}, id="region-object"),
    ],
)
def test_patch_with_a_bad_value_is_400_and_changes_nothing(api, guild, make_player, body):
    make_player(guild, 42, "Alice", region="EU")

    response = api.patch(url(guild.discord_id, 42), body)

    assert response.status_code == 400
    assert (Player.objects.get(user_id=42).username, Player.objects.get(user_id=42).region) == (
        "Alice",
        "EU",
    )


# Mass assignment --------------------------------------------------------------------------


@pytest.fixture
def veteran(guild, players, make_match):
    """Player 1 with a record and a rating the matches gave them."""
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    make_match(guild, [[1], [3]], result={"winning_team": 2})
    return Player.objects.get(guild=guild, user_id=1)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_rating_and_counters_cannot_be_set_by_put_or_patch(api, guild, veteran, method):
    before = api.get(url(guild.discord_id, 1)).json()

    response = getattr(api, method)(
        url(guild.discord_id, 1), {"username": "New", **MASS_ASSIGNMENT}
    )

    assert response.status_code == 200
    assert response.json()["username"] == "New"
    assert record_of(response.json()) == record_of(before)
    assert record_of(api.get(url(guild.discord_id, 1)).json()) == record_of(before)
    assert response.json()["created_at"] == before["created_at"]


def test_put_that_creates_a_player_cannot_seed_a_rating_or_record(api, guild):
    response = api.put(url(guild.discord_id, 42), {"username": "Alice", **MASS_ASSIGNMENT})

    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["rd"], body["volatility"]) == (1500, 350, 0.06)
    assert (body["games_played"], body["wins"], body["last_played_at"]) == (0, 0, None)


# DELETE -----------------------------------------------------------------------------------


def test_delete_a_player_without_matches_is_204(api, guild, make_player):
    make_player(guild, 42)

    response = api.delete(url(guild.discord_id, 42))

    assert response.status_code == 204
    assert not Player.objects.filter(user_id=42).exists()
    assert api.get(url(guild.discord_id, 42)).status_code == 404


@pytest.mark.parametrize("result", [{"winning_team": 1}, None], ids=["completed", "pending"])
def test_delete_a_player_with_match_history_is_409_and_keeps_them(
    api, guild, players, make_match, result
):
    make_match(guild, [[1], [2]], result=result)

    response = api.delete(url(guild.discord_id, 1))

    assert response.status_code == 409
    assert "detail" in response.json()
    assert api.get(url(guild.discord_id, 1)).status_code == 200


def test_delete_an_unknown_player_is_404(api, guild):
    assert api.delete(url(guild.discord_id, 42)).status_code == 404


def test_delete_keeps_the_same_member_in_other_guilds(api, guild, other_guild, make_player):
    make_player(guild, 42)
    make_player(other_guild, 42)

    assert api.delete(url(guild.discord_id, 42)).status_code == 204
    assert api.get(url(other_guild.discord_id, 42)).status_code == 200


# Request bodies that are not JSON objects: never a 500 ------------------------------------


WRITES = [
    pytest.param("post", None, id="post"),
    pytest.param("put", 42, id="put"),
    pytest.param("patch", 42, id="patch"),
]


@pytest.mark.parametrize("method, user_id", WRITES)
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"user_id": "42", "username": ', id="truncated"),
        pytest.param("{'user_id': '42'}", id="single-quotes"),
        pytest.param('{"user_id": "42", "username": "A",}', id="trailing-comma"),
        pytest.param('{"user_id": "42", "username": "A", "rating": NaN}', id="nan"),
        pytest.param('{"user_id": "42", "username": "A", "rating": Infinity}', id="infinity"),
        pytest.param(
            '{"user_id": "42", "username": "A", "rating": 1' + "0" * 5000 + "}", id="5000-digits"
        ),
        pytest.param("not json at all", id="text"),
        pytest.param("\xff\xfe", id="not-utf8"),
    ],
)
def test_malformed_json_is_400(api, guild, make_player, method, user_id, raw):
    make_player(guild, 42, "Alice")

    response = getattr(api, method)(
        url(guild.discord_id, user_id), data=raw.encode("latin-1"), content_type="application/json"
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert Player.objects.get().username == "Alice"


@pytest.mark.parametrize("method, user_id", WRITES)
@pytest.mark.parametrize(
    "raw", ["[]", '[{"user_id": "42", "username": "A"}]', '"Alice"', "42", "true", "null"]
)
def test_a_json_body_that_is_not_an_object_is_400(api, guild, make_player, method, user_id, raw):
    make_player(guild, 42, "Alice")

    response = getattr(api, method)(
        url(guild.discord_id, user_id), data=raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert Player.objects.get().username == "Alice"


def test_json_nested_too_deeply_is_a_client_error(api, guild):
    response = api.post(url(guild.discord_id), data="[" * 100_000, content_type="application/json")

    assert response.status_code in (400, 413)


@pytest.mark.parametrize("method, user_id", WRITES)
@pytest.mark.parametrize(
    "content_type, raw",
    [
        ("application/x-www-form-urlencoded", "user_id=42&username=Alice"),
        (
            "multipart/form-data; boundary=BoUnDaRy",
            '--BoUnDaRy\r\nContent-Disposition: form-data; name="username"\r\n\r\n'
            "Alice\r\n--BoUnDaRy--\r\n",
        ),
        ("text/plain", '{"user_id": "42", "username": "Alice"}'),
    ],
    ids=["form", "multipart", "text"],
)
def test_a_body_that_is_not_json_is_415(api, guild, method, user_id, content_type, raw):
    response = getattr(api, method)(
        url(guild.discord_id, user_id), data=raw, content_type=content_type
    )

    assert response.status_code == 415
    assert "detail" in response.json()
    assert not Player.objects.exists()


def test_a_body_over_the_size_limit_is_413(api, guild):
    body = {"user_id": "42", "username": "Alice", "padding": "x" * (JSONParser.MAX_BYTES + 1)}

    response = api.post(url(guild.discord_id), body)

    assert response.status_code == 413
    assert "detail" in response.json()
    assert not Player.objects.exists()


def test_a_body_under_the_size_limit_is_read(api, guild):
    body = {"user_id": "42", "username": "Alice", "padding": "x" * (JSONParser.MAX_BYTES // 2)}

    assert api.post(url(guild.discord_id), body).status_code == 201


def test_error_responses_are_json(api, guild):
    response = api.post(url(guild.discord_id), data="{", content_type="application/json")

    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["detail"]
