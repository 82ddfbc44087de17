"""POST /balance through the API: the endpoint's contract, its errors and its match."""

import pytest

from matches.models import Match
from ratings import glicko2
from users.models import Player

G = "/api/v1/guilds/111111111111111111"
RATINGS = [1850, 1700, 1650, 1600, 1550, 1500, 1450, 1400, 1300, 1200]


@pytest.fixture
def lobby(guild, make_player):
    for user_id, rating in enumerate(RATINGS, start=1):
        make_player(guild, user_id, rating=rating, rd=80)
    return [str(i) for i in range(1, 11)]


def balance(api, body, status=200):
    response = api.post(f"{G}/balance", body)
    assert response.status_code == status, response.content
    return response.json()


def test_two_teams_are_the_fairest_split(api, lobby):
    data = balance(api, {"players": lobby, "seed": 1, "tolerance": 0})
    assert len(data["teams"]) == 2 and data["optimal"] is True and data["certified_gap"] == 0
    sizes = [len(t["players"]) for t in data["teams"]]
    assert sizes == [5, 5]
    means = [sum(RATINGS[int(p["user_id"]) - 1] for p in t["players"]) / 5 for t in data["teams"]]
    assert [t["mean_rating"] for t in data["teams"]] == pytest.approx(means)
    assert data["rating_gap"] == pytest.approx(abs(means[0] - means[1]))
    assert data["rating_gap"] == 0  # 16200 splits evenly: the optimum is a perfect tie
    assert sum(t["win_probability"] for t in data["teams"]) == pytest.approx(1)
    assert data["teams"][0]["win_probability"] == pytest.approx(0.5, abs=1e-6)
    assert data["seed"] == 1 and data["elapsed_ms"] >= 0 and data["match"] is None
    assert data["explanation"].startswith("Team 1 50.0% – Team 2 50.0%")


def test_team_numbers_come_from_the_team_model(api, lobby):
    data = balance(api, {"players": lobby, "seed": 3, "tolerance": 5})
    teams = [[glicko2.Rating(p["rating"], p["rd"]) for p in t["players"]] for t in data["teams"]]
    expected = glicko2.team_win_probabilities(teams)
    assert [t["win_probability"] for t in data["teams"]] == pytest.approx(expected)
    assert data["teams"][0]["rd"] == pytest.approx(glicko2.composite(teams[0]).rd)


def test_the_same_seed_gives_the_same_teams_and_a_new_seed_a_reroll(api, lobby):
    first = balance(api, {"players": lobby, "seed": 42, "tolerance": 5})
    again = balance(api, {"players": lobby, "seed": 42, "tolerance": 5})
    reroll = balance(api, {"players": lobby, "seed": 43, "tolerance": 5})
    assert first["pool_size"] > 1
    assert first["teams"] == again["teams"]
    team_sets = lambda d: {frozenset(p["user_id"] for p in t["players"]) for t in d["teams"]}  # noqa: E731
    assert team_sets(first) != team_sets(reroll)
    assert abs(reroll["teams"][0]["win_probability"] - 0.5) <= 0.05 + 1e-9


def test_without_a_seed_one_is_chosen_and_returned(api, lobby):
    data = balance(api, {"players": lobby})
    assert isinstance(data["seed"], int)
    assert balance(api, {"players": lobby, "seed": data["seed"]})["teams"] == data["teams"]


def test_parties_and_apart_pairs_are_honoured(api, lobby):
    data = balance(
        api,
        {"players": lobby, "together": [["1", "2"]], "apart": [["3", "4"], ["9", "10"]], "seed": 5},
    )
    team_of = {p["user_id"]: t["team"] for t in data["teams"] for p in t["players"]}
    assert team_of["1"] == team_of["2"]
    assert team_of["3"] != team_of["4"] and team_of["9"] != team_of["10"]
    assert "party kept together" in data["explanation"]
    assert "2 pairs kept apart" in data["explanation"]


def test_more_teams_and_alternatives(api, lobby):
    data = balance(api, {"players": lobby[:9], "teams": 3, "alternatives": 3, "seed": 2})
    assert [len(t["players"]) for t in data["teams"]] == [3, 3, 3]
    means = [t["mean_rating"] for t in data["teams"]]
    assert data["rating_gap"] == pytest.approx(max(means) - min(means))
    assert len(data["alternatives"]) == 3
    gaps = [a["rating_gap"] for a in data["alternatives"]]
    assert gaps == sorted(gaps)
    splits = {
        frozenset(frozenset(p["user_id"] for p in t["players"]) for t in a["teams"])
        for a in data["alternatives"]
    }
    assert len(splits) == 3


