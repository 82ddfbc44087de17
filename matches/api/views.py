import uuid

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from matches import services
from matches.api.serializers import (
    BalanceRequestSerializer,
    BalanceSerializer,
    MatchCreateSerializer,
    MatchSerializer,
    ResultSerializer,
)
from matches.filters import MatchFilter
from matches.models import Match
from ratings import glicko2  # the pure engine only (see matches/models.py)
from users.api.mixins import GuildScopedMixin
from users.api.views import ERRORS
from users.schema import GUILD_ID, MATCH_ID

CONFLICT = {409: OpenApiResponse(description="Not possible in the match's current state.")}


class MatchLookupMixin(GuildScopedMixin):
    """Resolves ``{match_id}`` within the guild: malformed → 400, unknown → 404."""

    def get_match(self, queryset=None) -> Match:
        raw = self.kwargs["match_id"]
        try:
            match_id = uuid.UUID(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {"match_id": ["Must be a match id (a UUID)."]}
            ) from None
        queryset = Match.objects.all() if queryset is None else queryset
        try:
            return queryset.get(guild=self.guild, match_id=match_id)
        except Match.DoesNotExist:
            raise exceptions.NotFound(
                f"Match {match_id} is not in guild {self.guild_id}."
            ) from None

    @staticmethod
    def match_data(match: Match) -> dict:
        """The match as the API shows it, freshly loaded with its teams."""
        return MatchSerializer(Match.objects.with_teams().get(pk=match.pk)).data

    def match_response(self, match: Match, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.match_data(match), status=status_code)


@extend_schema_view(
    list=extend_schema(
        summary="A guild's matches, newest first", responses={200: MatchSerializer, **ERRORS}
    ),
    retrieve=extend_schema(
        summary="A match with its teams", responses={200: MatchSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Create a pending match",
        request=MatchCreateSerializer,
        responses={
            201: MatchSerializer,
            **ERRORS,
            409: OpenApiResponse(description="Players already in another pending match (listed)."),
        },
    ),
)
@extend_schema(parameters=[GUILD_ID, MATCH_ID])
class MatchViewSet(
    MatchLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MatchSerializer
    filterset_class = MatchFilter
    lookup_url_kwarg = "match_id"
    lookup_value_regex = "[^/]+"  # malformed ids reach the view and get a 400, not a 404

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return Match.objects.filter(guild=self.guild).with_teams().order_by("-created_at", "-pk")

    def get_object(self):
        return self.get_match(Match.objects.with_teams())

    def create(self, request, *args, **kwargs):
        serializer = MatchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        match = services.match_create(guild=self.guild, **serializer.validated_data)
        return self.match_response(match, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Report a pending match's result",
        request=ResultSerializer,
        responses={200: MatchSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        serializer = ResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        match = services.match_complete(match=self.get_match(), **serializer.validated_data)
        return self.match_response(match)

    @extend_schema(
        summary="Cancel a pending match (no rating change)",
        request=None,
        responses={200: MatchSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        match = services.match_cancel(match=self.get_match())
        return self.match_response(match)


@extend_schema(parameters=[GUILD_ID])
class BalanceView(GuildScopedMixin, APIView):
    @extend_schema(
        summary="The fairest teams for a lobby (and, when asked, the pending match)",
        request=BalanceRequestSerializer,
        responses={200: BalanceSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        serializer = BalanceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lobby = services.lobby_balance(
            guild=self.guild,
            user_ids=data["players"],
            teams=data["teams"],
            together=data["together"],
            apart=data["apart"],
            seed=data.get("seed"),
            tolerance=data["tolerance"],
            alternatives=data["alternatives"],
            create_match=data["create_match"],
            created_by=data.get("created_by"),
        )
        result = lobby.result
        match = None if lobby.match is None else MatchLookupMixin.match_data(lobby.match)
        status_code = status.HTTP_201_CREATED if match else status.HTTP_200_OK
        return Response(
            {
                "teams": _teams(lobby, result.split),
                "rating_gap": result.split.gap,
                "optimal": result.optimal,
                "certified_gap": result.certified_gap,
                "pool_size": result.pool_size,
                "pool_exact": result.pool_exact,
                "seed": result.seed,
                "elapsed_ms": round(result.elapsed_ms, 3),
                "alternatives": [
                    {"teams": _teams(lobby, split), "rating_gap": split.gap}
                    for split in result.alternatives
                ],
                "match": match,
                "explanation": lobby.explanation,
            },
            status=status_code,
        )


def _teams(lobby, split) -> list[dict]:
    teams = []
    for number, (members, probability) in enumerate(
        zip(split.teams, split.win_probabilities, strict=True), start=1
    ):
        ratings = [lobby.ratings[pk] for pk in members]
        team = glicko2.composite(ratings)
        teams.append(
            {
                "team": number,
                "players": [
                    {
                        "user_id": str(lobby.players[pk].user_id),
                        "username": lobby.players[pk].username,
                        "rating": lobby.ratings[pk].rating,
                        "rd": lobby.ratings[pk].rd,
                    }
                    for pk in members
                ],
                "mean_rating": team.rating,
                "rd": team.rd,
                "win_probability": probability,
            }
        )
    return teams
