"""The key commands: ``create_api_key`` and ``revoke_api_key``."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from users import services
from users.models import ApiKey
from users.tests.test_api_players import UNKNOWN_GUILD_ID


def create_key(*args) -> str:
    """Run ``create_api_key`` and return its stdout."""
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue()


def revoke_key(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("revoke_api_key", *args, stdout=out, stderr=err)
    return out.getvalue()


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def stored(raw: str) -> ApiKey:
    return ApiKey.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())


def register(client, guild_id, user_id=1):
    return client.post(
        f"/api/v1/guilds/{guild_id}/players/", {"user_id": str(user_id), "username": "A"}
    )


# create_api_key ---------------------------------------------------------------------------


def test_create_prints_the_key_alone_on_one_line(db):
    out = create_key("main bot")

    assert out.endswith("\n")
    assert len(out.splitlines()) == 1
    raw = out.strip()
    assert raw == out.rstrip("\n")
    assert " " not in raw
    assert len(raw) >= 32
    key = stored(raw)
    assert key.name == "main bot"


def test_the_printed_key_is_a_working_bearer_token_with_write_scope_by_default(guild):
    client = bearer(create_key("main bot").strip())

    assert client.get("/api/v1/guilds/").status_code == 200
    assert register(client, guild.discord_id).status_code == 201
    assert client.put(f"/api/v1/guilds/{guild.discord_id}/", {"name": "X"}).status_code == 403
    assert stored(create_key("second").strip()).scope == "write"


@pytest.mark.parametrize(
    "scope, can_write, can_admin",
    [("read", False, False), ("write", True, False), ("admin", True, True)],
)
def test_scope_sets_what_the_key_may_do(guild, scope, can_write, can_admin):
    raw = create_key("bot", "--scope", scope).strip()
    client = bearer(raw)

    assert stored(raw).scope == scope
    assert client.get(f"/api/v1/guilds/{guild.discord_id}/players/").status_code == 200
    assert (register(client, guild.discord_id).status_code == 201) is can_write
    put = client.put(f"/api/v1/guilds/{guild.discord_id}/", {"name": "X"})
    assert (put.status_code == 200) is can_admin


def test_an_unknown_scope_is_an_error(db):
    with pytest.raises(CommandError):
        create_key("bot", "--scope", "root")

    assert not ApiKey.objects.exists()


def test_guild_limits_the_key_to_those_guilds(guild, other_guild):
    client = bearer(create_key("bot", "--guild", str(guild.discord_id)).strip())

    assert register(client, guild.discord_id).status_code == 201
    assert register(client, other_guild.discord_id).status_code == 403
    listed = client.get("/api/v1/guilds/").json()["results"]
    assert [g["guild_id"] for g in listed] == [str(guild.discord_id)]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--guild", "1", "--guild", "2", "--guild", "3"], id="repeated"),
        pytest.param(["--guild", "1", "2", "3"], id="several-after-one-flag"),
    ],
)
def test_guild_takes_several_ids(db, args):
    raw = create_key("bot", *args).strip()

    assert sorted(int(g) for g in stored(raw).guild_ids) == [1, 2, 3]


def test_guild_accepts_ids_of_guilds_not_known_yet(db):
    raw = create_key("bot", "--guild", str(UNKNOWN_GUILD_ID)).strip()
    client = bearer(raw)

    assert [int(g) for g in stored(raw).guild_ids] == [UNKNOWN_GUILD_ID]
    # The guild appears on first use, and the key works there.
    assert register(client, UNKNOWN_GUILD_ID).status_code == 201
    assert register(client, UNKNOWN_GUILD_ID + 1).status_code == 403


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(2**63), "1.5", "1e3", " 12", "", "12abc"])
def test_an_invalid_guild_id_is_a_command_error_and_creates_no_key(db, value):
    with pytest.raises(CommandError):
        create_key("bot", "--guild", value)

    assert not ApiKey.objects.exists()


def test_each_run_makes_a_new_key(db):
    first, second = create_key("bot").strip(), create_key("bot").strip()

    assert first != second
    assert ApiKey.objects.count() == 2


# revoke_api_key ---------------------------------------------------------------------------


def test_revoke_by_the_full_key(db):
    raw = create_key("bot").strip()
    client = bearer(raw)
    assert client.get("/api/v1/guilds/").status_code == 200

    revoke_key(raw)

    assert client.get("/api/v1/guilds/").status_code == 401
    assert stored(raw).revoked


def test_revoke_by_the_prefix_the_admin_shows(db):
    raw = create_key("bot").strip()
    other = create_key("other bot").strip()
    prefix = stored(raw).key_prefix
    assert raw.startswith(prefix)

    revoke_key(prefix)

    assert bearer(raw).get("/api/v1/guilds/").status_code == 401
    assert bearer(other).get("/api/v1/guilds/").status_code == 200


def test_revoke_leaves_other_keys_working(db):
    raw, other = create_key("a").strip(), create_key("b").strip()

    revoke_key(raw)

    assert bearer(other).get("/api/v1/guilds/").status_code == 200


@pytest.mark.parametrize(
    "value", ["tb_no-such-key-at-all-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "tb_nope", ""]
)
def test_revoke_an_unknown_key_is_a_command_error(db, value):
    raw = create_key("bot").strip()

    with pytest.raises(CommandError):
        revoke_key(value)

    assert bearer(raw).get("/api/v1/guilds/").status_code == 200


def test_revoke_by_an_ambiguous_prefix_is_an_error_and_revokes_nothing(db):
    a, raw_a = services.api_key_create(name="a")
    b, raw_b = services.api_key_create(name="b")
    ApiKey.objects.filter(pk=b.pk).update(key_prefix=a.key_prefix)

    with pytest.raises(CommandError):
        revoke_key(a.key_prefix)

    assert bearer(raw_a).get("/api/v1/guilds/").status_code == 200
    assert bearer(raw_b).get("/api/v1/guilds/").status_code == 200


def test_revoking_twice_is_harmless(db):
    raw = create_key("bot").strip()
    revoke_key(raw)

    revoke_key(raw)

    assert stored(raw).revoked
    assert bearer(raw).get("/api/v1/guilds/").status_code == 401
