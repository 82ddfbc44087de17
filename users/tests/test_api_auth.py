"""API keys at the door: who is let in (401), what a key may do (403), how keys are kept."""

import hashlib

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from matches.models import Match
from users import services
from users.models import ApiKey, Guild, Player
from users.tests.test_api_players import UNKNOWN_GUILD_ID

# Every endpoint of the bot's API (issue 2) with a body that would succeed, so that a 401
# or 403 is the key's doing, never the request's. ``{guild}`` and ``{match}`` are filled
# in per test; player 10 has no matches, the match is a pending one between players 1 and 2.
READS = [
    ("get", "/api/v1/guilds/", None),
    ("get", "/api/v1/guilds/{guild}/", None),
    ("get", "/api/v1/guilds/{guild}/players/", None),
    ("get", "/api/v1/guilds/{guild}/players/10/", None),
    ("get", "/api/v1/guilds/{guild}/matches/", None),
    ("get", "/api/v1/guilds/{guild}/matches/{match}/", None),
]
WRITES = [
    ("post", "/api/v1/guilds/{guild}/players/", {"user_id": "50", "username": "New"}),
    ("put", "/api/v1/guilds/{guild}/players/10/", {"username": "Renamed"}),
    ("patch", "/api/v1/guilds/{guild}/players/10/", {"username": "Renamed"}),
    ("delete", "/api/v1/guilds/{guild}/players/10/", None),
    ("post", "/api/v1/guilds/{guild}/matches/", {"teams": [["3"], ["4"]]}),
    ("post", "/api/v1/guilds/{guild}/matches/{match}/complete", {"winning_team": 1}),
    ("post", "/api/v1/guilds/{guild}/matches/{match}/cancel", None),
]
ADMIN = [("put", "/api/v1/guilds/{guild}/", {"name": "Renamed"})]
ENDPOINTS = READS + WRITES + ADMIN


def endpoint_id(endpoint) -> str:
    method, path, _ = endpoint
    return f"{method.upper()} {path.removeprefix('/api/v1/guilds/')}"


def every(endpoints):
    return pytest.mark.parametrize("endpoint", endpoints, ids=[endpoint_id(e) for e in endpoints])


@pytest.fixture
def pending(guild, players, make_match):
    return make_match(guild, [[1], [2]])


def call(client, endpoint, guild, match):
    method, path, body = endpoint
    path = path.format(guild=guild.discord_id, match=match.match_id)
    return getattr(client, method)(path, body)


def client_with_header(value: str | None) -> APIClient:
    client = APIClient()
    if value is not None:
        client.credentials(HTTP_AUTHORIZATION=value)
    return client


def nothing_changed(guild, match) -> bool:
    guild.refresh_from_db()
    match.refresh_from_db()
    return (
        guild.name == "Test Guild"
        and match.status == Match.Status.PENDING
        and Player.objects.filter(guild=guild).count() == 10
        and not Player.objects.filter(username="Renamed").exists()
        and Match.objects.count() == 1
    )


def assert_401(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


# 401: no key, a malformed header, an unknown or revoked key -------------------------------


@every(ENDPOINTS)
def test_every_endpoint_needs_a_key(guild, pending, endpoint):
    response = call(APIClient(), endpoint, guild, pending)

    assert_401(response)
    assert nothing_changed(guild, pending)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="no-key"),
        pytest.param("Bearer ", id="blank-key"),
        pytest.param("Bearer tb_a tb_b", id="two-keys"),
        pytest.param("Token {key}", id="other-scheme"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic"),
        pytest.param("{key}", id="no-scheme"),
        pytest.param("Bearer {key}x", id="key-plus-one"),
        pytest.param("Bearer tb_not-a-key", id="unknown"),
        pytest.param("Bearer caf\xe9", id="not-ascii"),
        pytest.param("Bearer " + "x" * 10_000, id="very-long"),
    ],
)
def test_a_malformed_or_unknown_authorization_is_401(api, guild, header):
    client = client_with_header(header.format(key=api.raw_key))

    assert_401(client.get("/api/v1/guilds/"))
    response = client.post(
        f"/api/v1/guilds/{guild.discord_id}/players/", {"user_id": "1", "username": "A"}
    )
    assert_401(response)
    assert not Player.objects.exists()


def test_a_revoked_key_is_401(api, guild):
    assert api.get("/api/v1/guilds/").status_code == 200
    services.api_key_revoke(key=ApiKey.objects.get())

    assert_401(api.get("/api/v1/guilds/"))
    assert_401(api.get(f"/api/v1/guilds/{guild.discord_id}/players/"))


def test_authentication_comes_before_input_checks(db):
    """No key and a malformed or unknown guild id: still a 401, so nothing leaks."""
    assert_401(APIClient().get("/api/v1/guilds/abc/players/"))
    assert_401(APIClient().get(f"/api/v1/guilds/{UNKNOWN_GUILD_ID}/"))


