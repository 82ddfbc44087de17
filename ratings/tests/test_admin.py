"""The admin: every change goes through the same services as the API, and is audited."""

import re

import pytest

from matches.models import Match
from ratings.models import Adjustment, RatingChange
from ratings.tests.helpers import assert_consistent
from users.models import ApiKey, AuditEntry, Player


def action(admin_client, model_path, name, pks):
    return admin_client.post(
        f"/admin/{model_path}/",
        {"action": name, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_cancel_action_uses_the_service(admin_client, guild, players, make_match):
    pending = make_match(guild, [[1], [2]])
    done = make_match(guild, [[3], [4]], result={"winning_team": 1})
    response = action(admin_client, "matches/match", "cancel", [pending.pk, done.pk])
    assert Match.objects.get(pk=pending.pk).status == "cancelled"
    assert Match.objects.get(pk=done.pk).status == "completed"  # refused, not forced
    assert any("only a pending match can be cancelled" in m for m in messages(response))


def test_complete_from_the_admin_rates_the_match(admin_client, guild, players, make_match):
    match = make_match(guild, [[1, 2], [3, 4]])
    page = admin_client.get(f"/admin/matches/match/{match.pk}/change/")
    assert f"/admin/matches/match/{match.pk}/complete/" in page.content.decode()
    bad = admin_client.post(f"/admin/matches/match/{match.pk}/complete/", {"winning_team": 3})
    assert "winning_team must be between 1 and 2" in bad.content.decode()
    admin_client.post(f"/admin/matches/match/{match.pk}/complete/", {"placements": "2, 1"})
    match.refresh_from_db()
    assert match.status == "completed" and match.result["winning_team"] == 2
    assert RatingChange.objects.filter(match=match).count() == 4
    assert_consistent(guild)


def test_the_status_field_is_not_editable(admin_client, guild, players, make_match):
    match = make_match(guild, [[1], [2]])
    admin_client.post(f"/admin/matches/match/{match.pk}/change/", {"status": "completed"})
    assert Match.objects.get(pk=match.pk).status == "pending"


def test_void_action_replays_and_is_audited(admin_client, admin_user, guild, players, make_match):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    preview = action(admin_client, "matches/match", "void_preview", [match.pk])
    assert any("would change: 2 player(s)" in m for m in messages(preview))
    assert Match.objects.get(pk=match.pk).status == "completed"
    action(admin_client, "matches/match", "void", [match.pk])
    assert Match.objects.get(pk=match.pk).status == "voided"
    assert Player.objects.get(user_id=1).rating == 1500
    entry = AuditEntry.objects.get(action="match.void")
    assert entry.actor == f"admin:{admin_user.username}"
    assert entry.before["1"]["rating"] > 1500 and entry.after["1"]["rating"] == 1500
    assert_consistent(guild)


def test_correct_from_the_admin(admin_client, guild, players, make_match):
    match = make_match(guild, [[1], [2]], result={"winning_team": 1})
    page = admin_client.get(f"/admin/matches/match/{match.pk}/change/").content.decode()
    assert f"/admin/matches/match/{match.pk}/correct/" in page
    admin_client.post(f"/admin/matches/match/{match.pk}/correct/", {"draw": "on"})
    match.refresh_from_db()
    assert match.result["draw"] is True
    assert Player.objects.get(user_id=1).draws == 1 and Player.objects.get(user_id=1).wins == 0
    assert AuditEntry.objects.filter(action="match.correct").count() == 1
    assert_consistent(guild)


def test_adjust_from_the_admin(admin_client, guild, players):
    player = Player.objects.get(user_id=1)
    admin_client.post(
        "/admin/ratings/adjustment/add/",
        {"player": player.pk, "delta": "-30", "reason": "abandoned a match"},
    )
    player.refresh_from_db()
    assert player.rating == 1470
    assert Adjustment.objects.get().reason == "abandoned a match"
    assert RatingChange.objects.current().get(kind="adjustment").rating_after == 1470
    assert AuditEntry.objects.get(action="player.adjust").after["rating"] == 1470
    both = admin_client.post(
        "/admin/ratings/adjustment/add/",
        {"player": player.pk, "delta": "5", "rating": "1600", "reason": "x"},
    )
    assert "not both" in both.content.decode()
    no_reason = admin_client.post(
        "/admin/ratings/adjustment/add/", {"player": player.pk, "rd": "5", "reason": " "}
    )
    assert no_reason.status_code == 200  # the form again, with the service's message
    assert Adjustment.objects.count() == 1
    assert AuditEntry.objects.filter(action="player.adjust").count() == 1  # dry runs leave none


def test_recompute_actions(admin_client, guild, players, make_match):
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    Player.objects.filter(user_id=1).update(rating=1234)
    preview = action(admin_client, "users/guild", "recompute_preview", [guild.pk])
    assert any("1 player(s)" in m for m in messages(preview))
    assert Player.objects.get(user_id=1).rating == 1234
    done = action(admin_client, "users/guild", "recompute", [guild.pk])
    assert any("1 player(s)" in m for m in messages(done))
    assert Player.objects.get(user_id=1).rating > 1500
    assert_consistent(guild)
    again = action(admin_client, "users/guild", "recompute", [guild.pk])
    assert any("no change" in m for m in messages(again))


def test_ratings_and_records_are_read_only_on_players(admin_client, guild, players):
    player = Player.objects.get(user_id=1)
    admin_client.post(
        f"/admin/users/player/{player.pk}/change/",
        {"username": "renamed", "region": "EU", "rating": "3000", "wins": "99"},
    )
    player.refresh_from_db()
    assert player.username == "renamed" and player.region == "EU"
    assert player.rating == 1500 and player.wins == 0


def test_api_key_is_shown_once_and_stored_hashed(admin_client, db):
    response = admin_client.post(
        "/admin/users/apikey/add/",
        {"name": "bot", "scope": "write", "guild_ids": "111111111111111111, 5"},
        follow=True,
    )
    raw = re.search(r"The new key is (tb_[\w-]+)", " ".join(messages(response))).group(1)
    key = ApiKey.objects.get(name="bot")
    assert key.key_hash == ApiKey.hash(raw) and raw not in str(ApiKey.objects.values().get())
    assert key.guild_ids == [5, 111111111111111111]
    bad = admin_client.post(
        "/admin/users/apikey/add/", {"name": "x", "scope": "read", "guild_ids": "abc"}
    )
    assert "is not a Discord guild id" in bad.content.decode()
    action(admin_client, "users/apikey", "revoke", [key.pk])
    assert ApiKey.objects.get(pk=key.pk).revoked
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("pk")) == [
        "apikey.create",
        "apikey.revoke",
    ]


@pytest.mark.parametrize("model", [AuditEntry, RatingChange])
def test_logs_cannot_be_added_edited_or_deleted(admin_client, guild, players, make_match, model):
    make_match(guild, [[1], [2]], result={"winning_team": 1})
    Player.objects.filter(user_id=1).update(rating=1)
    action(admin_client, "users/guild", "recompute", [guild.pk])  # writes an audit entry
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    row = model.objects.first()
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}{row.pk}/delete/").status_code == 403
    before = model.objects.filter(pk=row.pk).values().get()
    admin_client.post(f"{url}{row.pk}/change/", {"actor": "forged", "rating_after": "1"})
    assert model.objects.filter(pk=row.pk).values().get() == before
