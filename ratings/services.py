"""Applying ratings, and correcting them: one path, exactly once, replayable.

A rated event is a completed match or a manual adjustment. ``_rate_match`` and
``_adjust`` turn an event and the players' states just before it into ledger rows and
new states. The live path (a match completing, an admin adjusting) and the replay (a
void, a correction, a recompute) both call them, so a replay computes bit for bit what
the live path would have.

Before every event a player's RD grows with the time since their rating was last set
(Glicko-2 step 6 for that many rating periods, capped at the RD ceiling); the match is
then rated with ``periods=0``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from matches import services as match_services
from matches.models import Match, Participant
from ratings import glicko2
from ratings.models import Adjustment, RatingChange
from teambalance.errors import Invalid
from users.models import Guild, Player, rating_as_of
from users.services import audit_record

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class State:
    """A player's rating as last set, and when."""

    rating: glicko2.Rating
    rated_at: datetime | None

    @classmethod
    def of(cls, player: Player) -> State:
        return cls(glicko2.Rating(player.rating, player.rd, player.volatility), player.rated_at)

    @classmethod
    def initial(cls, player: Player) -> State:
        rating = glicko2.Rating(player.initial_rating, player.initial_rd, player.initial_volatility)
        return cls(rating, None)

    def at(self, moment: datetime) -> glicko2.Rating:
        """The rating as of ``moment``: the RD grown by the rating periods since rated_at."""
        return rating_as_of(self.rating, self.rated_at, moment)


@dataclass(frozen=True, slots=True)
class Row:
    """The values of one ledger row, before it is a model instance."""

    player_id: int
    kind: str
    event_id: int
    occurred_at: datetime
    before: glicko2.Rating
    after: glicko2.Rating
    expected_score: float | None
    score: float | None

    def key(self) -> tuple:
        return (self.kind, self.event_id, self.player_id)

    def values(self) -> tuple:
        return (
            self.occurred_at,
            self.before.rating,
            self.after.rating,
            self.before.rd,
            self.after.rd,
            self.before.volatility,
            self.after.volatility,
            self.expected_score,
            self.score,
        )

    def to_model(self, guild_id: int) -> RatingChange:
        is_match = self.kind == RatingChange.Kind.MATCH
        return RatingChange(
            guild_id=guild_id,
            player_id=self.player_id,
            kind=self.kind,
            match_id=self.event_id if is_match else None,
            adjustment_id=None if is_match else self.event_id,
            occurred_at=self.occurred_at,
            rating_before=self.before.rating,
            rating_after=self.after.rating,
            rd_before=self.before.rd,
            rd_after=self.after.rd,
            volatility_before=self.before.volatility,
            volatility_after=self.after.volatility,
            expected_score=self.expected_score,
            score=self.score,
        )


_ROW_FIELDS = (
    "occurred_at",
    "rating_before",
    "rating_after",
    "rd_before",
    "rd_after",
    "volatility_before",
    "volatility_after",
    "expected_score",
    "score",
)


@dataclass(frozen=True, slots=True)
class Change:
    """What an operation did (or would do) to one player: the preview's unit."""

    user_id: int
    rating_before: float
    rating_after: float
    rd_before: float
    rd_after: float


# The two kinds of event ------------------------------------------------------------------


def _rate_match(
    *,
    match_id: int,
    placements: Sequence[int],
    lineup: Sequence[tuple[int, int]],
    states: dict[int, State],
    at: datetime,
) -> tuple[list[Row], list[float]]:
    """Rate one match. ``lineup`` is (player id, team) in team order; ``states`` is updated."""
    config = settings.RATINGS
    teams: list[list[tuple[int, glicko2.Rating]]] = [[] for _ in placements]
    for player_id, team in lineup:
        teams[team - 1].append((player_id, states[player_id].at(at)))
    ratings = [[rating for _, rating in team] for team in teams]
    results = glicko2.rate_match(
        ratings,
        placements,
        tau=config["TAU"],
        rd_floor=config["RD_FLOOR"],
        rd_ceiling=config["RD_CEILING"],
        volatility_cap=config["VOLATILITY_CAP"],
    )
    rows = []
    for team, result in zip(teams, results, strict=True):
        for (player_id, before), after in zip(team, result.ratings, strict=True):
            rows.append(
                Row(
                    player_id,
                    RatingChange.Kind.MATCH,
                    match_id,
                    at,
                    before,
                    after,
                    result.expected_score,
                    result.score,
                )
            )
            states[player_id] = State(after, at)
    return rows, glicko2.team_win_probabilities(ratings)


