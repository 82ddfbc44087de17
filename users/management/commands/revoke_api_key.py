from django.core.management.base import BaseCommand, CommandError

from users import services
from users.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key, given the key itself or the prefix the admin shows."

    def add_arguments(self, parser):
        parser.add_argument("key", help="The full key, or its first characters (e.g. tb_AbCdEfG).")

    def handle(self, *args, key, **options):
        match = ApiKey.objects.filter(key_hash=ApiKey.hash(key)).first()
        if match is None:
            candidates = list(ApiKey.objects.filter(key_prefix=key[:10])) if len(key) >= 10 else []
            if len(candidates) > 1:
                raise CommandError("That prefix matches several keys; give the full key.")
            if not candidates:
                raise CommandError("No such API key.")
            match = candidates[0]
        if match.revoked:
            self.stderr.write(f"{match} was already revoked.")
            return
        services.api_key_revoke(key=match, actor="command:revoke_api_key")
        self.stdout.write(f"Revoked {match}.")
