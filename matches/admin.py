from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from matches import services
from matches.models import Match, Participant
from teambalance.errors import ServiceError


class ResultForm(forms.Form):
    """A match's result in the admin: one of the three forms the API takes."""

    winning_team = forms.IntegerField(required=False, min_value=1)
    draw = forms.BooleanField(required=False)
    placements = forms.CharField(
        required=False, help_text="One per team, 1 = best, ties allowed, e.g. 1, 3, 2, 2."
    )

    def clean_placements(self):
        value = self.cleaned_data["placements"].strip()
        if not value:
            return None
        try:
            return [int(part) for part in value.replace(",", " ").split()]
        except ValueError:
            raise forms.ValidationError(
                "Placements are whole numbers separated by commas."
            ) from None

    def result(self) -> dict:
        data = self.cleaned_data
        return {
            "winning_team": data["winning_team"],
            "draw": data["draw"],
            "placements": data["placements"],
        }


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = [
        "player",
        "team",
        "outcome",
        "rating_before",
        "rating_after",
        "rd_before",
        "rd_after",
        "expected_score",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["team", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("player")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """Matches are read-only here: every status change is an action or a form that calls
    the same service as the API."""

    list_display = ["match_id", "guild", "status", "team_count", "created_at", "completed_at"]
    list_select_related = ["guild"]
    list_filter = ["status", "guild"]
    search_fields = ["match_id"]
    date_hierarchy = "created_at"
    inlines = [ParticipantInline]
    readonly_fields = [
        "match_id",
        "guild",
        "status",
        "team_count",
        "result",
        "win_probabilities",
        "created_by",
        "created_at",
        "completed_at",
        "updated_at",
    ]
    fields = readonly_fields
    actions = ["cancel"]
    change_form_template = "admin/matches/match/change_form.html"

    def has_add_permission(self, request):
        return False  # matches are created by the bot, through the API

    def has_delete_permission(self, request, obj=None):
        return False  # history is never lost: cancel or void instead

    @admin.action(description="Cancel the selected pending matches")
    def cancel(self, request, queryset):
        self.run_service(
            request, queryset, "cancelled", lambda match: services.match_cancel(match=match)
        )

    def run_service(self, request, queryset, done: str, service) -> None:
        ok = 0
        for match in queryset:
            try:
                service(match)
                ok += 1
            except ServiceError as exc:
                messages.error(request, f"{match.match_id}: {exc.detail}")
        if ok:
            messages.success(request, f"{ok} match(es) {done}.")

    def get_urls(self):
        return [
            path(
                "<int:pk>/complete/",
                self.admin_site.admin_view(self.complete_view),
                name="matches_match_complete",
            ),
            *super().get_urls(),
        ]

    def complete_view(self, request, pk):
        return self.result_view(
            request,
            pk,
            "Complete match",
            lambda match, result: services.match_complete(match=match, **result),
        )

    def result_view(self, request, pk, title, service):
        """A form for a result, handed to ``service(match, result)``."""
        match = get_object_or_404(Match, pk=pk)
        if not self.has_change_permission(request, match):
            return redirect("admin:index")
        form = ResultForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(match, form.result())
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, f"{title}: done.")
                return redirect(reverse("admin:matches_match_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} {match.match_id}",
            "form": form,
            "match": match,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/matches/match/result_form.html", context)