def _adjust(*, adjustment: Adjustment, states: dict[int, State]) -> Row:
    """Apply an adjustment in its place in time; ``states`` is updated."""
    at = adjustment.created_at
    before = states[adjustment.player_id].at(at)
    rating = before.rating
    if adjustment.rating is not None:
        rating = adjustment.rating
    elif adjustment.delta is not None:
        rating = before.rating + adjustment.delta
    rd = before.rd if adjustment.rd is None else adjustment.rd
    after = glicko2.Rating(rating, rd, before.volatility)
    states[adjustment.player_id] = State(after, at)
    return Row(
        adjustment.player_id,
        RatingChange.Kind.ADJUSTMENT,
        adjustment.pk,
        at,
        before,
        after,
        None,
        None,
    )


def _set_state(player: Player, state: State) -> None:
    player.rating, player.rd, player.volatility = (
        state.rating.rating,
        state.rating.rd,
        state.rating.volatility,
    )
    player.rated_at = state.rated_at


_PLAYER_RATING_FIELDS = ["rating", "rd", "volatility", "rated_at"]
_PARTICIPANT_RATING_FIELDS = [
    "rating_before",
    "rating_after",
    "rd_before",
    "rd_after",
    "expected_score",
]


def _participant_values(row: Row | None) -> tuple:
    if row is None:
        return (None, None, None, None, None)
    return (row.before.rating, row.after.rating, row.before.rd, row.after.rd, row.expected_score)


# The live path -------------------------------------------------------------------------------


def ratings_apply_match(*, match: Match, participants: Sequence[Participant]) -> list[RatingChange]:
    """Rate a match that has just completed, inside the completing transaction.

    ``participants`` carry their locked players as they stood before the match. Writes
    one ledger row per player (the ledger's unique constraint refuses a second
    application), the participants' before/after, the players' new ratings and the
    match's pre-match win probabilities.
    """
    states = {p.player_id: State.of(p.player) for p in participants}
    rows, probabilities = _rate_match(
        match_id=match.pk,
        placements=match.placements,
        lineup=[(p.player_id, p.team) for p in participants],
        states=states,
        at=match.completed_at,
    )
    changes = RatingChange.objects.bulk_create(row.to_model(match.guild_id) for row in rows)
    by_player = {row.player_id: row for row in rows}
    for participant in participants:
        values = _participant_values(by_player[participant.player_id])
        for field, value in zip(_PARTICIPANT_RATING_FIELDS, values, strict=True):
            setattr(participant, field, value)
        _set_state(participant.player, states[participant.player_id])
    Participant.objects.bulk_update(participants, _PARTICIPANT_RATING_FIELDS)
    Player.objects.bulk_update([p.player for p in participants], _PLAYER_RATING_FIELDS)
    match.win_probabilities = probabilities
    match.save(update_fields=["win_probabilities"])
    return changes


def _event_time(player: Player, at: datetime | None) -> datetime:
    """When an adjustment happens: ``at`` if given (for importing history; it must be
    after the player's last rated event, so that events stay in time order), else now,
    or just after the last rated event if the clock stepped back."""
    if at is not None:
        if at > timezone.now():
            raise Invalid("An adjustment cannot be in the future.")
        if player.rated_at is not None and at <= player.rated_at:
            raise Invalid("An adjustment must come after the player's last rated event.")
        return at
    now = timezone.now()
    if player.rated_at is not None and now <= player.rated_at:
        return player.rated_at + timedelta(microseconds=1)
    return now


