from django.conf import settings
from django.core.validators import RegexValidator
from rest_framework import serializers

from teambalance.api import SnowflakeField, StrictFloatField
from users.models import Guild, Player

region_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$",
    "A region is a short code of letters, digits, '-' or '_' (at most 16), e.g. EU.",
)


class GuildSerializer(serializers.ModelSerializer):
    guild_id = SnowflakeField(source="discord_id", read_only=True)
    player_count = serializers.IntegerField(read_only=True)
    match_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Guild
        fields = [
            "guild_id",
            "name",
            "public",
            "player_count",
            "match_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"name": {"required": True, "allow_blank": True}}


class PlayerSerializer(serializers.ModelSerializer):
    """A player as the API shows them (PUT, PATCH and POST take the serializers below)."""

    user_id = SnowflakeField(read_only=True)
    guild_id = SnowflakeField(source="guild.discord_id", read_only=True)
    rd = serializers.FloatField(
        source="display_rd",
        read_only=True,
        help_text="RD now, grown by time since the last rated game.",
    )
    provisional = serializers.BooleanField(read_only=True)
    conservative_rating = serializers.FloatField(read_only=True, help_text="rating - 2 * rd")

    class Meta:
        model = Player
        fields = [
            "user_id",
            "guild_id",
            "username",
            "region",
            "rating",
            "rd",
            "volatility",
            "provisional",
            "conservative_rating",
            "games_played",
            "wins",
            "losses",
            "draws",
            "last_played_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields  # output only: input goes through the serializers below


class PlayerUpsertSerializer(serializers.Serializer):
    """PUT and PATCH: only the username and region can change."""

    username = serializers.CharField(max_length=100)
    region = serializers.CharField(
        max_length=16, allow_blank=True, required=False, default="", validators=[region_validator]
    )


class PlayerCreateSerializer(PlayerUpsertSerializer):
    """POST: a new player, optionally seeded with a known rating."""

    user_id = SnowflakeField()
    rating = StrictFloatField(required=False, min_value=0, max_value=5000)
    rd = StrictFloatField(
        required=False,
        min_value=settings.RATINGS["RD_FLOOR"],
        max_value=settings.RATINGS["RD_CEILING"],
    )
    volatility = StrictFloatField(
        required=False, min_value=0.0001, max_value=settings.RATINGS["VOLATILITY_CAP"]
    )
