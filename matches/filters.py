import django_filters
from django import forms

from matches.models import Match
from teambalance.api import SNOWFLAKE_HELP, parse_snowflake


class SnowflakeFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        number = parse_snowflake(value)
        if number is None:
            raise forms.ValidationError(f"Must be {SNOWFLAKE_HELP}.")
        return number


class SnowflakeFilter(django_filters.Filter):
    field_class = SnowflakeFormField


class MatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Match.Status.choices)
    player = SnowflakeFilter(
        field_name="participants__player__user_id", help_text="Matches this Discord user played in."
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Match
        fields = ["status", "player", "created_after", "created_before"]