@transaction.atomic
def player_adjust(
    *,
    player: Player,
    reason: str,
    actor: str,
    rating: float | None = None,
    delta: float | None = None,
    rd: float | None = None,
    at: datetime | None = None,
    dry_run: bool = False,
) -> list[Change]:
    """Set (``rating``) or shift (``delta``) a player's rating, optionally set the RD.

    The adjustment is a ledger event: it stays in its place in time when history is
    replayed. Written to the audit log. With ``dry_run`` nothing is kept.
    """
    config = settings.RATINGS
    if rating is not None and delta is not None:
        raise Invalid("Give either rating (to set) or delta (to add), not both.")
    if rating is None and delta is None and rd is None:
        raise Invalid("Give rating, delta or rd.")
    if not reason.strip():
        raise Invalid("A reason is required.")
    if rd is not None and not config["RD_FLOOR"] <= rd <= config["RD_CEILING"]:
        raise Invalid(f"rd must be between {config['RD_FLOOR']} and {config['RD_CEILING']}.")
    player = Player.objects.select_for_update().get(pk=player.pk)
    before = (player.rating, player.rd)
    adjustment = Adjustment.objects.create(
        guild_id=player.guild_id,
        player=player,
        rating=rating,
        delta=delta,
        rd=rd,
        reason=reason.strip(),
        actor=actor,
        created_at=_event_time(player, at),
    )
    states = {player.pk: State.of(player)}
    row = _adjust(adjustment=adjustment, states=states)
    row.to_model(player.guild_id).save()
    _set_state(player, states[player.pk])
    player.save(update_fields=_PLAYER_RATING_FIELDS)
    change = Change(player.user_id, before[0], player.rating, before[1], player.rd)
    audit_record(
        actor=actor,
        action="player.adjust",
        guild=player.guild,
        target=f"player {player.user_id} ({player.username})",
        before={"rating": before[0], "rd": before[1]},
        after={"rating": player.rating, "rd": player.rd, "reason": adjustment.reason},
    )
    if dry_run:
        transaction.set_rollback(True)
    return [change]


# Corrections --------------------------------------------------------------------------------


@transaction.atomic
def match_void(*, match: Match, actor: str, dry_run: bool = False) -> list[Change]:
    """Void a completed match: every later event of the guild is replayed so that every
    rating ends exactly as if the match had never happened."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    players = _lock_guild(match.guild)
    match_services.match_mark_voided(match=match)
    match.participants.update(**dict.fromkeys(_PARTICIPANT_RATING_FIELDS))
    match.win_probabilities = None
    match.save(update_fields=["win_probabilities"])
    changes = _replay(guild=match.guild, players=players, since=match.completed_at)
    _audit_correction(actor, "match.void", match, changes)
    if dry_run:
        transaction.set_rollback(True)
    return changes


@transaction.atomic
def match_correct(
    *, match: Match, placements: Sequence[int], actor: str, dry_run: bool = False
) -> list[Change]:
    """Give a completed match a new result: it keeps its place in history and everything
    after it is replayed."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    players = _lock_guild(match.guild)
    old = match.result
    match_services.match_set_result(match=match, placements=placements)
    changes = _replay(guild=match.guild, players=players, since=match.completed_at)
    _audit_correction(actor, "match.correct", match, changes, result=(old, match.result))
    if dry_run:
        transaction.set_rollback(True)
    return changes


@transaction.atomic
def ratings_recompute(*, guild: Guild, actor: str, dry_run: bool = False) -> list[Change]:
    """Replay a guild's whole history from every player's initial rating.

    On a consistent database this changes nothing and returns no changes.
    """
    changes = _replay(guild=guild, players=_lock_guild(guild), since=None)
    if changes or not dry_run:
        audit_record(
            actor=actor,
            action="ratings.recompute",
            guild=guild,
            target=f"guild {guild.discord_id}",
            after={"changed_players": len(changes)},
        )
    if dry_run:
        transaction.set_rollback(True)
    return changes


