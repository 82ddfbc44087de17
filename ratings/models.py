"""The rating ledger: every rated event, append-only, and manual adjustments."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from matches.models import Match
from users.models import Guild, Player


class Adjustment(models.Model):
    """An admin's manual change to a player's rating: the intent, kept so that a replay
    applies it again in its place in time ("set to 1650" stays "set to 1650")."""

    guild = models.ForeignKey(Guild, on_delete=models.PROTECT, related_name="adjustments")
    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="adjustments")
    rating = models.FloatField("set rating to", null=True, blank=True)
    delta = models.FloatField("add to rating", null=True, blank=True)
    rd = models.FloatField("set RD to", null=True, blank=True)
    reason = models.CharField(max_length=500)
    actor = models.CharField(max_length=150)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rating__isnull=False, delta__isnull=False),
                name="adjustment_set_or_add_not_both",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=False) | Q(delta__isnull=False) | Q(rd__isnull=False),
                name="adjustment_changes_something",
            ),
            models.CheckConstraint(
                condition=Q(rd__isnull=True) | Q(rd__gt=0), name="adjustment_rd_positive"
            ),
        ]

    def __str__(self):
        return f"Adjustment of {self.player} at {self.created_at:%Y-%m-%d %H:%M}: {self.reason}"


class RatingChangeQuerySet(models.QuerySet):
    def current(self):
        """The ledger as it stands: rows not superseded by a correction's replay."""
        return self.filter(superseded_at__isnull=True)

    def in_time_order(self):
        return self.order_by("occurred_at", "-kind", "pk")  # a match before an adjustment


class RatingChange(models.Model):
    """One player's rating change in one rated event (a match or an adjustment).

    Append-only: a correction never edits a row, it marks the rows it replaces as
    superseded and writes new ones, so what was shown before a correction stays on
    record. At most one current row per (match, player): a match can never be applied
    twice. Participants and players always agree with the current rows.
    """

    class Kind(models.TextChoices):
        MATCH = "match", "match"
        ADJUSTMENT = "adjustment", "adjustment"

    guild = models.ForeignKey(Guild, on_delete=models.PROTECT, related_name="rating_changes")
    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="rating_changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.PROTECT, related_name="rating_changes"
    )
    adjustment = models.ForeignKey(
        Adjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="rating_changes"
    )
    occurred_at = models.DateTimeField(
        help_text="When the event happened (the match's completion)."
    )
    rating_before = models.FloatField()
    rating_after = models.FloatField()
    rd_before = models.FloatField(
        "RD before", help_text="After growing with inactivity up to this event."
    )
    rd_after = models.FloatField("RD after")
    volatility_before = models.FloatField()
    volatility_after = models.FloatField()
    expected_score = models.FloatField(
        null=True, blank=True, help_text="The team's predicted score against the other teams."
    )
    score = models.FloatField(
        null=True, blank=True, help_text="1 win, 0.5 draw, 0 loss (averaged over opponents)."
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = RatingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="match", match__isnull=False, adjustment__isnull=True, score__isnull=False
                )
                | Q(
                    kind="adjustment",
                    adjustment__isnull=False,
                    match__isnull=True,
                    score__isnull=True,
                ),
                name="ratingchange_kind_matches_event",
            ),
            models.UniqueConstraint(
                fields=["match", "player"],
                condition=Q(superseded_at__isnull=True, match__isnull=False),
                name="ratingchange_match_applied_once",
            ),
            models.UniqueConstraint(
                fields=["adjustment", "player"],
                condition=Q(superseded_at__isnull=True, adjustment__isnull=False),
                name="ratingchange_adjustment_applied_once",
            ),
            models.CheckConstraint(
                condition=Q(rd_before__gt=0, rd_after__gt=0), name="ratingchange_rd_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["player", "occurred_at"], name="ratingchange_player_time"),
            models.Index(fields=["guild", "occurred_at"], name="ratingchange_guild_time"),
        ]

    def __str__(self):
        return f"{self.player}: {self.rating_before:.0f} → {self.rating_after:.0f} ({self.kind})"

    @property
    def rating_change(self) -> float:
        return self.rating_after - self.rating_before
