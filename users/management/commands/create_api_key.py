from django.core.management.base import BaseCommand, CommandError

from teambalance.api import parse_snowflake
from users import services
from users.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key and print it (alone, on stdout). It is stored hashed: keep it now."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. 'main bot'.")
        parser.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.WRITE)
        parser.add_argument(
            "--guild",
            dest="guilds",
            action="extend",
            nargs="+",
            default=[],
            metavar="ID",
            help="Limit the key to these Discord guild ids (known yet or not). Repeatable.",
        )

    def handle(self, *args, name, scope, guilds, **options):
        ids = []
        for value in guilds:
            number = parse_snowflake(value)
            if number is None:
                raise CommandError(f"{value!r} is not a Discord guild id.")
            ids.append(number)
        if not name.strip() or len(name) > 100:
            raise CommandError("The name must be 1 to 100 characters.")
        key, raw = services.api_key_create(
            name=name.strip(), scope=scope, guild_ids=ids, actor="command:create_api_key"
        )
        self.stderr.write(f"Created {key} with scope {key.scope}.")
        self.stdout.write(raw)
