from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matches.models import MAX_TEAMS, Match
from matches.services import MAX_PLAYERS
from teambalance.api import SnowflakeField, StrictBooleanField, StrictFloatField


class MatchPlayerSerializer(serializers.Serializer):
    user_id = SnowflakeField(source="player.user_id")
    username = serializers.CharField(source="player.username")
    rating = serializers.FloatField(source="player.rating", help_text="The player's rating now.")
    rd = serializers.FloatField(source="player.display_rd", help_text="The player's RD now.")
    outcome = serializers.CharField(
        allow_blank=True, help_text="win, loss, draw; empty until completed."
    )
    rating_before = serializers.FloatField(allow_null=True)
    rating_after = serializers.FloatField(allow_null=True)
    rating_change = serializers.FloatField(allow_null=True)
    rd_before = serializers.FloatField(allow_null=True)
    rd_after = serializers.FloatField(allow_null=True)
    expected_score = serializers.FloatField(
        allow_null=True, help_text="The team's predicted score when the match was rated."
    )


class MatchTeamSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    win_probability = serializers.FloatField(allow_null=True)
    players = MatchPlayerSerializer(many=True)


class ResultSerializer(serializers.Serializer):
    """Exactly one of the three forms of a result."""

    winning_team = serializers.IntegerField(min_value=1, max_value=MAX_TEAMS, required=False)
    draw = StrictBooleanField(required=False)
    placements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_TEAMS),
        min_length=2,
        max_length=MAX_TEAMS,
        required=False,
    )

    def validate_draw(self, value):
        if value is not True:
            raise serializers.ValidationError('Send "draw": true for a draw, or leave it out.')
        return value

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(
                'Give exactly one of {"winning_team": N}, {"draw": true} or {"placements": [...]}.'
            )
        return attrs


class MatchResultSerializer(serializers.Serializer):
    winning_team = serializers.IntegerField(allow_null=True)
    draw = serializers.BooleanField()
    placements = serializers.ListField(child=serializers.IntegerField())


class MatchSerializer(serializers.ModelSerializer):
    match_id = serializers.UUIDField(read_only=True)
    guild_id = SnowflakeField(source="guild.discord_id", read_only=True)
    created_by = SnowflakeField(allow_null=True, read_only=True)
    teams = serializers.SerializerMethodField()
    win_probability = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "match_id",
            "guild_id",
            "status",
            "team_count",
            "teams",
            "win_probability",
            "result",
            "created_by",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MatchTeamSerializer(many=True))
    def get_teams(self, match):
        probabilities = self._probabilities(match)
        teams = [
            {
                "team": number,
                "win_probability": probabilities[number - 1] if probabilities else None,
                "players": players,
            }
            for number, players in enumerate(match.teams(), start=1)
        ]
        return MatchTeamSerializer(teams, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_win_probability(self, match):
        return self._probabilities(match)

    @extend_schema_field(MatchResultSerializer(allow_null=True))
    def get_result(self, match):
        return match.result

    def _probabilities(self, match):
        # Computed once per match: both fields use it.
        if getattr(match, "_probabilities", False) is False:
            match._probabilities = match.predicted_win_probabilities()
        return match._probabilities


class MatchCreateSerializer(serializers.Serializer):
    teams = serializers.ListField(
        child=serializers.ListField(child=SnowflakeField(), min_length=1, max_length=MAX_PLAYERS),
        min_length=2,
        max_length=MAX_TEAMS,
        help_text='Team 1 first, each a list of Discord user ids: [["1", "2"], ["3", "4"]].',
    )
    created_by = SnowflakeField(required=False, allow_null=True)


class BalanceRequestSerializer(serializers.Serializer):
    players = serializers.ListField(
        child=SnowflakeField(),
        min_length=2,
        max_length=100,
        help_text="The lobby's Discord user ids.",
    )
    teams = serializers.IntegerField(min_value=2, max_value=MAX_TEAMS, default=2)
    together = serializers.ListField(
        child=serializers.ListField(child=SnowflakeField(), min_length=1, max_length=100),
        max_length=100,
        default=list,
        help_text="Parties: groups that must share a team.",
    )
    apart = serializers.ListField(
        child=serializers.ListField(child=SnowflakeField(), min_length=2, max_length=2),
        max_length=1000,
        default=list,
        help_text="Pairs that must not share a team.",
    )
    seed = serializers.IntegerField(
        min_value=0,
        max_value=2**53 - 1,
        required=False,
        allow_null=True,
        help_text="Same input and seed, same teams; a new seed is a reroll.",
    )
    tolerance = StrictFloatField(
        min_value=0,
        max_value=50,
        default=1.0,
        help_text="How far a reroll may stray from the best, in points of win probability.",
    )
    alternatives = serializers.IntegerField(min_value=0, max_value=10, default=0)
    create_match = StrictBooleanField(default=False)
    created_by = SnowflakeField(required=False, allow_null=True)


class BalancePlayerSerializer(serializers.Serializer):
    user_id = SnowflakeField()
    username = serializers.CharField()
    rating = serializers.FloatField()
    rd = serializers.FloatField()


class BalanceTeamSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    players = BalancePlayerSerializer(many=True)
    mean_rating = serializers.FloatField()
    rd = serializers.FloatField(help_text="The team's composite RD (root mean square).")
    win_probability = serializers.FloatField()


class BalanceAlternativeSerializer(serializers.Serializer):
    teams = BalanceTeamSerializer(many=True)
    rating_gap = serializers.FloatField()


class BalanceSerializer(serializers.Serializer):
    teams = BalanceTeamSerializer(many=True)
    rating_gap = serializers.FloatField(
        help_text="Two teams: difference of mean ratings; more: highest minus lowest mean."
    )
    optimal = serializers.BooleanField(help_text="The best possible balance is proven.")
    certified_gap = serializers.FloatField(
        help_text="Proven bound on how far from the best; 0 when optimal."
    )
    pool_size = serializers.IntegerField(help_text="Splits within the tolerance.")
    pool_exact = serializers.BooleanField(help_text="False when pool_size is a lower bound.")
    seed = serializers.IntegerField()
    elapsed_ms = serializers.FloatField()
    alternatives = BalanceAlternativeSerializer(many=True)
    match = MatchSerializer(allow_null=True)
    explanation = serializers.CharField()
