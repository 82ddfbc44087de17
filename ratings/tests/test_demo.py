"""The demo `make run` loads: real services, every status, a working key, pages that render."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from matches.models import Match
from ratings import services
from ratings.management.commands.load_demo import DEMO_GUILD_ID
from ratings.models import Adjustment
from ratings.tests.helpers import assert_consistent
from users.models import Guild


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the key file goes here, not into the project's var/
    out = StringIO()
    call_command("load_demo", "--if-empty", "--matches", "60", stdout=out)
    return Guild.objects.get(discord_id=DEMO_GUILD_ID), out.getvalue(), tmp_path


def test_the_demo_has_every_kind_of_history_and_is_consistent(demo):
    guild, _, _ = demo
    assert guild.players.count() == 36
    statuses = set(Match.objects.filter(guild=guild).values_list("status", flat=True))
    assert statuses == {"completed", "cancelled", "voided", "pending"}
    assert Match.objects.filter(guild=guild, team_count=3, status="completed").exists()
    assert Adjustment.objects.filter(guild=guild).count() == 1
    assert_consistent(guild)
    assert services.ratings_recompute(guild=guild, actor="test", dry_run=True) == []


def test_the_printed_key_works_and_a_second_run_loads_nothing(demo):
    guild, out, var = demo
    key = (var / "demo-api-key").read_text().strip()
    assert out.strip().endswith(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/v1/guilds/{guild.discord_id}/leaderboard/").json()["count"] > 0
    again = StringIO()
    call_command("load_demo", "--if-empty", stdout=again)
    assert "no demo data loaded" in again.getvalue()
    assert Guild.objects.count() == 1


def test_every_page_renders_on_the_demo(demo, client):
    guild, _, _ = demo
    player = guild.players.order_by("-games_played").first()
    for status in ("completed", "voided", "cancelled", "pending"):
        match = Match.objects.filter(guild=guild, status=status).first()
        assert client.get(f"/g/{guild.discord_id}/matches/{match.match_id}/").status_code == 200
    for url in [
        "/",
        f"/g/{guild.discord_id}/",
        f"/g/{guild.discord_id}/?provisional=1",
        f"/g/{guild.discord_id}/players/{player.user_id}/",
    ]:
        assert client.get(url).status_code == 200
