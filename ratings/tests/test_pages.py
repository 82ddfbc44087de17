"""The public pages, rendered from real data."""

import re

import pytest

from matches import services as match_services
from ratings import charts
from users import services as user_services

GID = 111111111111111111


def play(guild, teams, **result):
    match = match_services.match_create(guild=guild, teams=teams)
    return match_services.match_complete(match=match, **result)


def rows(html: str) -> list[str]:
    """The player names in a table body, in order."""
    return re.findall(r'<th scope="row"><a href="/g/\d+/players/\d+/">([^<]+)</a>', html)


def test_home_lists_public_guilds_with_counts(client, guild, other_guild, players):
    user_services.guild_upsert(guild_id=other_guild.discord_id, name="Hidden", public=False)
    play(guild, [[1], [2]], winning_team=1)
    html = client.get("/").content.decode()
    assert "Test Guild" in html and "Hidden" not in html
    assert re.search(
        r"Test Guild</a></th>\s*<td class=\"num\">10</td>\s*<td class=\"num\">1</td>", html
    )


def test_home_without_guilds(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No public communities yet" in response.content.decode()


def test_leaderboard_page_ranks_and_hides_provisional(client, guild, make_player):
    make_player(guild, 1, "Steady", rating=1700, rd=50)
    make_player(guild, 2, "Lucky", rating=1800, rd=105)
    make_player(guild, 3, "Newbie", rating=2000, rd=300)
    html = client.get(f"/g/{GID}/").content.decode()
    assert rows(html) == ["Steady", "Lucky"]
    assert "1 provisional player" in html
    shown = client.get(f"/g/{GID}/?provisional=1").content.decode()
    assert rows(shown) == ["Steady", "Lucky", "Newbie"]
    assert "provisional</span>" in shown
    assert rows(client.get(f"/g/{GID}/?q=luck").content.decode()) == ["Lucky"]
    assert "No player matches" in client.get(f"/g/{GID}/?q=zzz").content.decode()
    assert rows(client.get(f"/g/{GID}/?min_games=1").content.decode()) == []
    assert client.get(f"/g/{GID}/?min_games=abc").status_code == 200  # ignored, not an error


def test_leaderboard_pagination_edges(client, guild, make_player):
    for i in range(1, 53):
        make_player(guild, i, f"P{i:02}", rating=2000 - i, rd=50)
    first = client.get(f"/g/{GID}/").content.decode()
    assert len(rows(first)) == 50 and "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(f"/g/{GID}/?page=2").content.decode()
    assert rows(second) == ["P51", "P52"] and 'rel="prev"' in second
    assert rows(client.get(f"/g/{GID}/?page=99").content.decode()) == ["P51", "P52"]  # last page
    assert len(rows(client.get(f"/g/{GID}/?page=x").content.decode())) == 50


def test_empty_guild_pages(client, guild):
    html = client.get(f"/g/{GID}/").content.decode()
    assert "No ranked players yet" in html


def test_profile_shows_record_chart_and_recent_matches(client, guild, players):
    for _ in range(3):
        play(guild, [[1, 2], [3, 4]], winning_team=1)
    play(guild, [[1, 3], [2, 4]], winning_team=2)
    html = client.get(f"/g/{GID}/players/1/").content.decode()
    assert '3<span class="muted">W</span> 1<span class="muted">L</span>' in html
    assert "<svg" in html and 'role="img"' in html and "<polyline" in html
    assert "Rating over 4 rated events" in html
    assert html.count('href="/g/111111111111111111/matches/') == 4
    assert "Best teammates" in html and "player2</a>" in html  # three wins together


def test_profile_of_a_player_with_no_matches(client, guild, players):
    html = client.get(f"/g/{GID}/players/5/").content.decode()
    assert "No rated games yet." in html and "No completed matches yet." in html
    assert "provisional" in html


def test_match_page_explains_each_change(client, guild, make_player):
    make_player(guild, 1, "Veteran", rating=1700, rd=50)
    make_player(guild, 2, "Rookie")
    make_player(guild, 3, "Regular", rating=1600, rd=80)
    make_player(guild, 4, "Other", rating=1600, rd=80)
    match = play(guild, [[1], [2]], winning_team=2)
    even = play(guild, [[3], [4]], winning_team=1)
    html = client.get(f"/g/{GID}/matches/{match.match_id}/").content.decode()
    assert "Team 2 won" in html
    assert "Predicted <strong>" in html and "<meter" in html
    assert "an upset, so a bigger change" in html
    assert "Still provisional (RD 350), so the rating moves fast." in html
    assert "A settled rating (RD 50) moves little." in html
    assert "The team was given 32% and won" in html and "The team was given 68% and lost" in html
    assert re.search(r"1500 → 1\d{3}", html)
    even_html = client.get(f"/g/{GID}/matches/{even.match_id}/").content.decode()
    assert "(an even match): +" in even_html and "(an even match): −" in even_html
    assert "RD 80: still settling" in even_html


def test_pending_and_voided_match_pages(client, guild, players):
    pending = match_services.match_create(guild=guild, teams=[[1], [2]])
    html = client.get(f"/g/{GID}/matches/{pending.match_id}/").content.decode()
    assert "Pending" in html and "50.0%" in html

    from ratings import services

    done = play(guild, [[3], [4]], winning_team=1)
    services.match_void(match=done, actor="test")
    html = client.get(f"/g/{GID}/matches/{done.match_id}/").content.decode()
    assert "This match was voided" in html


@pytest.mark.parametrize(
    "path",
    [
        "/g/{gid}/",
        "/g/{gid}/players/1/",
        "/g/{gid}/matches/{match}/",
    ],
)
def test_a_private_guild_is_404_on_every_page(client, guild, players, path):
    match = play(guild, [[1], [2]], winning_team=1)
    url = path.format(gid=GID, match=match.match_id)
    assert client.get(url).status_code == 200
    user_services.guild_upsert(guild_id=GID, name="Test Guild", public=False)
    response = client.get(url)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/g/999/",
        "/g/0/",
        "/g/99999999999999999999/",
        "/g/abc/",
        f"/g/{GID}/players/99/",
        f"/g/{GID}/matches/00000000-0000-0000-0000-000000000000/",
        f"/g/{GID}/matches/not-a-uuid/",
    ],
)
def test_unknown_pages_are_404(client, guild, url):
    assert client.get(url).status_code == 404


def test_pages_are_accessible_basics(client, guild, players):
    match = play(guild, [[1, 2], [3, 4]], winning_team=1)
    for url in [
        "/",
        f"/g/{GID}/?provisional=1",
        f"/g/{GID}/players/1/",
        f"/g/{GID}/matches/{match.match_id}/",
    ]:
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html
        assert html.count("<h1") == 1
        assert 'name="viewport"' in html
        assert "<main" in html and 'class="skip"' in html
        assert all('scope="col"' in head for head in re.findall(r"<thead>.*?</thead>", html, re.S))


def test_chart_coordinates():
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    points = [(t0 + timedelta(days=i), 1500 + 10 * i, 100) for i in range(5)]
    chart = charts.rating_chart(points, width=640, height=220)
    xs = [float(p.split(",")[0]) for p in chart.line.split()]
    ys = [float(p.split(",")[1]) for p in chart.line.split()]
    assert xs[0] == 48 and xs[-1] == 628 and xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # rising rating, rising line (SVG y grows down)
    assert chart.last == (xs[-1], ys[-1])
    assert "from 1500 to 1540" in chart.summary
    assert charts.rating_chart(points[:1]) is None
