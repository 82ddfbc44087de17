"""Shared test fixtures: real database, real services, API clients with keys of each scope."""

import pytest
from rest_framework.test import APIClient

from matches import services as match_services
from users import services as user_services

GUILD_ID = 111111111111111111
OTHER_GUILD_ID = 222222222222222222


@pytest.fixture
def guild(db):
    return user_services.guild_upsert(guild_id=GUILD_ID, name="Test Guild")[0]


@pytest.fixture
def other_guild(db):
    return user_services.guild_upsert(guild_id=OTHER_GUILD_ID, name="Other Guild")[0]


@pytest.fixture
def make_player(db):
    """``make_player(guild, user_id, username=None, **seed)`` through the service."""

    def make(guild, user_id, username=None, **seed):
        return user_services.player_create(
            guild=guild, user_id=user_id, username=username or f"player{user_id}", **seed
        )

    return make


@pytest.fixture
def players(guild, make_player):
    """Ten registered players of ``guild``, user ids 1..10."""
    return [make_player(guild, i) for i in range(1, 11)]


@pytest.fixture
def make_match(db):
    """``make_match(guild, [[ids], [ids]], result=None)``; ``result`` is passed to
    ``match_complete`` (e.g. ``{"winning_team": 1}``) when given."""

    def make(guild, teams, result=None, **kwargs):
        match = match_services.match_create(guild=guild, teams=teams, **kwargs)
        if result is not None:
            match = match_services.match_complete(match=match, **result)
        return match

    return make


def client_with_key(scope: str, guild_ids=()) -> APIClient:
    _, raw = user_services.api_key_create(
        name=f"{scope} test key", scope=scope, guild_ids=guild_ids
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_key = raw
    return client


@pytest.fixture
def api(db):
    """A client with a write-scope key for every guild."""
    return client_with_key("write")


@pytest.fixture
def admin_api(db):
    return client_with_key("admin")


@pytest.fixture
def read_api(db):
    return client_with_key("read")


@pytest.fixture
def make_client(db):
    """``make_client(scope, guild_ids=())``: a client with a new key."""
    return client_with_key
