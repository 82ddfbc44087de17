from functools import cached_property

from rest_framework import exceptions

from teambalance.api import SNOWFLAKE_HELP, parse_snowflake
from users.models import Guild, Player


def snowflake_from_url(value: str, name: str) -> int:
    number = parse_snowflake(value)
    if number is None:
        raise exceptions.ValidationError({name: [f"Must be {SNOWFLAKE_HELP}."]})
    return number


def allowed_guild_id(request, raw: str) -> int:
    """The guild id in a URL, if it is one (else 400) and the key may act on it (else 403)."""
    guild_id = snowflake_from_url(raw, "guild_id")
    if not request.auth.allows_guild(guild_id):
        raise exceptions.PermissionDenied("This API key is limited to other guilds.")
    return guild_id


class GuildScopedMixin:
    """For views under ``/guilds/{guild_id}/``: resolves the guild and enforces key limits.

    Order of checks: a malformed id is a 400, a guild this key is not limited to is a
    403 (whether or not it exists, so a limited key learns nothing about other guilds),
    and an unknown guild is a 404.
    """

    @cached_property
    def guild_id(self) -> int:
        return allowed_guild_id(self.request, self.kwargs["guild_id"])

    @cached_property
    def guild(self) -> Guild:
        try:
            return Guild.objects.get(discord_id=self.guild_id)
        except Guild.DoesNotExist:
            raise exceptions.NotFound(f"Guild {self.guild_id} is not known here yet.") from None

    def get_player(self, user_id_kwarg: str = "user_id", queryset=None) -> Player:
        user_id = snowflake_from_url(self.kwargs[user_id_kwarg], user_id_kwarg)
        queryset = Player.objects.all() if queryset is None else queryset
        try:
            return queryset.get(guild=self.guild, user_id=user_id)
        except Player.DoesNotExist:
            raise exceptions.NotFound(
                f"Player {user_id} is not registered in guild {self.guild_id}."
            ) from None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.guild_id  # noqa: B018 - checked before any handler runs, even ones that create
