"""The token page: create (the secret shown once, never cached), list, revoke; the security
administrator sees and revokes everyone's; the other operators do not reach it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import token_authenticate, token_create

URL = "/api/tokens/"


def _in(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_a_filler_creates_a_token_and_sees_its_secret_once(client, filler):
    client.force_login(filler)
    response = client.post(URL, {"name": "省级平台", "scope": "read_write", "expires_on": _in(30)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r"sfjd_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode()).group(0)
    token = token_authenticate(secret).token
    assert token is not None and token.user == filler and token.scope == "read_write"
    again = client.get(URL).content.decode()
    assert secret not in again and token.prefix in again and "省级平台" in again


def test_bad_input_is_shown_at_the_field(client, filler):
    client.force_login(filler)
    response = client.post(URL, {"name": "", "scope": "read", "expires_on": _in(400)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写令牌名称。" in body
    assert not ApiToken.objects.exists()


def test_the_page_is_in_the_navigation(client, filler):
    client.force_login(filler)
    assert f'href="{URL}"' in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_other_operators_do_not_reach_the_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert f'href="{URL}"' not in client.get(reverse("accounts:home")).content.decode()


def test_each_user_lists_only_their_own_tokens(client, filler, reviewer):
    token_create(
        user=reviewer,
        name="审核员的令牌",
        scope="read",
        expires_on=timezone.localdate() + dt.timedelta(days=3),
    )
    client.force_login(filler)
    assert "审核员的令牌" not in client.get(URL).content.decode()


def test_revoking_another_users_token_is_a_404(client, filler, reviewer):
    token, _ = token_create(
        user=reviewer, name="x", scope="read", expires_on=timezone.localdate() + dt.timedelta(days=3)
    )
    client.force_login(filler)
    assert client.post(reverse("api:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_owner_revokes_from_the_page(client, filler):
    token, raw = token_create(
        user=filler, name="x", scope="read", expires_on=timezone.localdate() + dt.timedelta(days=3)
    )
    client.force_login(filler)
    response = client.post(reverse("api:revoke", args=[token.pk]), follow=True)
    assert "已吊销令牌" in response.content.decode()
    assert token_authenticate(raw).token is None


def test_the_security_administrator_sees_and_revokes_every_token(client, filler, secadmin):
    token, raw = token_create(
        user=filler, name="基地同步", scope="read", expires_on=timezone.localdate() + dt.timedelta(days=3)
    )
    client.force_login(secadmin)
    page = client.get(URL).content.decode()
    assert "基地同步" in page and "张填报" in page and "全部令牌" in page
    assert "创建令牌" not in page  # 三员 hold no tokens themselves
    client.post(reverse("api:revoke", args=[token.pk]))
    assert token_authenticate(raw).reason == "令牌已吊销。"
