"""The public site: guilds, leaderboards, profiles and matches, rendered on the server.

Every page of a guild answers 404 when the guild is not public. Each page runs a fixed
number of queries, whatever the size of the guild.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from matches.models import Match, Participant
from ratings import charts, stats
from ratings.models import RatingChange
from users.models import Guild, Player

PAGE_SIZE = 50


def _public_guild(guild_id: int) -> Guild:
    return get_object_or_404(Guild.objects.public(), discord_id=guild_id)


@require_safe
def guild_list(request):
    guilds = Guild.objects.public().with_counts().order_by("-match_count", "name", "discord_id")
    return render(request, "ratings/guild_list.html", {"guilds": guilds})


@require_safe
def leaderboard(request, guild_id: int):
    guild = _public_guild(guild_id)
    search = request.GET.get("q", "").strip()[:100]
    show_provisional = request.GET.get("provisional") == "1"
    try:
        min_games = max(0, min(int(request.GET.get("min_games", 0)), 10**6))
    except ValueError:
        min_games = 0
    board = stats.leaderboard(
        guild, provisional=show_provisional, min_games=min_games, search=search
    )
    page = Paginator(board.standings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        "q": search,
        "min_games": min_games or "",
        "provisional": "1" if show_provisional else "",
    }
    return render(
        request,
        "ratings/leaderboard.html",
        {
            "guild": guild,
            "page": page,
            "search": search,
            "min_games": min_games,
            "show_provisional": show_provisional,
            "hidden_provisional": board.hidden_provisional,
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
    )


@require_safe
def player_detail(request, guild_id: int, user_id: int):
    guild = _public_guild(guild_id)
    player = get_object_or_404(Player, guild=guild, user_id=user_id)
    history = list(
        RatingChange.objects.current()
        .filter(player=player)
        .order_by("occurred_at", "-kind", "pk")
        .values_list("occurred_at", "rating_after", "rd_after")
    )
    # The chart starts from the initial rating, just before the first rated event.
    first_at = history[0][0] if history else player.created_at
    start = [(first_at, player.initial_rating, player.initial_rd)]
    recent = (
        Participant.objects.filter(player=player, match__status=Match.Status.COMPLETED)
        .select_related("match")
        .order_by("-match__completed_at", "-match_id")[:10]
    )
    return render(
        request,
        "ratings/player_detail.html",
        {
            "guild": guild,
            "player": player,
            "stats": stats.player_stats(player),
            "chart": charts.rating_chart(start + history),
            "recent": recent,
            "provisional_rd": settings.RATINGS["PROVISIONAL_RD"],
        },
    )


@require_safe
def match_detail(request, guild_id: int, match_id):
    guild = _public_guild(guild_id)
    match = get_object_or_404(Match.objects.with_teams(), guild=guild, match_id=match_id)
    probabilities = match.predicted_win_probabilities() or [None] * match.team_count
    placements = match.placements or [None] * match.team_count
    teams = [
        {
            "number": number,
            "probability": probabilities[number - 1],
            "placement": placements[number - 1],
            "players": [(p, stats.explain_change(p)) for p in members],
        }
        for number, members in enumerate(match.teams(), start=1)
    ]
    return render(
        request, "ratings/match_detail.html", {"guild": guild, "match": match, "teams": teams}
    )
