from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Guilds, players and API keys"

    def ready(self):
        from users import schema  # noqa: F401 - registers the OpenAPI authentication scheme