def test_health_needs_no_key(db):
    assert APIClient().get("/health").status_code == 200


# 403: scopes ------------------------------------------------------------------------------


@every(READS)
def test_a_read_key_reads(read_api, guild, pending, endpoint):
    assert call(read_api, endpoint, guild, pending).status_code == 200


@every(WRITES + ADMIN)
def test_a_read_key_cannot_write(read_api, guild, pending, endpoint):
    response = call(read_api, endpoint, guild, pending)

    assert response.status_code == 403
    assert response.json()["detail"]
    assert nothing_changed(guild, pending)


@every(READS + WRITES)
def test_a_write_key_reads_and_writes(api, guild, pending, endpoint):
    assert call(api, endpoint, guild, pending).status_code in (200, 201, 204)


@every(ADMIN)
def test_a_write_key_cannot_do_admin_actions(api, guild, pending, endpoint):
    response = call(api, endpoint, guild, pending)

    assert response.status_code == 403
    assert nothing_changed(guild, pending)


@every(ENDPOINTS)
def test_an_admin_key_may_do_everything(admin_api, guild, pending, endpoint):
    assert call(admin_api, endpoint, guild, pending).status_code in (200, 201, 204)


# 403: guild limits ------------------------------------------------------------------------


@every(ENDPOINTS)
def test_a_key_limited_to_this_guild_works_here(make_client, guild, pending, endpoint):
    client = make_client("admin", [guild.discord_id])

    assert call(client, endpoint, guild, pending).status_code in (200, 201, 204)


@every([e for e in ENDPOINTS if e[1] != "/api/v1/guilds/"])
def test_a_key_limited_to_another_guild_is_403_here(
    make_client, guild, other_guild, pending, endpoint
):
    client = make_client("admin", [other_guild.discord_id])

    response = call(client, endpoint, guild, pending)

    assert response.status_code == 403
    assert response.json()["detail"]
    assert nothing_changed(guild, pending)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/guilds/{guild}/", None),
        ("put", "/api/v1/guilds/{guild}/", {"name": "Taken over"}),
        ("get", "/api/v1/guilds/{guild}/players/", None),
        ("post", "/api/v1/guilds/{guild}/players/", {"user_id": "1", "username": "A"}),
        ("get", "/api/v1/guilds/{guild}/players/1/", None),
        ("put", "/api/v1/guilds/{guild}/players/1/", {"username": "A"}),
        ("get", "/api/v1/guilds/{guild}/matches/", None),
        ("post", "/api/v1/guilds/{guild}/matches/", {"teams": [["1"], ["2"]]}),
    ],
)
def test_a_limited_key_is_403_on_a_guild_not_known_yet_and_creates_nothing(
    make_client, guild, method, path, body
):
    client = make_client("admin", [guild.discord_id])

    response = getattr(client, method)(path.format(guild=UNKNOWN_GUILD_ID), body)

    assert response.status_code == 403
    assert not Guild.objects.filter(discord_id=UNKNOWN_GUILD_ID).exists()
    assert not Player.objects.exists()


def test_a_key_may_be_limited_to_several_guilds(make_client, guild, other_guild):
    client = make_client("read", [guild.discord_id, other_guild.discord_id])

    assert client.get(f"/api/v1/guilds/{guild.discord_id}/").status_code == 200
    assert client.get(f"/api/v1/guilds/{other_guild.discord_id}/").status_code == 200
    assert client.get(f"/api/v1/guilds/{UNKNOWN_GUILD_ID}/").status_code == 403


# How keys are kept ------------------------------------------------------------------------


def test_last_used_at_is_set_when_the_key_is_used(api, db):
    key = ApiKey.objects.get()
    assert key.last_used_at is None
    before = timezone.now()

    assert api.get("/api/v1/guilds/").status_code == 200

    key.refresh_from_db()
    assert key.last_used_at is not None
    assert before <= key.last_used_at <= timezone.now()


def test_an_unused_key_keeps_no_last_use(api, read_api, db):
    api.get("/api/v1/guilds/")

    assert ApiKey.objects.get(scope="read").last_used_at is None


def test_only_a_sha256_hash_of_the_key_is_stored(api, guild):
    raw = api.raw_key
    api.post(f"/api/v1/guilds/{guild.discord_id}/players/", {"user_id": "1", "username": "A"})

    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    # The raw key is in no column of any table (the key row, the audit log, anything).
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                assert raw not in repr(row), f"the raw key is stored in {table}"


def test_keys_are_long_random_and_distinct(db):
    raws = {services.api_key_create(name=f"k{i}")[1] for i in range(20)}

    assert len(raws) == 20
    assert all(len(raw) >= 32 for raw in raws)
