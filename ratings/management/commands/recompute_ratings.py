from django.core.management.base import BaseCommand, CommandError

from ratings import services
from teambalance.api import parse_snowflake
from users.models import Guild


class Command(BaseCommand):
    help = (
        "Replay a guild's (or every guild's) rating history from scratch and report what "
        "changes. Reports 'no change' on a consistent database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--guild", metavar="ID", help="Only this Discord guild.")
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, guild=None, dry_run=False, **options):
        guilds = Guild.objects.order_by("discord_id")
        if guild is not None:
            guild_id = parse_snowflake(guild)
            if guild_id is None:
                raise CommandError(f"{guild!r} is not a Discord guild id.")
            guilds = guilds.filter(discord_id=guild_id)
            if not guilds.exists():
                raise CommandError(f"Guild {guild_id} is not known here.")
        total = 0
        for each in guilds:
            changes = services.ratings_recompute(
                guild=each, actor="command:recompute_ratings", dry_run=dry_run
            )
            total += len(changes)
            verb = "would change" if dry_run else "changed"
            if not changes:
                self.stdout.write(f"{each} ({each.discord_id}): no change")
                continue
            self.stdout.write(f"{each} ({each.discord_id}): {verb} {len(changes)} player(s)")
            for c in changes:
                self.stdout.write(
                    f"  {c.user_id}: rating {c.rating_before:.6f} → {c.rating_after:.6f}, "
                    f"RD {c.rd_before:.6f} → {c.rd_after:.6f}"
                )
        if total == 0:
            self.stdout.write("no change")
