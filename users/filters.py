import django_filters
from django.db.models import F

from users.models import Player


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Ordering where players who never played come last either way, on every database
    (SQLite and PostgreSQL put NULLs at opposite ends by default)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        expression = F(field)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "pk")


class PlayerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="username",
        lookup_expr="icontains",
        max_length=100,
        help_text="Part of a username.",
    )
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", max_length=16)
    min_games = django_filters.NumberFilter(
        field_name="games_played", lookup_expr="gte", min_value=0, max_value=10**9
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("rating", "rating"),
            ("games_played", "games_played"),
            ("username", "username"),
            ("last_played_at", "last_played"),
        ),
        help_text="rating, games_played, username or last_played; '-' first for descending.",
    )

    class Meta:
        model = Player
        fields = ["search", "region", "min_games"]