def test_create_match_creates_the_pending_match_with_those_teams(api, lobby):
    data = balance(api, {"players": lobby, "create_match": True, "created_by": "1", "seed": 9}, 201)
    match = Match.objects.get(match_id=data["match"]["match_id"])
    assert match.status == "pending" and match.created_by == 1
    chosen = [[p["user_id"] for p in t["players"]] for t in data["teams"]]
    created = [[p["user_id"] for p in t["players"]] for t in data["match"]["teams"]]
    assert [sorted(t) for t in created] == [sorted(t) for t in chosen]
    # The players are now busy: a second match with them is refused, nothing half-made.
    again = api.post(f"{G}/balance", {"players": lobby, "create_match": True})
    assert again.status_code == 409
    assert Match.objects.count() == 1


def test_the_previous_split_with_the_same_players_is_avoided(api, lobby, guild, make_match):
    first = balance(api, {"players": lobby, "seed": 7, "tolerance": 3})
    lineup = [[int(p["user_id"]) for p in t["players"]] for t in first["teams"]]
    make_match(guild, lineup)  # pending, so that nobody's rating moved in between
    again = balance(api, {"players": lobby, "seed": 7, "tolerance": 3})
    assert again["pool_size"] > 1
    as_sets = lambda d: {frozenset(p["user_id"] for p in t["players"]) for t in d["teams"]}  # noqa: E731
    assert as_sets(again) != as_sets(first)
    assert "not the same teams as last time" in again["explanation"]


def test_a_read_key_cannot_balance(read_api, lobby):
    assert read_api.post(f"{G}/balance", {"players": lobby}).status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"players": ["1"]}, "at least 2"),
        ({"players": [str(i) for i in range(1, 102)]}, "no more than 100"),
        ({"players": ["1", "2", "999"]}, "not registered"),
        ({"players": ["1", "1", "2"]}, "only once"),
        ({"players": ["1", "2", "3"], "teams": 4}, "teams must be between 2 and 3"),
        ({"players": ["1", "2", "3", "4"], "teams": 17}, "less than or equal to 16"),
        ({"players": ["1", "2", "3", "4"], "together": [["1", "2", "3"]]}, "play together"),
        ({"players": ["1", "2", "3", "4"], "together": [["1", "2"]], "apart": [["1", "2"]]}, ""),
        ({"players": ["1", "2", "3", "4"], "apart": [["1", "2"], ["2", "3"], ["1", "3"]]}, ""),
        (
            {"players": ["1", "2", "3", "4"], "together": [["1", "9"]]},
            "only name players in the lobby",
        ),
        ({"players": ["1", "2", "3", "4"], "apart": [["1"]]}, "at least 2"),
        ({"players": ["1", "2"], "tolerance": -1}, "greater than or equal to 0"),
        ({"players": ["1", "2"], "tolerance": True}, "valid number"),
        ({"players": ["1", "2"], "alternatives": 11}, "less than or equal to 10"),
        ({"players": ["1", "2"], "seed": -5}, "greater than or equal to 0"),
        ({"players": ["1", "2"], "seed": "abc"}, "valid integer"),
        ({"players": ["1", "2"], "create_match": "yes"}, "true or false"),
        ({"players": "1,2"}, "list"),
        ({}, "required"),
    ],
)
def test_bad_requests_are_400_with_a_message(api, lobby, body, message):
    response = api.post(f"{G}/balance", body)
    assert response.status_code == 400, response.content
    assert message in response.content.decode()


def test_impossible_constraints_say_which(api, lobby):
    party = api.post(f"{G}/balance", {"players": lobby[:4], "together": [["1", "2", "3"]]}).json()
    assert "1" in party["detail"] and "2" in party["detail"] and "3" in party["detail"]
    inside = api.post(
        f"{G}/balance", {"players": lobby[:4], "together": [["1", "2"]], "apart": [["1", "2"]]}
    ).json()
    assert "different teams" in inside["detail"] and "same party" in inside["detail"]
    triangle = api.post(
        f"{G}/balance", {"players": lobby[:4], "apart": [["1", "2"], ["2", "3"], ["1", "3"]]}
    ).json()
    assert "apart" in triangle["detail"].lower() and "2 teams" in triangle["detail"]


def test_it_never_changes_anyone(api, lobby):
    before = list(Player.objects.values())
    balance(api, {"players": lobby, "alternatives": 5})
    assert list(Player.objects.values()) == before
