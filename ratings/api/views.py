from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from matches.api.serializers import ResultSerializer
from matches.api.views import CONFLICT, MatchLookupMixin
from matches.services import placements_from
from ratings import services, stats
from ratings.api.serializers import (
    AdjustSerializer,
    ChangeSerializer,
    DryRunSerializer,
    GuildStatsSerializer,
    MatchCorrectionSerializer,
    PlayerAdjustmentSerializer,
    PlayerStatsSerializer,
    RatingChangeSerializer,
    StandingSerializer,
    VersusSerializer,
)
from ratings.models import RatingChange
from users.api.mixins import GuildScopedMixin
from users.api.serializers import PlayerSerializer
from users.api.views import ERRORS
from users.models import Player
from users.schema import GUILD_ID, MATCH_ID, OTHER_ID, USER_ID

DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="Return the preview of every affected player and change nothing."
)


def actor_of(request) -> str:
    key = request.auth
    return f"api-key:{key.pk} ({key.name})"


def dry_run_of(request) -> bool:
    serializer = DryRunSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["dry_run"]


def preview(changes, dry_run: bool, **afterwards) -> dict:
    """The changes; and, unless it was a dry run, the objects afterwards (``afterwards``
    maps a name to a function producing it, so a dry run loads nothing)."""
    return {
        "dry_run": dry_run,
        "changes": ChangeSerializer(changes, many=True).data,
        **{name: None if dry_run else load() for name, load in afterwards.items()},
    }


@extend_schema(parameters=[GUILD_ID, USER_ID])
class PlayerHistoryView(GuildScopedMixin, generics.ListAPIView):
    """A player's rating ledger, newest first."""

    serializer_class = RatingChangeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RatingChange.objects.none()
        return (
            RatingChange.objects.current()
            .filter(player=self.get_player())
            .select_related("match", "adjustment")
            .order_by("-occurred_at", "kind", "-pk")
        )

    @extend_schema(
        summary="A player's rating history (the ledger), newest first",
        responses={200: RatingChangeSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(parameters=[GUILD_ID, USER_ID])
class PlayerAdjustView(GuildScopedMixin, APIView):
    admin_actions = ("POST",)

    @extend_schema(
        summary="Adjust a player's rating by hand (admin scope)",
        parameters=[DRY_RUN],
        request=AdjustSerializer,
        responses={200: PlayerAdjustmentSerializer, **ERRORS},
    )
    def post(self, request, *args, **kwargs):
        dry_run = dry_run_of(request)
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        player = self.get_player()
        changes = services.player_adjust(
            player=player, actor=actor_of(request), dry_run=dry_run, **serializer.validated_data
        )
        players = Player.objects.select_related("guild")
        return Response(
            preview(
                changes, dry_run, player=lambda: PlayerSerializer(players.get(pk=player.pk)).data
            )
        )


@extend_schema(parameters=[GUILD_ID, MATCH_ID])
class MatchVoidView(MatchLookupMixin, APIView):
    admin_actions = ("POST",)

    @extend_schema(
        summary="Void a completed match and replay everything after it (admin scope)",
        parameters=[DRY_RUN],
        request=None,
        responses={200: MatchCorrectionSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        dry_run = dry_run_of(request)
        match = self.get_match()
        changes = services.match_void(match=match, actor=actor_of(request), dry_run=dry_run)
        return Response(preview(changes, dry_run, match=lambda: self.match_data(match)))


@extend_schema(parameters=[GUILD_ID, MATCH_ID])
class MatchCorrectView(MatchLookupMixin, APIView):
    admin_actions = ("POST",)

    @extend_schema(
        summary="Correct a completed match's result and replay everything after it (admin scope)",
        parameters=[DRY_RUN],
        request=ResultSerializer,
        responses={200: MatchCorrectionSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        dry_run = dry_run_of(request)
        serializer = ResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        match = self.get_match()
        placements = placements_from(team_count=match.team_count, **serializer.validated_data)
        changes = services.match_correct(
            match=match, placements=placements, actor=actor_of(request), dry_run=dry_run
        )
        return Response(preview(changes, dry_run, match=lambda: self.match_data(match)))


class LeaderboardQuerySerializer(serializers.Serializer):
    provisional = serializers.BooleanField(default=False, help_text="Include provisional players.")
    min_games = serializers.IntegerField(default=0, min_value=0, max_value=10**9)
    search = serializers.CharField(default="", allow_blank=True, max_length=100)


@extend_schema(parameters=[GUILD_ID])
class LeaderboardView(GuildScopedMixin, generics.ListAPIView):
    serializer_class = StandingSerializer
    filter_backends = []  # the leaderboard's filters are validated below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Player.objects.none()
        query = LeaderboardQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return stats.leaderboard(self.guild, **query.validated_data).standings

    @extend_schema(
        summary="The leaderboard: ranked by conservative rating (rating − 2·RD)",
        parameters=[LeaderboardQuerySerializer],
        responses={200: StandingSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StatsQuerySerializer(serializers.Serializer):
    min_games = serializers.IntegerField(
        default=3,
        min_value=1,
        max_value=1000,
        help_text="Minimum games for teammates and opponents.",
    )


@extend_schema(parameters=[GUILD_ID, USER_ID])
class PlayerStatsView(GuildScopedMixin, APIView):
    @extend_schema(
        summary="A player's record, streaks, peak, teammates and opponents",
        parameters=[StatsQuerySerializer],
        responses={200: PlayerStatsSerializer, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        player = self.get_player(queryset=Player.objects.select_related("guild"))
        return Response(
            PlayerStatsSerializer(stats.player_stats(player, **query.validated_data)).data
        )


@extend_schema(parameters=[GUILD_ID, USER_ID, OTHER_ID])
class VersusView(GuildScopedMixin, APIView):
    @extend_schema(
        summary="Head to head: two players against each other and together",
        responses={200: VersusSerializer, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        players = Player.objects.select_related("guild")
        a = self.get_player("user_id", queryset=players)
        b = self.get_player("other_id", queryset=players)
        if a == b:
            raise exceptions.ValidationError({"other_id": ["Compare two different players."]})
        return Response(VersusSerializer(stats.versus(a, b)).data)


@extend_schema(parameters=[GUILD_ID])
class GuildStatsView(GuildScopedMixin, APIView):
    @extend_schema(
        summary="The guild's summary and the rating system's predictive health",
        responses={200: GuildStatsSerializer, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return Response(GuildStatsSerializer(stats.guild_stats(self.guild)).data)
