"""Admin for the ledger and adjustments, and the rating actions on matches and guilds.

``matches`` and ``users`` know nothing of ratings, so the match and guild admins are
extended here with the corrections: void, correct, recompute. Every one calls the same
service as the API and is written to the audit log.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import path

from matches.admin import MatchAdmin
from matches.models import Match
from matches.services import placements_from
from ratings import services
from ratings.models import Adjustment, RatingChange
from teambalance.errors import ServiceError
from users.admin import GuildAdmin, ReadOnlyAdminMixin, admin_actor
from users.models import Guild


@admin.register(RatingChange)
class RatingChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: read-only, superseded rows included (they are what was once shown)."""

    list_display = [
        "occurred_at",
        "player",
        "kind",
        "match",
        "rounded_before",
        "rounded_after",
        "superseded_at",
    ]
    list_select_related = ["player", "match"]
    list_filter = ["kind", ("superseded_at", admin.EmptyFieldListFilter), "guild"]
    search_fields = ["player__username", "player__user_id", "match__match_id"]
    date_hierarchy = "occurred_at"

    @admin.display(description="before", ordering="rating_before")
    def rounded_before(self, change):
        return f"{change.rating_before:.1f} ± {change.rd_before:.0f}"

    @admin.display(description="after", ordering="rating_after")
    def rounded_after(self, change):
        return f"{change.rating_after:.1f} ± {change.rd_after:.0f}"


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = Adjustment
        fields = ["player", "rating", "delta", "rd", "reason"]

    def clean(self):
        """Validate exactly as the service does: by running it as a dry run."""
        data = super().clean()
        if self.errors:
            return data
        try:
            services.player_adjust(**self.adjustment(), actor="admin", dry_run=True)
        except ServiceError as exc:
            raise forms.ValidationError(exc.detail) from None
        return data

    def adjustment(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in ("player", "rating", "delta", "rd", "reason")}


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    """Adding an adjustment here runs ``player_adjust``, exactly as the API does."""

    form = AdjustmentForm
    list_display = ["created_at", "player", "rating", "delta", "rd", "reason", "actor"]
    list_select_related = ["player"]
    search_fields = ["player__username", "player__user_id", "reason"]
    autocomplete_fields = ["player"]

    def save_model(self, request, obj, form, change):
        services.player_adjust(**form.adjustment(), actor=admin_actor(request))
        # The admin's "added" message and log entry speak of the adjustment just made.
        saved = Adjustment.objects.filter(player=obj.player).latest("created_at", "pk")
        obj.pk, obj.created_at, obj.actor = saved.pk, saved.created_at, saved.actor

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Match)


@admin.register(Match)
class RatedMatchAdmin(MatchAdmin):
    actions = [*MatchAdmin.actions, "void", "void_preview"]

    @admin.action(description="Void the selected completed matches (replays ratings)")
    def void(self, request, queryset):
        actor = admin_actor(request)
        self.run_service(
            request, queryset, "voided", lambda m: services.match_void(match=m, actor=actor)
        )

    @admin.action(description="Preview voiding the selected matches (changes nothing)")
    def void_preview(self, request, queryset):
        for match in queryset:
            try:
                changes = services.match_void(match=match, actor=admin_actor(request), dry_run=True)
            except ServiceError as exc:
                messages.error(request, f"{match.match_id}: {exc.detail}")
                continue
            messages.info(request, f"Voiding {match.match_id} would change: {describe(changes)}")

    def get_urls(self):
        return [
            path(
                "<int:pk>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="matches_match_correct",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "correct_url_name": "admin:matches_match_correct"}
        return super().change_view(request, object_id, form_url, extra_context)

    def correct_view(self, request, pk):
        actor = admin_actor(request)

        def correct(match, result):
            placements = placements_from(team_count=match.team_count, **result)
            return services.match_correct(match=match, placements=placements, actor=actor)

        return self.result_view(request, pk, "Correct the result of match", correct)


admin.site.unregister(Guild)


@admin.register(Guild)
class RatedGuildAdmin(GuildAdmin):
    actions = ["recompute_preview", "recompute"]

    @admin.action(description="Preview a full ratings recompute (changes nothing)")
    def recompute_preview(self, request, queryset):
        for guild in queryset:
            changes = services.ratings_recompute(
                guild=guild, actor=admin_actor(request), dry_run=True
            )
            messages.info(request, f"{guild}: {describe(changes)}")

    @admin.action(description="Recompute ratings from the whole history")
    def recompute(self, request, queryset):
        for guild in queryset:
            changes = services.ratings_recompute(guild=guild, actor=admin_actor(request))
            messages.success(request, f"{guild}: {describe(changes)}")


def describe(changes) -> str:
    if not changes:
        return "no change"
    shown = ", ".join(
        f"{c.user_id}: {c.rating_before:.1f} → {c.rating_after:.1f}" for c in changes[:10]
    )
    more = f" and {len(changes) - 10} more" if len(changes) > 10 else ""
    return f"{len(changes)} player(s) — {shown}{more}"
