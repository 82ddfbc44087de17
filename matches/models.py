"""Matches, their teams (as participants with a team number) and results."""

import uuid

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from ratings import glicko2  # the pure engine only: one win-probability formula for the product
from users.models import Guild, Player

MAX_TEAMS = 16


class MatchQuerySet(models.QuerySet):
    def with_teams(self):
        """Load every participant and player the match serializers and pages show."""
        return self.select_related("guild").prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("player").order_by("team", "pk"),
            )
        )

    def rated(self):
        """Matches whose result counts: completed, in the order they were rated."""
        return self.filter(status=Match.Status.COMPLETED).order_by("completed_at", "pk")


class Match(models.Model):
    """A game between teams of a guild's players, from creation to its result."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        COMPLETED = "completed", "completed"
        CANCELLED = "cancelled", "cancelled"
        VOIDED = "voided", "voided"

    match_id = models.UUIDField("public id", default=uuid.uuid4, unique=True, editable=False)
    guild = models.ForeignKey(Guild, on_delete=models.PROTECT, related_name="matches")
    created_by = models.BigIntegerField("created by (Discord user id)", null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    team_count = models.PositiveSmallIntegerField()
    placements = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="One placement per team, 1 = best, ties allowed.",
    )
    win_probabilities = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Each team's predicted chance, as the rating system saw it just before rating.",
    )
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "completed", "cancelled", "voided"]),
                name="match_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(team_count__gte=2, team_count__lte=MAX_TEAMS),
                name="match_team_count_range",
            ),
            models.CheckConstraint(
                condition=Q(created_by__isnull=True) | Q(created_by__gt=0),
                name="match_created_by_snowflake",
            ),
            # A result exists exactly when the match was completed (or completed, then voided).
            models.CheckConstraint(
                condition=Q(
                    status__in=["completed", "voided"],
                    completed_at__isnull=False,
                    placements__isnull=False,
                )
                | Q(
                    status__in=["pending", "cancelled"],
                    completed_at__isnull=True,
                    placements__isnull=True,
                ),
                name="match_result_iff_completed",
            ),
        ]
        indexes = [
            models.Index(fields=["guild", "status", "completed_at"], name="match_guild_status"),
            models.Index(fields=["guild", "-created_at"], name="match_guild_created"),
        ]

    def __str__(self):
        return f"Match {self.match_id} ({self.status})"

    @property
    def result(self) -> dict | None:
        """The result as the API shows it: winning team, draw, and the placements."""
        if self.placements is None:
            return None
        firsts = [team for team, place in enumerate(self.placements, start=1) if place == 1]
        return {
            "winning_team": firsts[0] if len(firsts) == 1 else None,
            "draw": len(set(self.placements)) == 1,
            "placements": list(self.placements),
        }

    def predicted_win_probabilities(self) -> list[float] | None:
        """Each team's chance: as rated for a completed match, from the current ratings
        for a pending one, none for a cancelled or voided one."""
        if self.status == self.Status.COMPLETED:
            return self.win_probabilities
        if self.status != self.Status.PENDING:
            return None
        now = timezone.now()
        return glicko2.team_win_probabilities(
            [[p.player.as_rating(now) for p in team] for team in self.teams()]
        )

    def teams(self) -> list[list["Participant"]]:
        """Participants grouped by team, team 1 first (uses the prefetched participants)."""
        teams: list[list[Participant]] = [[] for _ in range(self.team_count)]
        for participant in self.participants.all():
            teams[participant.team - 1].append(participant)
        return teams


class Participant(models.Model):
    """A player's place in a match: their team, their outcome and their rating change.

    The rating fields are filled by the ratings app when the match is rated, and always
    agree with the rating ledger.
    """

    class Outcome(models.TextChoices):
        WIN = "win", "win"
        LOSS = "loss", "loss"
        DRAW = "draw", "draw"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="participants")
    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="participations")
    team = models.PositiveSmallIntegerField(help_text="1-based team number.")
    outcome = models.CharField(max_length=4, choices=Outcome.choices, blank=True)
    rating_before = models.FloatField(null=True, blank=True)
    rating_after = models.FloatField(null=True, blank=True)
    rd_before = models.FloatField("RD before", null=True, blank=True)
    rd_after = models.FloatField("RD after", null=True, blank=True)
    expected_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["match", "team", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["match", "player"], name="participant_once_per_match"),
            models.CheckConstraint(
                condition=Q(team__gte=1, team__lte=MAX_TEAMS), name="participant_team_range"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "win", "loss", "draw"]),
                name="participant_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["player", "match"], name="participant_player")]

    def __str__(self):
        return f"{self.player} in team {self.team} of {self.match_id}"

    @property
    def rating_change(self) -> float | None:
        if self.rating_before is None or self.rating_after is None:
            return None
        return self.rating_after - self.rating_before
