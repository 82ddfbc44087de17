"""Changing guilds, players and API keys: the one way each of them changes."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from teambalance.errors import Conflict, Invalid
from users.models import ApiKey, AuditEntry, Guild, Player


def guild_get_or_create(*, guild_id: int) -> Guild:
    """The guild with this Discord id, created on first use."""
    guild, _ = Guild.objects.get_or_create(discord_id=guild_id)
    return guild


@transaction.atomic
def guild_upsert(*, guild_id: int, name: str, public: bool = True) -> tuple[Guild, bool]:
    """Create or update a guild's name and visibility; returns (guild, created)."""
    return Guild.objects.update_or_create(
        discord_id=guild_id, defaults={"name": name, "public": public}
    )


def _initial_values(rating: float | None, rd: float | None, volatility: float | None) -> dict:
    config = settings.RATINGS
    rating = config["INITIAL_RATING"] if rating is None else rating
    rd = config["INITIAL_RD"] if rd is None else rd
    volatility = config["INITIAL_VOLATILITY"] if volatility is None else volatility
    if not config["RD_FLOOR"] <= rd <= config["RD_CEILING"]:
        raise Invalid(f"rd must be between {config['RD_FLOOR']} and {config['RD_CEILING']}.")
    if not 0 < volatility <= config["VOLATILITY_CAP"]:
        raise Invalid(f"volatility must be above 0 and at most {config['VOLATILITY_CAP']}.")
    return {
        "rating": rating,
        "rd": rd,
        "volatility": volatility,
        "initial_rating": rating,
        "initial_rd": rd,
        "initial_volatility": volatility,
    }


def player_create(
    *,
    guild: Guild,
    user_id: int,
    username: str,
    region: str = "",
    rating: float | None = None,
    rd: float | None = None,
    volatility: float | None = None,
) -> Player:
    """Register a player, optionally with a starting rating the community knows.

    Raises ``Conflict`` if the player is already registered in the guild: the database's
    unique constraint decides, so two simultaneous registrations cannot both succeed.
    """
    values = _initial_values(rating, rd, volatility)
    try:
        with transaction.atomic():
            return Player.objects.create(
                guild=guild, user_id=user_id, username=username, region=region, **values
            )
    except IntegrityError:
        if Player.objects.filter(guild=guild, user_id=user_id).exists():
            raise Conflict(f"Player {user_id} is already registered in this guild.") from None
        raise


@transaction.atomic
def player_upsert(
    *, guild: Guild, user_id: int, username: str, region: str = ""
) -> tuple[Player, bool]:
    """Create the player or update their username and region: the call a bot makes
    whenever it sees a member. Idempotent; returns (player, created)."""
    return Player.objects.update_or_create(
        guild=guild,
        user_id=user_id,
        defaults={"username": username, "region": region},
        create_defaults={
            "username": username,
            "region": region,
            **_initial_values(None, None, None),
        },
    )


def player_update(*, player: Player, **changes) -> Player:
    """Change a player's username and/or region (nothing else is editable)."""
    allowed = {"username", "region"}
    if unknown := set(changes) - allowed:
        raise Invalid(
            f"Only {', '.join(sorted(allowed))} can be changed, not {', '.join(sorted(unknown))}."
        )
    for field, value in changes.items():
        setattr(player, field, value)
    player.save(update_fields=[*changes, "updated_at"])
    return player


def player_delete(*, player: Player) -> None:
    """Delete a player who has never played; history (matches, ledger) is never lost."""
    try:
        with transaction.atomic():
            player.delete()
    except ProtectedError:
        raise Conflict(
            f"Player {player.user_id} has match or rating history and cannot be deleted."
        ) from None


def api_key_create(
    *,
    name: str,
    scope: str = ApiKey.Scope.WRITE,
    guild_ids: Iterable[int] = (),
    actor: str = "system",
) -> tuple[ApiKey, str]:
    """Create an API key; returns (key, raw key). The raw key exists only in the return value."""
    key = ApiKey(name=name, scope=scope, guild_ids=list(guild_ids))
    return key, api_key_issue(key=key, actor=actor)


@transaction.atomic
def api_key_issue(*, key: ApiKey, actor: str) -> str:
    """Give an unsaved key its secret, save it and return the secret (shown once)."""
    if key.scope not in ApiKey.Scope.values:
        raise Invalid(f"scope must be one of {', '.join(ApiKey.Scope.values)}.")
    raw = ApiKey.generate()
    key.guild_ids = sorted({int(g) for g in key.guild_ids})
    key.key_prefix = raw[:10]
    key.key_hash = ApiKey.hash(raw)
    key.save()
    audit_record(
        actor=actor,
        action="apikey.create",
        target=str(key),
        after={"scope": key.scope, "guild_ids": [str(g) for g in key.guild_ids]},
    )
    return raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: str = "system") -> ApiKey:
    """Revoke a key for good; requests with it get 401 from now on."""
    if not key.revoked:
        key.revoked = True
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked", "revoked_at"])
        audit_record(actor=actor, action="apikey.revoke", target=str(key))
    return key


def audit_record(
    *, actor: str, action: str, target: str, guild: Guild | None = None, before=None, after=None
) -> AuditEntry:
    """Write one privileged action to the audit log (inside the caller's transaction)."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target=target,
        guild=guild,
        before=before or {},
        after=after or {},
    )
