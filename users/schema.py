"""OpenAPI description of the API-key authentication (loaded by UsersConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "users.authentication.ApiKeyAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`python manage.py create_api_key NAME`).",
        }


def snowflake_path(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"{what}: a Discord id (digits, below 2^63).",
        pattern="^[0-9]{1,19}$",
    )


GUILD_ID = snowflake_path("guild_id", "The guild")
USER_ID = snowflake_path("user_id", "The player")
OTHER_ID = snowflake_path("other_id", "The other player")
MATCH_ID = OpenApiParameter(
    "match_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The match's public id."
)