def _audit_correction(
    actor: str, action: str, match: Match, changes: list[Change], result=None
) -> None:
    before = {str(c.user_id): {"rating": c.rating_before, "rd": c.rd_before} for c in changes}
    after = {str(c.user_id): {"rating": c.rating_after, "rd": c.rd_after} for c in changes}
    if result is not None:
        before["result"], after["result"] = result
    audit_record(
        actor=actor,
        action=action,
        guild=match.guild,
        target=f"match {match.match_id}",
        before=before,
        after=after,
    )


# The replay -------------------------------------------------------------------------------------


def _lock_guild(guild: Guild) -> dict[int, Player]:
    """Lock every player of the guild, in primary-key order like every other writer."""
    return {p.pk: p for p in Player.objects.select_for_update().filter(guild=guild).order_by("pk")}


def _replay(*, guild: Guild, players: dict[int, Player], since: datetime | None) -> list[Change]:
    """Recompute every rated event of ``guild`` from ``since`` (or the beginning) in time
    order, and bring the ledger, participants, players and matches in line with it.

    ``players`` are the guild's players, locked by the caller before it changed anything.
    Rows whose values come out identical are kept; the others are superseded and written
    anew. Returns the players whose rating or RD changed.
    """
    matches = Match.objects.filter(guild=guild).rated()
    adjustments = Adjustment.objects.filter(guild=guild).order_by("created_at", "pk")
    if since is not None:
        matches = matches.filter(completed_at__gte=since)
        adjustments = adjustments.filter(created_at__gte=since)
    matches = list(matches.values_list("pk", "completed_at", "placements"))
    adjustments = list(adjustments)
    lineups: dict[int, list[tuple[int, int]]] = {}
    participant_rows: dict[tuple[int, int], tuple] = {}
    for chunk in _chunks([pk for pk, _, _ in matches]):
        for pk, match_id, player_id, team, *values in (
            Participant.objects.filter(match_id__in=chunk)
            .order_by("match_id", "team", "pk")
            .values_list("pk", "match_id", "player_id", "team", *_PARTICIPANT_RATING_FIELDS)
        ):
            lineups.setdefault(match_id, []).append((player_id, team))
            participant_rows[(match_id, player_id)] = (pk, tuple(values))

    existing = _current_rows(guild, since)
    # Everyone with an event to replay, and everyone whose rows are replaced (a voided
    # match's players, even if they have not played since).
    involved = {a.player_id for a in adjustments} | {
        p for lineup in lineups.values() for p, _ in lineup
    }
    involved |= {player_id for _, _, player_id in existing}
    states = (
        _states_before(since, {pk: players[pk] for pk in involved})
        if since
        else {pk: State.initial(player) for pk, player in players.items()}
    )

    events = [(at, 0, pk, placements) for pk, at, placements in matches]
    events += [(a.created_at, 1, a.pk, a) for a in adjustments]
    events.sort(key=lambda event: event[:3])
    new_rows: list[Row] = []
    probabilities: dict[int, list[float]] = {}
    for at, kind, pk, payload in events:
        if kind == 0:
            rows, probabilities[pk] = _rate_match(
                match_id=pk, placements=payload, lineup=lineups[pk], states=states, at=at
            )
            new_rows += rows
        else:
            new_rows.append(_adjust(adjustment=payload, states=states))

    _write_ledger(guild, existing, new_rows)
    _write_participants(new_rows, participant_rows)
    _write_probabilities(probabilities)
    return _write_players(players, states)


