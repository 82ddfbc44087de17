from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from users import services
from users.api.mixins import GuildScopedMixin, allowed_guild_id, snowflake_from_url
from users.api.serializers import (
    GuildSerializer,
    PlayerCreateSerializer,
    PlayerSerializer,
    PlayerUpsertSerializer,
)
from users.filters import PlayerFilter
from users.models import Guild, Player
from users.schema import GUILD_ID, USER_ID

ERRORS = {
    400: OpenApiResponse(description="Malformed input; the body says which field and why."),
    401: OpenApiResponse(description="Missing, unknown or revoked API key."),
    403: OpenApiResponse(description="The key's scope or guild limits do not allow this."),
    404: OpenApiResponse(description="Unknown guild, player or match."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Guilds this key may see", responses={200: GuildSerializer, **ERRORS}
    ),
    retrieve=extend_schema(summary="A guild", responses={200: GuildSerializer, **ERRORS}),
    update=extend_schema(
        summary="Create or update a guild (admin scope)",
        request=GuildSerializer,
        responses={200: GuildSerializer, 201: GuildSerializer, **ERRORS},
    ),
)
@extend_schema(parameters=[GUILD_ID])
class GuildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GuildSerializer
    lookup_url_kwarg = "guild_id"
    lookup_value_regex = "[^/]+"  # malformed ids reach the view and get a 400, not a 404
    admin_actions = ("update",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Guild.objects.none()
        guilds = Guild.objects.with_counts()
        if self.request.auth.guild_ids:
            guilds = guilds.filter(discord_id__in=self.request.auth.guild_ids)
        return guilds

    def get_object(self):
        guild_id = allowed_guild_id(self.request, self.kwargs["guild_id"])
        try:
            return self.get_queryset().get(discord_id=guild_id)
        except Guild.DoesNotExist:
            raise exceptions.NotFound(f"Guild {guild_id} is not known here yet.") from None

    def update(self, request, *args, **kwargs):
        guild_id = allowed_guild_id(self.request, self.kwargs["guild_id"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, created = services.guild_upsert(guild_id=guild_id, **serializer.validated_data)
        data = self.get_serializer(self.get_object()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="A guild's players", responses={200: PlayerSerializer, **ERRORS}),
    create=extend_schema(
        summary="Register a player",
        request=PlayerCreateSerializer,
        responses={
            201: PlayerSerializer,
            409: OpenApiResponse(description="Already registered."),
            **ERRORS,
        },
    ),
    retrieve=extend_schema(summary="A player", responses={200: PlayerSerializer, **ERRORS}),
    update=extend_schema(
        summary="Create or update a player's username and region (idempotent)",
        request=PlayerUpsertSerializer,
        responses={200: PlayerSerializer, 201: PlayerSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a player's username or region",
        request=PlayerUpsertSerializer,
        responses={200: PlayerSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a player who has no history",
        responses={
            204: None,
            409: OpenApiResponse(description="The player has history, which is never lost."),
            **ERRORS,
        },
    ),
)
@extend_schema(parameters=[GUILD_ID, USER_ID])
class PlayerViewSet(GuildScopedMixin, viewsets.ModelViewSet):
    serializer_class = PlayerSerializer
    filterset_class = PlayerFilter
    lookup_url_kwarg = "user_id"
    lookup_value_regex = "[^/]+"  # malformed ids reach the view and get a 400, not a 404
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Player.objects.none()
        return (
            Player.objects.filter(guild=self.guild)
            .select_related("guild")
            .order_by("-rating", "pk")
        )

    def get_object(self):
        return self.get_player(queryset=Player.objects.select_related("guild"))

    def create(self, request, *args, **kwargs):
        serializer = PlayerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guild = services.guild_get_or_create(guild_id=self.guild_id)
        player = services.player_create(guild=guild, **serializer.validated_data)
        return Response(PlayerSerializer(player).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.get("partial", False)
        serializer = PlayerUpsertSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if partial:
            player = services.player_update(player=self.get_object(), **serializer.validated_data)
            return Response(PlayerSerializer(player).data)
        user_id = snowflake_from_url(self.kwargs["user_id"], "user_id")
        guild = services.guild_get_or_create(guild_id=self.guild_id)
        player, created = services.player_upsert(
            guild=guild, user_id=user_id, **serializer.validated_data
        )
        return Response(
            PlayerSerializer(player).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance):
        services.player_delete(player=instance)
