"""Guilds, their players, API keys and the audit log."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ratings import glicko2


def rating_as_of(rating: glicko2.Rating, rated_at, at) -> glicko2.Rating:
    """``rating`` as of ``at``: its RD grown by the rating periods since ``rated_at``
    (Glicko-2 step 6, capped at the RD ceiling). The one place idle time is counted:
    what the pages show and what the next match starts from."""
    if rated_at is None:
        return rating
    days = (at - rated_at).total_seconds() / 86400
    config = settings.RATINGS
    return glicko2.inflate(
        rating, max(days, 0.0) / config["PERIOD_DAYS"], ceiling=config["RD_CEILING"]
    )


def snowflake_constraint(field: str, name: str) -> models.CheckConstraint:
    """Discord ids are positive (and below 2**63, which the 64-bit column enforces)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__gt": 0}), name=name)


class GuildQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)

    def with_counts(self):
        """Annotate ``player_count`` and ``match_count`` (by reverse relation, so users
        needs no import of matches) with subqueries: no join, so counts never multiply."""
        return self.annotate(
            player_count=_count_related(self.model, "players"),
            match_count=_count_related(self.model, "matches"),
        )


def _count_related(model, relation: str):
    field = model._meta.get_field(relation)
    fk = field.field.name
    counted = (
        field.related_model.objects.filter(**{fk: models.OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counted), 0)


class Guild(models.Model):
    """A Discord server (guild): the community whose players, matches and ratings these are."""

    discord_id = models.BigIntegerField("Discord guild id", unique=True)
    name = models.CharField(max_length=100, blank=True)
    public = models.BooleanField(
        default=True, help_text="Show this guild's leaderboard and profiles on the public site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuildQuerySet.as_manager()

    class Meta:
        ordering = ["discord_id"]
        constraints = [snowflake_constraint("discord_id", "guild_discord_id_positive")]

    def __str__(self):
        return self.name or f"Guild {self.discord_id}"


class PlayerQuerySet(models.QuerySet):
    def in_guild(self, guild: Guild):
        return self.filter(guild=guild)


class Player(models.Model):
    """A Discord member's standing in one guild: rating, RD, volatility and record.

    The rating fields and counters change only through the match and rating services.
    """

    guild = models.ForeignKey(Guild, on_delete=models.PROTECT, related_name="players")
    user_id = models.BigIntegerField("Discord user id")
    username = models.CharField(max_length=100)
    region = models.CharField(max_length=16, blank=True, help_text="A short region code, e.g. EU.")
    rating = models.FloatField(default=1500.0)
    rd = models.FloatField("RD", default=350.0, help_text="Rating deviation as last rated.")
    volatility = models.FloatField(default=0.06)
    rated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the rating was last set (match or adjustment); the RD grows from here.",
    )
    # Where the rating history starts: replays begin here, so a seeded player keeps the
    # skill the community gave them.
    initial_rating = models.FloatField(default=1500.0)
    initial_rd = models.FloatField("initial RD", default=350.0)
    initial_volatility = models.FloatField(default=0.06)
    games_played = models.PositiveIntegerField(default=0)
    wins = models.PositiveIntegerField(default=0)
    losses = models.PositiveIntegerField(default=0)
    draws = models.PositiveIntegerField(default=0)
    last_played_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlayerQuerySet.as_manager()

    class Meta:
        ordering = ["guild", "-rating", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["guild", "user_id"], name="player_unique_per_guild"),
            snowflake_constraint("user_id", "player_user_id_positive"),
            models.CheckConstraint(
                condition=Q(rd__gt=0, initial_rd__gt=0), name="player_rd_positive"
            ),
            models.CheckConstraint(
                condition=Q(volatility__gt=0, initial_volatility__gt=0),
                name="player_volatility_positive",
            ),
            models.CheckConstraint(
                condition=Q(games_played=F("wins") + F("losses") + F("draws")),
                name="player_games_add_up",
            ),
        ]
        indexes = [
            models.Index(fields=["guild", "rating"], name="player_guild_rating"),
            models.Index(fields=["guild", "username"], name="player_guild_username"),
        ]

    def __str__(self):
        return f"{self.username} ({self.user_id})"

    # What the public sees: the RD grows while a player is away, so a rating that has not
    # been tested for months is shown (and ranked) as the uncertain rating it has become.

    def current_rd(self, at=None) -> float:
        """The RD as of ``at`` (default now), grown by the time since it was last set."""
        return self.as_rating(at).rd

    def as_rating(self, at=None) -> glicko2.Rating:
        """Rating, RD and volatility as of ``at``, with the inactivity inflation applied."""
        rating = glicko2.Rating(self.rating, self.rd, self.volatility)
        return rating_as_of(rating, self.rated_at, at or timezone.now())

    @property
    def display_rd(self) -> float:
        return self.current_rd()

    @property
    def provisional(self) -> bool:
        return self.display_rd > settings.RATINGS["PROVISIONAL_RD"]

    @property
    def conservative_rating(self) -> float:
        """Rating minus two RDs: what the player is at least, with about 95% confidence."""
        return self.rating - 2 * self.display_rd

    @property
    def win_rate(self) -> float | None:
        return self.wins / self.games_played if self.games_played else None


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked=False)


class ApiKey(models.Model):
    """A bot's credential. Only a SHA-256 hash is stored; the key is shown once.

    SHA-256 (not a password hash) is right for a 256-bit random key: nobody can guess
    it, and a deliberately slow hash would cost milliseconds on every request.
    """

    class Scope(models.TextChoices):
        READ = "read", "read"
        WRITE = "write", "write"
        ADMIN = "admin", "admin"

    PREFIX = "tb_"
    SCOPE_LEVELS = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}

    name = models.CharField(max_length=100)
    key_prefix = models.CharField(
        max_length=12, editable=False, help_text="The key's first characters, to recognise it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.WRITE)
    guild_ids = models.JSONField(
        "limited to guilds",
        default=list,
        blank=True,
        help_text="Discord guild ids this key may act on; empty means every guild.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "write", "admin"]), name="apikey_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(revoked=False, revoked_at__isnull=True)
                | Q(revoked=True, revoked_at__isnull=False),
                name="apikey_revoked_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def allows_scope(self, scope: str) -> bool:
        return self.SCOPE_LEVELS[self.scope] >= self.SCOPE_LEVELS[scope]

    def allows_guild(self, guild_id: int) -> bool:
        return not self.guild_ids or int(guild_id) in {int(g) for g in self.guild_ids}


class AuditEntry(models.Model):
    """One privileged action: who did what, when, and the values before and after."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(
        max_length=150, help_text='e.g. "api-key:3 (main bot)" or "admin:alice".'
    )
    action = models.CharField(max_length=50)
    guild = models.ForeignKey(Guild, null=True, blank=True, on_delete=models.PROTECT)
    target = models.CharField(max_length=200)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"