def _states_before(since: datetime, players: dict[int, Player]) -> dict[int, State]:
    """Each player's state just before ``since``: their last current ledger row, or their
    initial rating when they had none."""
    last_row = (
        RatingChange.objects.current()
        .filter(player=OuterRef("pk"), occurred_at__lt=since)
        .order_by("-occurred_at", "kind", "-pk")  # at equal times a match precedes an adjustment
        .values("pk")[:1]
    )
    last = dict(
        Player.objects.filter(pk__in=list(players))
        .annotate(row=Subquery(last_row))
        .values_list("pk", "row")
    )
    rows = RatingChange.objects.in_bulk([pk for pk in last.values() if pk is not None])
    states = {}
    for pk, player in players.items():
        row = rows.get(last.get(pk))
        if row is None:
            states[pk] = State.initial(player)
        else:
            rating = glicko2.Rating(row.rating_after, row.rd_after, row.volatility_after)
            states[pk] = State(rating, row.occurred_at)
    return states


def _current_rows(guild: Guild, since: datetime | None) -> dict[tuple, tuple[int, tuple]]:
    """The current ledger rows from ``since`` on, by (kind, event id, player id)."""
    current = RatingChange.objects.current().filter(guild=guild)
    if since is not None:
        current = current.filter(occurred_at__gte=since)
    return {
        (kind, match_id or adjustment_id, player_id): (pk, tuple(values))
        for pk, kind, match_id, adjustment_id, player_id, *values in current.values_list(
            "pk", "kind", "match_id", "adjustment_id", "player_id", *_ROW_FIELDS
        )
    }


def _write_ledger(
    guild: Guild, existing: dict[tuple, tuple[int, tuple]], new_rows: list[Row]
) -> None:
    """Keep rows that came out the same; supersede the rest and write the new ones."""
    existing = dict(existing)
    to_create, superseded = [], []
    for row in new_rows:
        old = existing.pop(row.key(), None)
        if old is not None and old[1] == row.values():
            continue  # the same event with the same values: the row stands
        if old is not None:
            superseded.append(old[0])
        to_create.append(row.to_model(guild.pk))
    # Rows left in ``existing`` belong to events that no longer count (a voided match).
    superseded += [pk for pk, _ in existing.values()]
    now = timezone.now()
    for chunk in _chunks(superseded):
        RatingChange.objects.filter(pk__in=chunk).update(superseded_at=now)
    RatingChange.objects.bulk_create(to_create, batch_size=_BATCH)


def _write_participants(
    new_rows: list[Row], participant_rows: dict[tuple[int, int], tuple]
) -> None:
    changed = []
    for row in new_rows:
        if row.kind != RatingChange.Kind.MATCH:
            continue
        pk, old_values = participant_rows[(row.event_id, row.player_id)]
        values = _participant_values(row)
        if values != old_values:
            changed.append((*values, pk))
    _update_by_pk(Participant, _PARTICIPANT_RATING_FIELDS, changed)


def _write_probabilities(probabilities: dict[int, list[float]]) -> None:
    stored = dict(
        Match.objects.filter(pk__in=list(probabilities)).values_list("pk", "win_probabilities")
    )
    changed = [(values, pk) for pk, values in probabilities.items() if stored.get(pk) != values]
    _update_by_pk(Match, ["win_probabilities"], changed)


def _write_players(players: dict[int, Player], states: dict[int, State]) -> list[Change]:
    changes, changed = [], []
    for pk, state in states.items():
        player = players[pk]
        if State.of(player) == state:
            continue
        before = (player.rating, player.rd)
        _set_state(player, state)
        changed.append((player.rating, player.rd, player.volatility, player.rated_at, pk))
        changes.append(Change(player.user_id, before[0], player.rating, before[1], player.rd))
    _update_by_pk(Player, _PLAYER_RATING_FIELDS, changed)
    return sorted(changes, key=lambda c: c.user_id)


def _update_by_pk(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """UPDATE many rows by primary key: ``rows`` are (value for each field..., pk).

    One prepared statement run with ``executemany``. ``QuerySet.bulk_update`` builds a
    CASE expression per field and row, and on a replay that rewrites tens of thousands
    of participants it spent 16 of 19 seconds compiling SQL (bench/replay.py).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = (  # names come from the model's _meta, quoted; values are parameters
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(model_fields, row, strict=False)
        ]
        + [row[-1]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


def _chunks(items: Sequence, size: int = _BATCH) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
