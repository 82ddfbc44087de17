"""What the database itself enforces: uniqueness and check constraints, whatever the caller.

Each violation runs in its own savepoint (``transaction.atomic``) so the test can go on
using the connection after the ``IntegrityError``.
"""

import pytest
from django.db import IntegrityError, transaction

from users.models import Guild, Player


def create_player(guild, user_id=1, **fields) -> Player:
    return Player.objects.create(guild=guild, user_id=user_id, username=f"p{user_id}", **fields)


def violates(make) -> bool:
    """True when ``make()`` is refused by the database with an ``IntegrityError``."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


# Uniqueness -------------------------------------------------------------------------------


def test_a_member_can_be_registered_only_once_per_guild(guild):
    create_player(guild, 42)

    with pytest.raises(IntegrityError), transaction.atomic():
        Player.objects.create(guild=guild, user_id=42, username="again")

    assert Player.objects.filter(guild=guild, user_id=42).count() == 1


def test_uniqueness_holds_for_bulk_inserts_too(guild):
    create_player(guild, 42)

    with pytest.raises(IntegrityError), transaction.atomic():
        Player.objects.bulk_create([Player(guild=guild, user_id=42, username="again")])


def test_uniqueness_holds_when_an_update_would_duplicate(guild):
    create_player(guild, 42)
    other = create_player(guild, 43)

    assert violates(lambda: Player.objects.filter(pk=other.pk).update(user_id=42))


def test_the_same_member_may_be_in_several_guilds(guild, other_guild):
    create_player(guild, 42)
    create_player(other_guild, 42)

    assert Player.objects.filter(user_id=42).count() == 2


def test_a_guild_id_is_unique(guild):
    assert violates(lambda: Guild.objects.create(discord_id=guild.discord_id, name="Copy"))


# Check constraints ------------------------------------------------------------------------


@pytest.mark.parametrize("rd", [0, -1, -350])
def test_rd_must_be_positive(guild, rd):
    assert violates(lambda: create_player(guild, rd=rd))
    assert not Player.objects.exists()


def test_a_positive_rd_is_accepted(guild):
    assert not violates(lambda: create_player(guild, rd=0.5))


def test_rd_cannot_be_updated_to_zero(guild):
    player = create_player(guild)

    assert violates(lambda: Player.objects.filter(pk=player.pk).update(rd=0))
    player.refresh_from_db()
    assert player.rd == 350


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param({"games_played": 1}, id="games-without-result"),
        pytest.param({"wins": 1}, id="win-without-game"),
        pytest.param({"games_played": 2, "wins": 1}, id="one-result-missing"),
        pytest.param({"games_played": 1, "wins": 1, "draws": 1}, id="one-result-too-many"),
    ],
)
def test_games_played_must_be_wins_plus_losses_plus_draws(guild, counts):
    assert violates(lambda: create_player(guild, **counts))


def test_counts_that_add_up_are_accepted(guild):
    player = create_player(guild, games_played=6, wins=3, losses=2, draws=1)

    assert player.games_played == 6


def test_counts_cannot_drift_apart_in_an_update(guild):
    player = create_player(guild, games_played=2, wins=1, losses=1)

    assert violates(lambda: Player.objects.filter(pk=player.pk).update(wins=5))
    player.refresh_from_db()
    assert (player.games_played, player.wins) == (2, 1)


@pytest.mark.parametrize("field", ["wins", "losses", "draws"])
def test_counts_cannot_be_negative(guild, field):
    # games_played still adds up (-1 + 1 = 0), so only the count's own bound can refuse it.
    other = "losses" if field != "losses" else "wins"

    assert violates(lambda: create_player(guild, games_played=0, **{field: -1, other: 1}))


@pytest.mark.parametrize("volatility", [0, -0.06])
def test_volatility_must_be_positive(guild, volatility):
    assert violates(lambda: create_player(guild, volatility=volatility))


@pytest.mark.parametrize("user_id", [0, -1])
def test_a_user_id_must_be_a_positive_snowflake(guild, user_id):
    assert violates(lambda: create_player(guild, user_id=user_id))


@pytest.mark.parametrize("discord_id", [0, -1])
def test_a_guild_id_must_be_a_positive_snowflake(db, discord_id):
    assert violates(lambda: Guild.objects.create(discord_id=discord_id, name="G"))


def test_the_largest_snowflake_fits(guild):
    player = create_player(guild, user_id=2**63 - 1)

    player.refresh_from_db()
    assert player.user_id == 2**63 - 1


# Defaults ---------------------------------------------------------------------------------


def test_a_new_player_starts_at_1500_350_006_with_an_empty_record(guild):
    player = create_player(guild)
    player.refresh_from_db()

    assert (player.rating, player.rd, player.volatility) == (1500, 350, 0.06)
    assert (player.games_played, player.wins, player.losses, player.draws) == (0, 0, 0, 0)
    assert player.last_played_at is None
    assert player.region == ""


def test_a_new_guild_is_public(db):
    assert Guild.objects.create(discord_id=5, name="G").public is True
