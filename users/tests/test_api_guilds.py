"""The guilds API: ``/api/v1/guilds/`` and ``/api/v1/guilds/{guild_id}/``."""

from urllib.parse import quote

import pytest

from users.models import Guild
from users.tests.test_api_players import BAD_URL_SNOWFLAKES, SNOWFLAKE_MAX, UNKNOWN_GUILD_ID

GUILD_FIELDS = {"guild_id", "name", "public", "player_count", "match_count"}


def url(guild_id=None) -> str:
    if guild_id is None:
        return "/api/v1/guilds/"
    return f"/api/v1/guilds/{quote(str(guild_id), safe='')}/"


def guild_ids(response) -> list[str]:
    return [guild["guild_id"] for guild in response.json()["results"]]


# List -------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_shows_every_guild_to_an_unlimited_key(api, guild, other_guild):
    response = api.get(url())

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert sorted(guild_ids(response)) == sorted(
        [str(guild.discord_id), str(other_guild.discord_id)]
    )
    assert all(set(g) >= GUILD_FIELDS for g in body["results"])


def test_the_list_holds_only_the_guilds_a_limited_key_may_see(make_client, guild, other_guild):
    client = make_client("read", [guild.discord_id])

    response = client.get(url())

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert guild_ids(response) == [str(guild.discord_id)]


def test_a_key_limited_to_guilds_not_known_yet_sees_an_empty_list(make_client, guild):
    client = make_client("read", [UNKNOWN_GUILD_ID])

    body = client.get(url()).json()

    assert (body["count"], body["results"]) == (0, [])


def test_the_list_pages_by_50_and_page_size_is_capped_at_200(api, db):
    Guild.objects.bulk_create(Guild(discord_id=i, name=f"g{i}") for i in range(1, 206))

    default = api.get(url()).json()
    capped = api.get(url(), {"page_size": 1000}).json()

    assert (default["count"], len(default["results"])) == (205, 50)
    assert default["next"]
    assert len(capped["results"]) == 200


def test_the_list_shows_counts(api, guild, players, make_match):
    make_match(guild, [[1], [2]])

    (listed,) = api.get(url()).json()["results"]

    assert (listed["player_count"], listed["match_count"]) == (10, 1)


# Detail -----------------------------------------------------------------------------------


def test_detail_shows_the_guild_with_player_and_match_counts(
    api, guild, other_guild, players, make_player, make_match
):
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    make_match(guild, [[3, 4], [5, 6]])
    make_player(other_guild, 99)  # counted in the other guild only

    response = api.get(url(guild.discord_id))

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= GUILD_FIELDS
    assert body["guild_id"] == str(guild.discord_id)
    assert (body["name"], body["public"]) == ("Test Guild", True)
    assert (body["player_count"], body["match_count"]) == (10, 2)
    other = api.get(url(other_guild.discord_id)).json()
    assert (other["player_count"], other["match_count"]) == (1, 0)


def test_counts_follow_registrations(api, guild):
    api.post(f"{url(guild.discord_id)}players/", {"user_id": "1", "username": "a"})
    api.post(f"{url(guild.discord_id)}players/", {"user_id": "2", "username": "b"})

    assert api.get(url(guild.discord_id)).json()["player_count"] == 2


def test_detail_of_an_unknown_guild_is_404(api, guild):
    response = api.get(url(UNKNOWN_GUILD_ID))

    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("guild_id", BAD_URL_SNOWFLAKES)
def test_a_malformed_guild_id_is_400(admin_api, guild, guild_id):
    got = admin_api.get(url(guild_id))
    put = admin_api.put(url(guild_id), {"name": "Nope"})

    assert (got.status_code, put.status_code) == (400, 400)
    assert "guild_id" in got.json()
    assert "guild_id" in put.json()
    assert Guild.objects.count() == 1


# PUT: create or update (admin scope) ------------------------------------------------------


