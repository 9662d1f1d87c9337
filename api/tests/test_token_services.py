"""Creating and revoking tokens: who may, what is stored (never the secret), what is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from api.models import ApiToken
from api.services import token_authenticate, token_create, token_revoke
from audit.models import Event


def _in(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry", "expert"])
def test_the_roles_that_read_material_create_tokens(request, who):
    user = request.getfixturevalue(who)
    token, raw = token_create(user=user, name="省级平台同步", scope="read", expires_on=_in(30))
    assert raw.startswith(f"sfjd_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.prefix, stored.name)
    assert token_authenticate(raw).token == stored
    event = Event.objects.get(action="api.token_create")
    assert event.actor_id == user.pk and raw not in str(event.data) and raw not in event.summary


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_the_three_operators_hold_no_tokens(request, who):
    with pytest.raises(PermissionDenied):
        token_create(user=request.getfixturevalue(who), name="x", scope="read", expires_on=_in(30))


def test_an_operators_token_slipped_into_the_database_is_refused(sysadmin):
    ApiToken.objects.create(
        user=sysadmin, name="x", prefix="abcd1234", digest="", scope="read", expires_at=timezone.now()
    )
    assert token_authenticate("sfjd_abcd1234_x").token is None


@pytest.mark.parametrize(("days", "field"), [(0, "expires_on"), (-3, "expires_on"), (366, "expires_on")])
def test_the_expiry_is_after_today_and_within_a_year(filler, days, field):
    with pytest.raises(ValidationError) as info:
        token_create(user=filler, name="x", scope="read", expires_on=_in(days))
    assert field in info.value.message_dict


def test_a_name_and_a_known_scope_are_required(filler):
    with pytest.raises(ValidationError, match="名称"):
        token_create(user=filler, name="  ", scope="read", expires_on=_in(3))
    with pytest.raises(ValidationError, match="权限范围"):
        token_create(user=filler, name="x", scope="admin", expires_on=_in(3))


def test_the_owner_revokes_their_token(filler):
    token, raw = token_create(user=filler, name="x", scope="read", expires_on=_in(3))
    token_revoke(token=token, user=filler)
    assert token_authenticate(raw).reason == "令牌已吊销。"
    assert Event.objects.filter(action="api.token_revoke", actor=filler).exists()
    with pytest.raises(ValidationError, match="已吊销"):
        token_revoke(token=token, user=filler)


def test_nobody_else_revokes_it_but_the_security_administrator(filler, reviewer, ministry, secadmin):
    token, _ = token_create(user=filler, name="x", scope="read", expires_on=_in(3))
    for user in (reviewer, ministry):
        with pytest.raises(PermissionDenied):
            token_revoke(token=token, user=user)
    token_revoke(token=token, user=secadmin)
    token.refresh_from_db()
    assert token.revoked_by == secadmin
