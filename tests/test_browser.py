"""What a person sees: headless Chromium against a running server.

Skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (CI sets it), where a
missing browser is a failure.
"""

import os
import re
from pathlib import Path

import pytest

from matches import services as match_services
from tests import browser
from users import services as user_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if browser.chromium() is None and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("Chromium is not installed", allow_module_level=True)

ACCENT = (0x3B, 0x3F, 0xD8)  # the chart's line colour in site.css (light scheme)


@pytest.fixture
def community():
    guild = user_services.guild_upsert(guild_id=444444444444444444, name="Browser Club")[0]
    names = ["Ace", "Blaze", "Comet", "Dune", "Ember", "Flint"]
    for i, name in enumerate(names, start=1):
        user_services.player_create(
            guild=guild, user_id=i, username=name, rd=80, rating=1700 - 40 * i
        )
    last = None
    for n in range(6):  # Ace and Blaze keep winning
        match = match_services.match_create(
            guild=guild, teams=[[1, 2, 3], [4, 5, 6]] if n % 2 else [[1, 2, 4], [3, 5, 6]]
        )
        last = match_services.match_complete(match=match, winning_team=1)
    return guild, last


def test_leaderboard_profile_and_match_as_a_person_sees_them(live_server, community, tmp_path):
    guild, match = community
    base = f"{live_server.url}/g/{guild.discord_id}"

    dom = browser.dump_dom(f"{base}/")
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', dom)
    assert names[:2] == ["Ace", "Blaze"]  # the winners on top, in order
    assert len(names) == 6
    assert "Browser Club" in dom

    profile = browser.dump_dom(f"{base}/players/1/")
    assert re.search(r'<polyline class="line" points="[^"]+"', profile)
    assert "Rating over 6 rated events" in profile
    shot = browser.screenshot(f"{base}/players/1/", tmp_path / "profile.png")
    assert browser.count_colour(shot, ACCENT) > 400  # the chart's line is actually drawn

    page = browser.dump_dom(f"{base}/matches/{match.match_id}/")
    assert "Team 1 won" in page and "Predicted" in page
    assert page.count("→") >= 6  # every player's before → after

    out = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    for name, url in [("leaderboard", f"{base}/"), ("match", f"{base}/matches/{match.match_id}/")]:
        path = browser.screenshot(url, out / f"{name}.png")
        assert browser.read_png(path)[0] == 1200


def test_a_private_guild_is_not_found_in_the_browser(live_server, community):
    guild, _ = community
    user_services.guild_upsert(guild_id=guild.discord_id, name=guild.name, public=False)
    dom = browser.dump_dom(f"{live_server.url}/g/{guild.discord_id}/")
    assert "Not found" in dom and "Ace" not in dom