def test_put_creates_a_guild_201(admin_api, db):
    response = admin_api.put(url(UNKNOWN_GUILD_ID), {"name": "New Guild", "public": False})

    assert response.status_code == 201
    body = response.json()
    assert body["guild_id"] == str(UNKNOWN_GUILD_ID)
    assert (body["name"], body["public"]) == ("New Guild", False)
    assert (body["player_count"], body["match_count"]) == (0, 0)
    assert admin_api.get(url(UNKNOWN_GUILD_ID)).json() == body


def test_put_updates_an_existing_guild_200(admin_api, guild, players):
    response = admin_api.put(url(guild.discord_id), {"name": "Renamed", "public": False})

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["public"], body["player_count"]) == ("Renamed", False, 10)
    guild.refresh_from_db()
    assert (guild.name, guild.public) == ("Renamed", False)
    assert Guild.objects.count() == 1


def test_put_twice_is_201_then_200(admin_api, db):
    first = admin_api.put(url(UNKNOWN_GUILD_ID), {"name": "G"})
    second = admin_api.put(url(UNKNOWN_GUILD_ID), {"name": "G"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert Guild.objects.count() == 1


def test_put_of_the_largest_snowflake(admin_api, db):
    response = admin_api.put(url(SNOWFLAKE_MAX), {"name": "Max"})

    assert response.status_code == 201
    assert response.json()["guild_id"] == str(SNOWFLAKE_MAX)


def test_put_ignores_read_only_fields(admin_api, guild):
    body = {"name": "G", "guild_id": "5", "player_count": 99, "match_count": 99}

    response = admin_api.put(url(guild.discord_id), body)

    assert response.status_code == 200
    assert response.json()["guild_id"] == str(guild.discord_id)
    assert (response.json()["player_count"], response.json()["match_count"]) == (0, 0)
    assert not Guild.objects.filter(discord_id=5).exists()


@pytest.mark.parametrize("client_fixture", ["api", "read_api"])
def test_put_needs_the_admin_scope(request, guild, client_fixture):
    client = request.getfixturevalue(client_fixture)

    created = client.put(url(UNKNOWN_GUILD_ID), {"name": "New"})
    updated = client.put(url(guild.discord_id), {"name": "Renamed"})

    assert (created.status_code, updated.status_code) == (403, 403)
    assert "detail" in created.json()
    assert not Guild.objects.filter(discord_id=UNKNOWN_GUILD_ID).exists()
    guild.refresh_from_db()
    assert guild.name == "Test Guild"


@pytest.mark.parametrize(
    "body, field",
    [
        pytest.param({}, "name", id="empty"),
        pytest.param({"public": True}, "name", id="no-name"),
        pytest.param({"name": None}, "name", id="null-name"),
        pytest.param({"name": "x" * 101}, "name", id="name-101"),
        pytest.param({"name": "G\x00"}, "name", id="name-nul"),
        pytest.param({"name": ["G"]}, "name", id="name-list"),
        pytest.param({"name": "G", "public": "maybe"}, "public", id="public-junk"),
        pytest.param({"name": "G", "public": [True]}, "public", id="public-list"),
    ],
)
def test_put_with_a_bad_body_is_400_naming_the_field(admin_api, guild, body, field):
    response = admin_api.put(url(guild.discord_id), body)

    assert response.status_code == 400
    assert field in response.json()
    guild.refresh_from_db()
    assert guild.name == "Test Guild"


@pytest.mark.parametrize("raw", ["[]", '["G"]', "null", '"G"', '{"name": ', "{'name': 'G'}"])
def test_put_with_a_body_that_is_not_a_json_object_is_400(admin_api, guild, raw):
    response = admin_api.put(url(guild.discord_id), data=raw, content_type="application/json")

    assert response.status_code == 400


def test_put_with_a_form_body_is_415(admin_api, guild):
    response = admin_api.put(
        url(guild.discord_id), data="name=Renamed", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    guild.refresh_from_db()
    assert guild.name == "Test Guild"
