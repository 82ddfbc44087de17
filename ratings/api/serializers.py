from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matches.api.serializers import MatchSerializer
from teambalance.api import SnowflakeField, StrictFloatField
from users.api.serializers import PlayerSerializer


class RatingChangeSerializer(serializers.Serializer):
    """One ledger entry."""

    kind = serializers.CharField(help_text="match or adjustment")
    match_id = serializers.UUIDField(source="match.match_id", allow_null=True, default=None)
    rating_before = serializers.FloatField()
    rating_after = serializers.FloatField()
    rating_change = serializers.FloatField()
    rd_before = serializers.FloatField(help_text="After growing with inactivity up to this event.")
    rd_after = serializers.FloatField()
    volatility_before = serializers.FloatField()
    volatility_after = serializers.FloatField()
    expected_score = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="null for adjustments")
    reason = serializers.CharField(source="adjustment.reason", allow_null=True, default=None)
    created_at = serializers.DateTimeField(
        source="occurred_at", help_text="When the event happened."
    )


class ChangeSerializer(serializers.Serializer):
    """One player's change in a correction or adjustment (or its dry-run preview)."""

    user_id = SnowflakeField()
    rating_before = serializers.FloatField()
    rating_after = serializers.FloatField()
    rd_before = serializers.FloatField()
    rd_after = serializers.FloatField()


class PreviewSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    changes = ChangeSerializer(many=True)


class MatchCorrectionSerializer(PreviewSerializer):
    match = MatchSerializer(allow_null=True, help_text="The match afterwards; null on a dry run.")


class PlayerAdjustmentSerializer(PreviewSerializer):
    player = PlayerSerializer(
        allow_null=True, help_text="The player afterwards; null on a dry run."
    )


class AdjustSerializer(serializers.Serializer):
    rating = StrictFloatField(required=False, min_value=0, max_value=5000, help_text="Set to this.")
    delta = StrictFloatField(
        required=False, min_value=-2000, max_value=2000, help_text="Add this (negative to lower)."
    )
    rd = StrictFloatField(required=False, help_text="Also set the RD.")
    reason = serializers.CharField(max_length=500)

    def validate(self, attrs):
        if "rating" in attrs and "delta" in attrs:
            raise serializers.ValidationError(
                "Give either rating (to set) or delta (to add), not both."
            )
        if not {"rating", "delta", "rd"} & set(attrs):
            raise serializers.ValidationError("Give rating, delta or rd.")
        return attrs


class DryRunSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text="Preview the changes, keep nothing."
    )


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    player = PlayerSerializer()
    rating = serializers.FloatField()
    rd = serializers.FloatField()
    conservative_rating = serializers.FloatField()
    provisional = serializers.BooleanField()


class PartnerSerializer(serializers.Serializer):
    user_id = SnowflakeField(source="player.user_id")
    username = serializers.CharField(source="player.username")
    games = serializers.IntegerField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    draws = serializers.IntegerField()
    win_rate = serializers.FloatField()


class StreakSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="win, loss or draw")
    length = serializers.IntegerField()


class PlayerStatsSerializer(serializers.Serializer):
    player = PlayerSerializer()
    games = serializers.IntegerField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    draws = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True)
    current_streak = serializers.SerializerMethodField()
    best_win_streak = serializers.IntegerField()
    peak_rating = serializers.FloatField()
    peak_at = serializers.DateTimeField(allow_null=True)
    teammates = PartnerSerializer(many=True, help_text="Best win rate together first.")
    opponents = PartnerSerializer(many=True, help_text="Toughest (lowest win rate against) first.")

    @extend_schema_field(StreakSerializer(allow_null=True))
    def get_current_streak(self, stats):
        if stats.current_streak is None:
            return None
        kind, length = stats.current_streak
        return {"kind": kind, "length": length}


class SharedMatchSerializer(serializers.Serializer):
    match_id = serializers.UUIDField()
    completed_at = serializers.DateTimeField()
    together = serializers.BooleanField()
    result = serializers.CharField(help_text="The first player's result: win, loss or draw.")


class VersusSerializer(serializers.Serializer):
    a = PlayerSerializer()
    b = PlayerSerializer()
    against = serializers.IntegerField(help_text="Completed matches on opposite teams.")
    a_wins = serializers.IntegerField()
    b_wins = serializers.IntegerField()
    draws_against = serializers.IntegerField()
    together = serializers.IntegerField(help_text="Completed matches on the same team.")
    together_wins = serializers.IntegerField()
    together_losses = serializers.IntegerField()
    together_draws = serializers.IntegerField()
    recent = SharedMatchSerializer(many=True)


class HealthSerializer(serializers.Serializer):
    predictions = serializers.IntegerField(help_text="Pairs of teams in completed matches.")
    favourite_won = serializers.FloatField(allow_null=True)
    brier = serializers.FloatField(allow_null=True, help_text="0.25 = always guessing 50%.")
    log_loss = serializers.FloatField(allow_null=True, help_text="0.693 = always guessing 50%.")


class BucketSerializer(serializers.Serializer):
    rating_from = serializers.IntegerField()
    rating_to = serializers.IntegerField()
    players = serializers.IntegerField()


class GuildStatsSerializer(serializers.Serializer):
    players = serializers.IntegerField()
    active_players = serializers.IntegerField(help_text="Played in the last 30 days.")
    matches = serializers.DictField(child=serializers.IntegerField(), help_text="By status.")
    rating_distribution = serializers.SerializerMethodField()
    health = HealthSerializer()

    @extend_schema_field(BucketSerializer(many=True))
    def get_rating_distribution(self, stats):
        return [
            {"rating_from": start, "rating_to": start + stats.bucket_width, "players": n}
            for start, n in stats.histogram
        ]
