from django import forms
from django.contrib import admin, messages

from teambalance.api import parse_snowflake
from users import services
from users.models import ApiKey, AuditEntry, Guild, Player


def admin_actor(request) -> str:
    return f"admin:{request.user.get_username()}"


class ReadOnlyAdminMixin:
    """For records nobody may add, edit or delete by hand: logs and ledgers."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Guild)
class GuildAdmin(admin.ModelAdmin):
    list_display = ["__str__", "discord_id", "public", "created_at"]
    list_filter = ["public"]
    search_fields = ["name", "discord_id"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    """Players: names and regions are editable; ratings and records change only through
    matches and adjustments, so the ledger always explains them."""

    list_display = [
        "username",
        "user_id",
        "guild",
        "region",
        "rounded_rating",
        "rounded_rd",
        "games_played",
        "wins",
        "losses",
        "draws",
        "last_played_at",
    ]
    list_select_related = ["guild"]
    list_filter = ["region", "guild"]
    search_fields = ["username", "user_id"]
    ordering = ["guild", "-rating"]
    readonly_fields = [
        "rating",
        "rd",
        "volatility",
        "rated_at",
        "initial_rating",
        "initial_rd",
        "initial_volatility",
        "games_played",
        "wins",
        "losses",
        "draws",
        "last_played_at",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "guild", "user_id"] if obj else fields

    @admin.display(description="rating", ordering="rating")
    def rounded_rating(self, player):
        return round(player.rating)

    @admin.display(description="RD", ordering="rd")
    def rounded_rd(self, player):
        return round(player.rd)

    def has_delete_permission(self, request, obj=None):
        return False  # deleting goes through the API, which refuses players with history


class GuildIdsField(forms.CharField):
    """Discord guild ids, separated by commas, spaces or new lines."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def clean(self, value):
        value = super().clean(value)
        ids = []
        for part in value.replace(",", " ").split():
            number = parse_snowflake(part)
            if number is None:
                raise forms.ValidationError(f"{part!r} is not a Discord guild id.")
            ids.append(number)
        return sorted(set(ids))


class ApiKeyForm(forms.ModelForm):
    guild_ids = GuildIdsField(
        required=False,
        label="Limited to guilds",
        help_text="Discord guild ids, separated by commas; empty means every guild.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scope", "guild_ids"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = [
        "name",
        "key_prefix",
        "scope",
        "guild_list",
        "created_at",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["scope", "revoked"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description="guilds")
    def guild_list(self, key):
        return ", ".join(str(g) for g in key.guild_ids) or "all"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "scope"] if obj else fields  # a new scope deserves a new key

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw = services.api_key_issue(key=obj, actor=admin_actor(request))
        messages.warning(
            request, f"The new key is {raw} — copy it now, it will not be shown again."
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the key stays on record

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            services.api_key_revoke(key=key, actor=admin_actor(request))
        messages.success(request, f"Revoked {queryset.count()} key(s).")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read-only."""

    list_display = ["created_at", "actor", "action", "target", "guild"]
    list_select_related = ["guild"]
    list_filter = ["action"]
    search_fields = ["actor", "target"]
    date_hierarchy = "created_at"
