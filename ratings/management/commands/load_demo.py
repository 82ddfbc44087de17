import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from matches import services as match_services
from ratings import services as rating_services
from users import services as user_services
from users.models import ApiKey, Guild

DEMO_GUILD_ID = 700000000000000001
NAMES = [
    "Aurora",
    "Blitz",
    "Cobalt",
    "Dagger",
    "Echo",
    "Falcon",
    "Ghost",
    "Havoc",
    "Ion",
    "Jinx",
    "Kestrel",
    "Lynx",
    "Mako",
    "Nova",
    "Onyx",
    "Pixel",
    "Quasar",
    "Raven",
    "Sable",
    "Tempest",
    "Umbra",
    "Vortex",
    "Wraith",
    "Xeno",
    "Yeti",
    "Zephyr",
    "Ember",
    "Frost",
    "Glitch",
    "Halo",
    "Ivy",
    "Jade",
    "Koda",
    "Lumen",
    "Mirage",
    "Nyx",
]


class Command(BaseCommand):
    help = (
        "Load a demo guild: three dozen players and a few months of matches (completed, a "
        "draw, a three-team game, a cancelled, a voided and a pending one), rated through "
        "the real services, and a demo API key written to var/demo-api-key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any guild exists already."
        )
        parser.add_argument("--matches", type=int, default=160)
        parser.add_argument("--no-key", action="store_true", help="Create no demo API key.")

    def handle(self, *args, if_empty=False, matches=160, no_key=False, **options):
        if if_empty and Guild.objects.exists():
            self.stdout.write("The database has guilds already; no demo data loaded.")
            return
        with transaction.atomic():
            guild = self.load(matches)
            if no_key:
                self.stdout.write(f"Loaded {guild} with {guild.players.count()} players.")
                return
            _, raw = user_services.api_key_create(
                name="demo",
                scope=ApiKey.Scope.ADMIN,
                guild_ids=[guild.discord_id],
                actor="command:load_demo",
            )
        path = Path(settings.VAR_DIR) / "demo-api-key"
        path.write_text(raw + "\n")
        path.chmod(0o600)
        players, matches = guild.players.count(), guild.matches.count()
        self.stdout.write(f"Loaded {guild} with {players} players and {matches} matches.")
        self.stdout.write(f"Demo API key (admin scope, this guild only), also in {path}:\n{raw}")

    def load(self, match_count: int) -> Guild:
        rng = random.Random(2026)
        guild, _ = user_services.guild_upsert(guild_id=DEMO_GUILD_ID, name="Demo Community")
        skill = {}
        players = []
        for i, name in enumerate(NAMES):
            player = user_services.player_create(
                guild=guild,
                user_id=800000000000000000 + i,
                username=name,
                region=rng.choice(["EU", "NA", "OCE"]),
            )
            skill[player.user_id] = rng.gauss(1500, 220)
            players.append(player)

        now = timezone.now()
        start = now - timedelta(days=90)
        step = (now - start - timedelta(hours=6)) / match_count
        regulars = players[:-4]  # the last four join late and stay provisional
        for n in range(match_count):
            at = start + step * n
            pool = regulars if n < match_count - 12 else players
            lobby = rng.sample(pool, 10)
            teams = 3 if n % 37 == 36 else 2
            if teams == 3:
                lobby = rng.sample(pool, 9)
            balanced = match_services.lobby_balance(
                guild=guild, user_ids=[p.user_id for p in lobby], teams=teams, seed=n
            )
            lineup = [
                [balanced.players[pk].user_id for pk in team]
                for team in balanced.result.split.teams
            ]
            match = match_services.match_create(
                guild=guild, teams=lineup, created_by=lobby[0].user_id, created_at=at
            )
            if n % 29 == 28:
                match_services.match_cancel(match=match)
                continue
            strength = [
                sum(skill[u] for u in team) / len(team) + rng.gauss(0, 120) for team in lineup
            ]
            if teams == 2 and abs(strength[0] - strength[1]) < 8:
                match_services.match_complete(
                    match=match, draw=True, completed_at=at + timedelta(minutes=35)
                )
                continue
            order = sorted(range(teams), key=lambda t: -strength[t])
            placements = [order.index(t) + 1 for t in range(teams)]
            match_services.match_complete(
                match=match, placements=placements, completed_at=at + timedelta(minutes=35)
            )
            if n == match_count // 2:
                rating_services.match_void(match=match, actor="command:load_demo")

        top = max(regulars, key=lambda p: skill[p.user_id])
        top.refresh_from_db()
        rating_services.player_adjust(
            player=top,
            delta=-15,
            reason="Demo: penalty for leaving a match early",
            actor="command:load_demo",
        )
        pending = rng.sample(regulars, 10)
        match_services.match_create(
            guild=guild, teams=[[p.user_id for p in pending[:5]], [p.user_id for p in pending[5:]]]
        )
        return guild
