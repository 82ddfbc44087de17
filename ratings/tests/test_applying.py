"""Applying ratings: one path (the completion service and its signal), exactly once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from matches import services as match_services
from matches.models import Match, Participant
from ratings import glicko2
from ratings.models import RatingChange
from ratings.tests.helpers import assert_consistent
from users.models import Player

G = "/api/v1/guilds/111111111111111111"


def test_a_1v1_through_the_api_changes_both_players_exactly_as_rate_says(api, guild, make_player):
    make_player(guild, 1, rating=1500, rd=200, volatility=0.06)
    make_player(guild, 2, rating=1400, rd=50, volatility=0.06)  # above the RD floor after
    match = api.post(f"{G}/matches/", {"teams": [["1"], ["2"]]}).json()
    response = api.post(f"{G}/matches/{match['match_id']}/complete", {"winning_team": 1})
    assert response.status_code == 200

    one = glicko2.rate(glicko2.Rating(1500, 200, 0.06), [(1400, 50, 1)], tau=0.5, periods=0)
    two = glicko2.rate(glicko2.Rating(1400, 50, 0.06), [(1500, 200, 0)], tau=0.5, periods=0)
    a, b = Player.objects.get(user_id=1), Player.objects.get(user_id=2)
    assert (a.rating, a.rd, a.volatility) == (one.rating, one.rd, one.volatility)
    assert (b.rating, b.rd, b.volatility) == (two.rating, two.rd, two.volatility)
    assert a.rating == pytest.approx(one.rating) and one.rating > 1550
    assert b.rating < 1400

    team_1 = response.json()["teams"][0]["players"][0]
    assert team_1["rating_before"] == 1500
    assert team_1["rating_after"] == one.rating
    assert team_1["rating_change"] == pytest.approx(one.rating - 1500)
    assert team_1["expected_score"] == pytest.approx(
        glicko2.win_probability(glicko2.Rating(1500, 200), glicko2.Rating(1400, 50))
    )


def test_the_products_clamps_apply_around_the_paper(api, guild, make_player, settings):
    make_player(guild, 1, rating=1500, rd=200)
    make_player(guild, 2, rating=1400, rd=30)
    match = api.post(f"{G}/matches/", {"teams": [["1"], ["2"]]}).json()
    api.post(f"{G}/matches/{match['match_id']}/complete", {"winning_team": 1})
    paper = glicko2.rate(glicko2.Rating(1400, 30, 0.06), [(1500, 200, 0)], tau=0.5, periods=0)
    assert paper.rd < 30  # the paper would shrink the RD below the floor...
    assert (
        Player.objects.get(user_id=2).rd == settings.RATINGS["RD_FLOOR"] == 30
    )  # ...the product does not


def test_the_rd_grows_with_time_between_matches_exactly_as_step_6(
    guild, make_player, make_match, settings
):
    make_player(guild, 1)
    make_player(guild, 2)
    start = timezone.now() - timedelta(days=40)
    first = make_match(guild, [[1], [2]], result={"winning_team": 1, "completed_at": start})
    a = Player.objects.get(user_id=1)
    after_first = glicko2.Rating(a.rating, a.rd, a.volatility)
    second_at = start + timedelta(days=30)
    make_match(guild, [[1], [2]], result={"winning_team": 1, "completed_at": second_at})
    row = RatingChange.objects.get(player=a, match__completed_at=second_at)
    periods = 30 / settings.RATINGS["PERIOD_DAYS"]
    assert row.rd_before == glicko2.inflate(after_first, periods).rd
    assert row.rd_before == pytest.approx(
        glicko2.SCALE
        * ((after_first.rd / glicko2.SCALE) ** 2 + after_first.volatility**2 * periods) ** 0.5
    )
    assert row.rd_before > after_first.rd + 1  # 30 idle days are visible
    assert first.status == Match.Status.COMPLETED
    # And the public RD keeps growing until the next game.
    a.refresh_from_db()
    assert a.current_rd(second_at + timedelta(days=100)) > a.rd


def test_five_newcomers_a_side_move_like_one_newcomer(api, guild, players):
    match = api.post(f"{G}/matches/", {"teams": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]}).json()
    api.post(f"{G}/matches/{match['match_id']}/complete", {"winning_team": 2})
    ratings = dict(Player.objects.values_list("user_id", "rating"))
    assert all(ratings[i] == pytest.approx(1337.788, abs=1e-3) for i in range(1, 6))
    assert all(ratings[i] == pytest.approx(1662.212, abs=1e-3) for i in range(6, 11))


def test_a_newcomer_among_veterans_moves_far_and_the_veterans_little(api, guild, make_player):
    make_player(guild, 1)  # RD 350
    for i in range(2, 11):
        make_player(guild, i, rd=60)
    match = api.post(f"{G}/matches/", {"teams": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]}).json()
    api.post(f"{G}/matches/{match['match_id']}/complete", {"winning_team": 1})
    ratings = dict(Player.objects.values_list("user_id", "rating"))
    assert ratings[1] - 1500 == pytest.approx(284.16, abs=0.01)
    assert ratings[2] - 1500 == pytest.approx(8.35, abs=0.01)
    assert ratings[6] - 1500 == pytest.approx(-8.96, abs=0.01)


def test_creating_a_match_returns_win_probabilities_from_the_team_model(api, guild, make_player):
    make_player(guild, 1, rating=1700, rd=80)
    make_player(guild, 2, rating=1600, rd=80)
    make_player(guild, 3, rating=1400, rd=200)
    make_player(guild, 4, rating=1500, rd=200)
    data = api.post(f"{G}/matches/", {"teams": [[1, 2], [3, 4]]}).json()
    expected = glicko2.team_win_probabilities(
        [
            [glicko2.Rating(1700, 80), glicko2.Rating(1600, 80)],
            [glicko2.Rating(1400, 200), glicko2.Rating(1500, 200)],
        ]
    )
    assert data["win_probability"] == pytest.approx(expected, abs=1e-6)
    assert sum(data["win_probability"]) == pytest.approx(1)
    assert data["win_probability"][0] == pytest.approx(0.7212, abs=1e-3)
    assert [t["win_probability"] for t in data["teams"]] == data["win_probability"]


def test_every_completion_writes_one_ledger_row_per_player(guild, players, make_match):
    match = make_match(guild, [[1, 2, 3], [4, 5, 6]], result={"winning_team": 1})
    rows = RatingChange.objects.filter(match=match)
    assert rows.count() == 6
    row = rows.get(player__user_id=1)
    assert row.kind == "match" and row.score == 1.0 and row.expected_score == 0.5
    assert (row.rating_before, row.rd_before, row.volatility_before) == (1500, 350, 0.06)
    assert row.occurred_at == match.completed_at
    assert rows.get(player__user_id=4).score == 0.0
    assert_consistent(guild)


def test_the_database_refuses_a_second_application_of_a_match(guild, players, make_match):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    row = RatingChange.objects.get(match=match, player__user_id=1)
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    # A superseded row (an earlier version replaced by a correction) may sit beside it.
    row.superseded_at = timezone.now()
    row.save()
    assert RatingChange.objects.filter(match=match, player__user_id=1).count() == 2


def test_saving_a_match_outside_the_service_rates_nothing(guild, players):
    """No post_save magic: an admin edit or a fixture load never rates a match."""
    match = match_services.match_create(guild=guild, teams=[[1], [2]])
    Match.objects.filter(pk=match.pk).update(
        status=Match.Status.COMPLETED, placements=[1, 2], completed_at=timezone.now()
    )
    match.refresh_from_db()
    match.save()
    assert RatingChange.objects.count() == 0
    assert Player.objects.get(user_id=1).rating == 1500


def test_loading_a_fixture_with_a_completed_match_rates_nothing(guild, players, tmp_path):
    match = match_services.match_create(guild=guild, teams=[[1], [2]])
    fixture = tmp_path / "match.json"
    call_command("dumpdata", "matches", "--output", str(fixture))
    Participant.objects.all().delete()
    Match.objects.all().delete()
    text = fixture.read_text().replace('"status": "pending"', '"status": "completed"')
    text = text.replace('"placements": null', '"placements": [1, 2]')
    text = text.replace('"completed_at": null', f'"completed_at": "{timezone.now().isoformat()}"')
    fixture.write_text(text)
    call_command("loaddata", str(fixture), verbosity=0)
    assert Match.objects.get(match_id=match.match_id).status == Match.Status.COMPLETED
    assert RatingChange.objects.count() == 0
    assert Player.objects.get(user_id=1).games_played == 0


def test_a_failing_rating_rolls_the_completion_back(guild, players, make_match):
    """Rating is part of completing: if the ledger refuses, the match stays pending."""
    match = match_services.match_create(guild=guild, teams=[[1], [2]])
    first = make_match(guild, [[3], [4]], result={"winning_team": 1})
    # A stray current ledger row for this match and player 1 (as if applied already).
    row = RatingChange.objects.filter(match=first).first()
    row.pk, row.match, row.player = None, match, players[0]
    row.save()
    with pytest.raises(IntegrityError):
        match_services.match_complete(match=match, winning_team=1)
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING
    assert Player.objects.get(user_id=1).games_played == 0
    assert Player.objects.get(user_id=2).rating == 1500


def test_a_cancelled_match_changes_no_rating(api, guild, players):
    match = api.post(f"{G}/matches/", {"teams": [[1], [2]]}).json()
    api.post(f"{G}/matches/{match['match_id']}/cancel")
    assert RatingChange.objects.count() == 0
    assert Player.objects.get(user_id=1).rating == 1500
    assert Player.objects.get(user_id=1).games_played == 0


def test_history_endpoint_lists_the_ledger_newest_first(api, admin_api, guild, players, make_match):
    first = make_match(guild, [[1], [2]], result={"winning_team": 1})
    second = make_match(guild, [[1], [3]], result={"draw": True})
    admin_api.post(f"{G}/players/1/adjust", {"delta": -10, "reason": "late"})
    data = api.get(f"{G}/players/1/history/").json()
    assert data["count"] == 3
    kinds = [(e["kind"], e["match_id"]) for e in data["results"]]
    assert kinds == [
        ("adjustment", None),
        ("match", str(second.match_id)),
        ("match", str(first.match_id)),
    ]
    adjustment, draw, win = data["results"]
    assert adjustment["reason"] == "late" and adjustment["score"] is None
    assert adjustment["rating_after"] - adjustment["rating_before"] == pytest.approx(-10)
    assert draw["score"] == 0.5 and win["score"] == 1.0
    assert win["rating_before"] == 1500 and win["rating_after"] == draw["rating_before"]
    assert set(win) >= {
        "kind",
        "match_id",
        "rating_before",
        "rating_after",
        "rd_before",
        "rd_after",
        "volatility_before",
        "volatility_after",
        "expected_score",
        "score",
        "reason",
        "created_at",
    }
    assert api.get(f"{G}/players/1/history/?page_size=1").json()["next"] is not None
    assert api.get(f"{G}/players/99/history/").status_code == 404


def test_players_show_provisional_and_conservative_rating(api, guild, make_player):
    make_player(guild, 1, rating=1800, rd=100)
    make_player(guild, 2, rating=1800, rd=111)
    one, two = api.get(f"{G}/players/1/").json(), api.get(f"{G}/players/2/").json()
    assert one["provisional"] is False and two["provisional"] is True
    assert one["conservative_rating"] == pytest.approx(1600)
    assert two["conservative_rating"] == pytest.approx(1578)
