"""Corrections replay history exactly: void, correct, adjust, recompute, and their dry runs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from matches import services as match_services
from matches.models import Match
from ratings import services
from ratings.models import RatingChange
from ratings.tests.helpers import assert_consistent, assert_same_ratings, snapshot
from users import services as user_services
from users.models import AuditEntry, Player

G = "/api/v1/guilds/111111111111111111"
START = timezone.now() - timedelta(days=60)

# A season of 5v5s and a 3-team game between eight... twelve players, with two admin
# adjustments in the middle. Entry: (lineup, result) or ("adjust", user id, kwargs).
SEASON = [
    ([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], {"winning_team": 1}),
    ([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]], {"winning_team": 2}),
    ([[11, 12, 1, 2], [3, 4, 5, 6]], {"draw": True}),
    ([[1, 6, 11], [2, 7, 12], [3, 8, 9]], {"placements": [2, 1, 3]}),
    ([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], {"winning_team": 1}),  # index 4: the disputed one
    ("adjust", 3, {"delta": -25, "reason": "left early"}),
    ([[1, 4, 7, 10, 12], [2, 5, 8, 11, 3]], {"winning_team": 2}),
    ("adjust", 8, {"rating": 1650, "rd": 90, "reason": "known skill"}),
    ([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], {"winning_team": 1}),
    ([[5, 6], [7, 8]], {"placements": [1, 2]}),
    ([[1, 12], [2, 11]], {"winning_team": 2}),
]
DISPUTED = 4


def play(guild, season, *, skip=()):
    """Play a season into ``guild`` at fixed times; returns the matches by season index."""
    for user_id in range(1, 13):
        user_services.player_create(guild=guild, user_id=user_id, username=f"p{user_id}")
    matches = {}
    for index, entry in enumerate(season):
        at = START + timedelta(hours=index + 1)
        if index in skip:
            continue
        if entry[0] == "adjust":
            _, user_id, kwargs = entry
            player = Player.objects.get(guild=guild, user_id=user_id)
            services.player_adjust(player=player, actor="test", at=at, **kwargs)
            continue
        lineup, result = entry
        match = match_services.match_create(
            guild=guild, teams=lineup, created_at=at - timedelta(minutes=30)
        )
        matches[index] = match_services.match_complete(match=match, completed_at=at, **result)
    return matches


def guild_players(guild):
    return list(Player.objects.filter(guild=guild))


@pytest.fixture
def guild_a(db):
    return user_services.guild_upsert(guild_id=111111111111111111, name="A")[0]


@pytest.fixture
def guild_b(db):
    return user_services.guild_upsert(guild_id=222222222222222222, name="B")[0]


def test_correcting_a_result_replays_history_exactly(guild_a, guild_b):
    wrong = play(guild_a, SEASON)
    right = list(SEASON)
    right[DISPUTED] = (SEASON[DISPUTED][0], {"winning_team": 2})
    play(guild_b, right)
    before = {p.user_id: p.rating for p in guild_players(guild_a)}

    changes = services.match_correct(match=wrong[DISPUTED], placements=[2, 1], actor="test")

    assert_same_ratings(guild_players(guild_a), guild_players(guild_b))
    assert_consistent(guild_a)
    # Everyone whose rating moved is reported, with the values before and after.
    after = {p.user_id: p.rating for p in guild_players(guild_a)}
    assert {c.user_id for c in changes} == {u for u in before if before[u] != after[u]}
    assert {c.user_id for c in changes} == set(
        range(1, 13)
    )  # the disputed match touched everyone later
    # The match kept its place in history with its new result.
    corrected = Match.objects.get(pk=wrong[DISPUTED].pk)
    assert corrected.completed_at == START + timedelta(hours=DISPUTED + 1)
    assert corrected.result == {"winning_team": 2, "draw": False, "placements": [2, 1]}


def test_voiding_a_match_ends_as_if_it_never_happened(guild_a, guild_b):
    played = play(guild_a, SEASON)
    play(guild_b, SEASON, skip={DISPUTED})

    services.match_void(match=played[DISPUTED], actor="test")

    assert Match.objects.get(pk=played[DISPUTED].pk).status == Match.Status.VOIDED
    assert_same_ratings(guild_players(guild_a), guild_players(guild_b))
    assert_consistent(guild_a)
    assert not RatingChange.objects.current().filter(match=played[DISPUTED]).exists()
    # Nothing is lost: the voided match's rows are superseded, not deleted.
    assert (
        RatingChange.objects.filter(match=played[DISPUTED], superseded_at__isnull=False).count()
        == 10
    )


def test_the_ledger_is_append_only(guild_a):
    played = play(guild_a, SEASON)
    rows_before = {
        pk: values
        for pk, *values in RatingChange.objects.values_list(
            "pk", "rating_before", "rating_after", "rd_after"
        )
    }
    services.match_correct(match=played[DISPUTED], placements=[2, 1], actor="test")
    for pk, *values in RatingChange.objects.filter(pk__in=rows_before).values_list(
        "pk", "rating_before", "rating_after", "rd_after"
    ):
        assert values == rows_before[pk]  # no row was edited, some were superseded
    earlier = RatingChange.objects.filter(occurred_at__lt=played[DISPUTED].completed_at)
    assert not earlier.filter(superseded_at__isnull=False).exists()  # the past stays current
    assert RatingChange.objects.filter(superseded_at__isnull=False).exists()


def test_adjustments_survive_replays_in_their_place(guild_a):
    played = play(guild_a, SEASON)
    services.match_void(match=played[DISPUTED], actor="test")
    set_row = RatingChange.objects.current().get(kind="adjustment", player__user_id=8)
    assert (set_row.rating_after, set_row.rd_after) == (1650, 90)  # "set to 1650" stays 1650
    delta_row = RatingChange.objects.current().get(kind="adjustment", player__user_id=3)
    assert delta_row.rating_after - delta_row.rating_before == pytest.approx(-25)
    assert_consistent(guild_a)


def test_corrections_are_deterministic(guild_a):
    played = play(guild_a, SEASON)
    services.match_correct(match=played[DISPUTED], placements=[2, 1], actor="test")
    once = {p.user_id: (p.rating, p.rd, p.volatility) for p in guild_players(guild_a)}
    services.match_correct(match=played[DISPUTED], placements=[1, 2], actor="test")
    services.match_correct(match=played[DISPUTED], placements=[2, 1], actor="test")
    twice = {p.user_id: (p.rating, p.rd, p.volatility) for p in guild_players(guild_a)}
    assert once == twice  # bit for bit
    assert_consistent(guild_a)


@pytest.mark.parametrize("operation", ["void", "correct", "adjust", "recompute"])
def test_a_dry_run_previews_exactly_and_changes_nothing(guild_a, operation):
    played = play(guild_a, SEASON)
    match, player = played[DISPUTED], Player.objects.get(guild=guild_a, user_id=1)
    run = {
        "void": lambda dry: services.match_void(match=match, actor="test", dry_run=dry),
        "correct": lambda dry: services.match_correct(
            match=match, placements=[2, 1], actor="test", dry_run=dry
        ),
        "adjust": lambda dry: services.player_adjust(
            player=player, delta=40, reason="r", actor="test", dry_run=dry
        ),
        "recompute": lambda dry: services.ratings_recompute(
            guild=guild_a, actor="test", dry_run=dry
        ),
    }[operation]
    before = snapshot(guild_a)
    preview = run(True)
    assert snapshot(guild_a) == before
    real = run(False)
    if operation == "adjust":  # the clock moved between the two, and so did the RD
        assert [(c.user_id, c.rating_after) for c in preview] == [
            (c.user_id, c.rating_after) for c in real
        ]
    else:
        assert preview == real
    assert operation == "recompute" or preview  # every real operation here changes someone


def test_recompute_reports_no_change_on_a_consistent_database(guild_a):
    play(guild_a, SEASON)
    out = StringIO()
    call_command("recompute_ratings", "--dry-run", stdout=out)
    assert out.getvalue().strip().endswith("no change")
    assert services.ratings_recompute(guild=guild_a, actor="test") == []


def test_recompute_repairs_a_tampered_rating(guild_a):
    play(guild_a, SEASON)
    right = Player.objects.get(guild=guild_a, user_id=5)
    Player.objects.filter(pk=right.pk).update(rating=9999)
    out = StringIO()
    call_command("recompute_ratings", "--guild", str(guild_a.discord_id), "--dry-run", stdout=out)
    assert "would change 1 player(s)" in out.getvalue()
    assert Player.objects.get(pk=right.pk).rating == 9999  # a dry run
    call_command("recompute_ratings", "--guild", str(guild_a.discord_id), stdout=StringIO())
    assert Player.objects.get(pk=right.pk).rating == right.rating
    assert_consistent(guild_a)


def test_corrections_are_audited(guild_a):
    played = play(guild_a, SEASON)
    services.match_correct(match=played[DISPUTED], placements=[2, 1], actor="admin:alice")
    entry = AuditEntry.objects.get(action="match.correct")
    assert entry.actor == "admin:alice" and entry.guild == guild_a
    assert (
        entry.before["result"]["winning_team"] == 1 and entry.after["result"]["winning_team"] == 2
    )
    assert entry.before["1"]["rating"] != entry.after["1"]["rating"]


# Through the API --------------------------------------------------------------------------------


def test_void_and_correct_need_the_admin_scope(api, admin_api, guild, players, make_match):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    assert api.post(f"{G}/matches/{match.match_id}/void").status_code == 403
    assert api.post(f"{G}/matches/{match.match_id}/correct", {"winning_team": 2}).status_code == 403
    assert api.post(f"{G}/players/1/adjust", {"delta": 5, "reason": "x"}).status_code == 403
    assert (
        admin_api.post(f"{G}/matches/{match.match_id}/correct", {"winning_team": 2}).status_code
        == 200
    )


def test_void_through_the_api_with_a_dry_run_first(admin_api, guild, players, make_match):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    preview = admin_api.post(f"{G}/matches/{match.match_id}/void?dry_run=true")
    assert preview.status_code == 200
    body = preview.json()
    assert body["dry_run"] is True and body["match"] is None
    assert {c["user_id"] for c in body["changes"]} == {"1", "2"}
    one = next(c for c in body["changes"] if c["user_id"] == "1")
    assert one["rating_after"] == 1500 and one["rating_before"] > 1500
    assert set(one) == {"user_id", "rating_before", "rating_after", "rd_before", "rd_after"}
    assert Match.objects.get(pk=match.pk).status == "completed"

    done = admin_api.post(f"{G}/matches/{match.match_id}/void")
    assert done.status_code == 200
    assert done.json()["match"]["status"] == "voided"
    assert done.json()["changes"] == body["changes"]
    assert Player.objects.get(user_id=1).rating == 1500
    assert Player.objects.get(user_id=1).games_played == 0
    assert admin_api.post(f"{G}/matches/{match.match_id}/void").status_code == 409


@pytest.mark.parametrize("query", ["dry_run=maybe", "dry_run=2"])
def test_a_malformed_dry_run_is_a_400(admin_api, guild, players, make_match, query):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    assert admin_api.post(f"{G}/matches/{match.match_id}/void?{query}").status_code == 400
    assert Match.objects.get(pk=match.pk).status == "completed"


def test_only_completed_matches_can_be_voided_or_corrected(admin_api, guild, players, make_match):
    pending = make_match(guild, [[1], [2]])
    assert admin_api.post(f"{G}/matches/{pending.match_id}/void").status_code == 409
    assert (
        admin_api.post(f"{G}/matches/{pending.match_id}/correct", {"draw": True}).status_code == 409
    )
    completed = make_match(guild, [[3], [4]], result={"winning_team": 1})
    assert (
        admin_api.post(f"{G}/matches/{completed.match_id}/correct", {"winning_team": 3}).status_code
        == 400
    )
    assert admin_api.post(f"{G}/matches/{completed.match_id}/correct", {}).status_code == 400


def test_adjust_through_the_api(admin_api, guild, players):
    response = admin_api.post(
        f"{G}/players/1/adjust", {"rating": 1650, "rd": 80, "reason": "seeding"}
    )
    assert response.status_code == 200
    assert response.json()["player"]["rating"] == 1650
    assert response.json()["changes"][0]["rating_after"] == 1650
    assert (
        admin_api.post(f"{G}/players/1/adjust", {"delta": -25, "reason": "x"}).json()["player"][
            "rating"
        ]
        == 1625
    )
    preview = admin_api.post(
        f"{G}/players/1/adjust?dry_run=1", {"delta": 100, "reason": "x"}
    ).json()
    assert preview["changes"][0]["rating_after"] == 1725 and preview["player"] is None
    assert Player.objects.get(user_id=1).rating == 1625


@pytest.mark.parametrize(
    "body",
    [
        {"delta": 10},  # no reason
        {"delta": 10, "reason": ""},
        {"rating": 1600, "delta": 10, "reason": "x"},
        {"reason": "x"},
        {"rating": "high", "reason": "x"},
        {"rating": 1e308, "reason": "x"},
        {"rd": 5, "reason": "x"},  # below the RD floor
        {"delta": 10, "reason": "x" * 501},
    ],
)
def test_bad_adjustments_are_400(admin_api, guild, players, body):
    assert admin_api.post(f"{G}/players/1/adjust", body).status_code == 400
    assert Player.objects.get(user_id=1).rating == 1500
