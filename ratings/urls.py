"""The public pages."""

from django.urls import path, register_converter

from ratings import views


class SnowflakeConverter:
    """A Discord id in a URL: digits below 2**63 (anything else is a 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number < 2**63:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(SnowflakeConverter, "snowflake")

urlpatterns = [
    path("", views.guild_list, name="guild-list"),
    path("g/<snowflake:guild_id>/", views.leaderboard, name="leaderboard"),
    path(
        "g/<snowflake:guild_id>/players/<snowflake:user_id>/",
        views.player_detail,
        name="player-detail",
    ),
    path(
        "g/<snowflake:guild_id>/matches/<uuid:match_id>/", views.match_detail, name="match-detail"
    ),
]
