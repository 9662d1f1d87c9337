"""A change made in the admin (运维管理界面) is chained into the audit trail, not only Django's admin log."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Role
from audit.models import Event
from audit.services import chain_verify
from registry.models import StarRating


def test_an_addition_is_recorded_with_operator_address_and_object(client, ministry, base):
    client.force_login(ministry)
    response = client.post(
        reverse("admin:registry_starrating_add"),
        {"base": base.pk, "year": 2021, "stars": 5},
        REMOTE_ADDR="10.7.7.7",
    )
    assert response.status_code == 302
    rating = StarRating.objects.get(base=base)
    event = Event.objects.get(action="admin.add")
    assert (event.actor, event.ip, event.outcome) == (ministry, "10.7.7.7", "success")
    assert (event.target_type, event.target_id) == ("registry.starrating", str(rating.pk))
    assert "运维管理界面：新增" in event.summary
    assert chain_verify() == []


def test_a_change_names_the_changed_fields(client, sysadmin, filler):
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[filler.pk]),
        {
            "username": "filler",
            "role": Role.EXPERT,
            "full_name": "张审核",
            "is_active": "on",
            "date_joined_0": "2022-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get(action="admin.change")
    assert event.actor == sysadmin and event.target_id == str(filler.pk)
    changed = {name for part in event.data["change"] for name in part.get("changed", {}).get("fields", [])}
    assert "role" in changed or "角色" in changed


def test_a_deletion_is_recorded_per_object(client, ministry, base):
    rating = StarRating.objects.create(base=base, year=2021, stars=4)
    client.force_login(ministry)
    url = reverse("admin:registry_starrating_delete", args=[rating.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    event = Event.objects.get(action="admin.delete")
    assert (event.actor, event.target_id) == (ministry, str(rating.pk))
