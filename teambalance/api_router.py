"""The bot's REST API, version 1: every endpoint under /api/v1/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from matches.api.views import BalanceView, MatchViewSet
from ratings.api import views as ratings
from users.api.views import GuildViewSet, PlayerViewSet


class Router(SimpleRouter):
    def __init__(self):
        super().__init__()
        # Bots call both "/complete" and "/complete/"; a redirect cannot carry a POST body.
        self.trailing_slash = "/?"


GUILD = r"guilds/(?P<guild_id>[^/]+)"
PLAYER = rf"{GUILD}/players/(?P<user_id>[^/]+)"
MATCH = rf"{GUILD}/matches/(?P<match_id>[^/]+)"

router = Router()
router.register("guilds", GuildViewSet, basename="guild")
router.register(rf"{GUILD}/players", PlayerViewSet, basename="player")
router.register(rf"{GUILD}/matches", MatchViewSet, basename="match")

app_name = "api"
urlpatterns = [
    re_path(rf"^{GUILD}/balance/?$", BalanceView.as_view(), name="balance"),
    re_path(rf"^{GUILD}/leaderboard/?$", ratings.LeaderboardView.as_view(), name="leaderboard"),
    re_path(rf"^{GUILD}/stats/?$", ratings.GuildStatsView.as_view(), name="guild-stats"),
    re_path(rf"^{PLAYER}/history/?$", ratings.PlayerHistoryView.as_view(), name="player-history"),
    re_path(rf"^{PLAYER}/stats/?$", ratings.PlayerStatsView.as_view(), name="player-stats"),
    re_path(rf"^{PLAYER}/adjust/?$", ratings.PlayerAdjustView.as_view(), name="player-adjust"),
    re_path(
        rf"^{PLAYER}/versus/(?P<other_id>[^/]+)/?$",
        ratings.VersusView.as_view(),
        name="player-versus",
    ),
    re_path(rf"^{MATCH}/void/?$", ratings.MatchVoidView.as_view(), name="match-void"),
    re_path(rf"^{MATCH}/correct/?$", ratings.MatchCorrectView.as_view(), name="match-correct"),
    *router.urls,
]
