"""Bearer tokens: only a genuine, current token of an active user who may use the API gets in; a
read-only token cannot write; each token is rate-limited; each refusal is in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from api.models import ApiToken
from api.services import token_digest
from api.tests.conftest import Api, make_token
from audit.models import Event


def test_it_refuses_a_call_without_a_token(db):
    response = Api(None).get("/bases")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "令牌" in response.json()["message"]
    event = Event.objects.get(action="api.auth_failed")
    assert event.outcome == "refused" and event.data["path"] == "/api/v1/bases"


@pytest.mark.parametrize("raw", ["nonsense", "sfjd_00000000_secret", "Basic abc"])
def test_it_refuses_an_unknown_or_malformed_token(db, raw):
    response = Api(raw).get("/bases")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_it_refuses_a_token_whose_secret_was_altered(filler):
    raw = make_token(filler)
    response = Api(raw[:-2] + ("AA" if not raw.endswith("AA") else "BB")).get("/bases")
    assert response.status_code == 401
    assert response.json()["message"] == "令牌无效。"


def test_it_accepts_a_current_token_and_records_its_use(filler, base):
    raw = make_token(filler)
    response = Api(raw).get("/bases")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=filler)
    assert token.last_used_at is not None
    assert token.digest == token_digest(raw) and raw.split("_", 2)[2] not in token.digest


def test_it_refuses_an_expired_token(filler):
    raw = make_token(filler)
    ApiToken.objects.filter(user=filler).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Api(raw).get("/bases")
    assert response.status_code == 401
    assert response.json()["message"] == "令牌已过期。"
    assert Event.objects.filter(action="api.auth_failed", data__reason="令牌已过期。").exists()


def test_it_refuses_a_revoked_token(filler):
    raw = make_token(filler)
    ApiToken.objects.filter(user=filler).update(revoked_at=timezone.now())
    response = Api(raw).get("/bases")
    assert response.status_code == 401
    assert response.json()["message"] == "令牌已吊销。"


def test_it_refuses_the_token_of_a_disabled_account(filler):
    raw = make_token(filler)
    filler.is_active = False
    filler.save(update_fields=["is_active"])
    assert Api(raw).get("/bases").status_code == 401


def test_a_read_only_token_cannot_write(filler, material):
    raw = make_token(filler, ApiToken.Scope.READ)
    api = Api(raw)
    etag = api.get(f"/submissions/{material.pk}")["ETag"]
    response = api.send(
        "PATCH",
        f"/submissions/{material.pk}/values",
        {"values": {"summary": {"1.1": {"2021": "110"}}}},
        headers={"If-Match": etag},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert not material.values.filter(code="1.1").exists()
    response = api.send(
        "POST", f"/submissions/{material.pk}/transitions/submit", {}, headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 403


def test_each_token_is_rate_limited_per_minute(filler, base, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = Api(make_token(filler))
    other = Api(make_token(filler))
    assert [api.get("/bases").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/bases")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "每分钟最多调用 3 次" in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The limit counts per token: another token of the same user still gets through.
    assert other.get("/bases").status_code == 200
