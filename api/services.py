"""State changes and rules of the API: tokens (create, revoke, authenticate, rate limit), the material's
revision tag (ETag), saving values against it, and idempotent transitions.

The API changes a base's material only through the services the pages use
(`submissions.services.values_save`, the transition services of `review.services`), so the same
validation, the same transition table and the same notifications apply whichever door is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken, IdempotentResponse
from audit.services import event_record
from lib import authz
from lib.authz import Ask
from review.models import Transition
from review.services import (
    FieldNote,
    ministry_accept,
    ministry_return,
    review_approve,
    review_return,
    submission_submit,
)
from submissions.models import Submission, Value
from submissions.services import CellChange, SaveResult, values_save

TOKEN_PREFIX = "sfjd"
TOKEN_MAX_DAYS = 365
# last_used_at is written at most this often per token, not on every call.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


# --- tokens ----------------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _split(raw: str) -> tuple[str, str] | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


@transaction.atomic
def token_create(*, user: User, name: str, scope: str, expires_on: dt.date) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored and never shown again."""
    authz.require(Ask.USE_API, user, message="您的账号不能使用数据接口。")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌名称。"})
    if len(name) > 60:
        raise ValidationError({"name": "令牌名称不能超过 60 个字符。"})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": "请选择权限范围。"})
    today = timezone.localdate()
    if expires_on <= today:
        raise ValidationError({"expires_on": "有效期须晚于今天。"})
    if expires_on > today + dt.timedelta(days=TOKEN_MAX_DAYS):
        raise ValidationError({"expires_on": f"有效期最长 {TOKEN_MAX_DAYS} 天。"})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    # Valid through the whole chosen day (Beijing time).
    expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(raw), scope=scope, expires_at=expires_at
    )
    event_record(
        actor=user,
        action="api.token_create",
        summary=f"创建接口令牌“{name}”（{token.get_scope_display()}，有效期至 {expires_on:%Y-%m-%d}）",
        target=token,
        data={"prefix": prefix, "scope": scope, "expires_on": expires_on.isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Revoke a token: its owner, or the security administrator for anyone's."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.user_id != user.pk:
        authz.require(Ask.REVOKE_ANY_API_TOKEN, user, message="只能吊销自己的令牌。")
    if token.revoked_at is not None:
        raise ValidationError("该令牌已吊销。")
    token.revoked_at, token.revoked_by = timezone.now(), user
    token.save(update_fields=["revoked_at", "revoked_by"])
    event_record(
        actor=user,
        action="api.token_revoke",
        summary=f"吊销接口令牌“{token.name}”（{token.prefix}，属于 {token.user.display_name}）",
        target=token,
        data={"prefix": token.prefix, "owner": token.user_id},
    )
    return token


@dataclass(frozen=True)
class Authentication:
    token: ApiToken | None
    reason: str  # why it was refused, in Chinese ("" when accepted)
    prefix: str = ""


def token_authenticate(raw: str) -> Authentication:
    """The token `raw` names, if it is genuine, current and its user may still use the API."""
    parts = _split(raw)
    if parts is None:
        return Authentication(None, "令牌格式不正确。")
    prefix = parts[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    # Compare the digest even when no token has the prefix, so timing tells nothing.
    expected = token.digest if token is not None else "0" * 64
    if not hmac.compare_digest(expected, token_digest(raw)) or token is None:
        return Authentication(None, "令牌无效。", prefix)
    if token.revoked_at is not None:
        return Authentication(None, "令牌已吊销。", prefix)
    if token.expires_at <= timezone.now():
        return Authentication(None, "令牌已过期。", prefix)
    if not token.user.is_active or not authz.allows(Ask.USE_API, token.user):
        return Authentication(None, "令牌所属账号已停用或不能使用数据接口。", prefix)
    return Authentication(token, "", prefix)


def token_touch(token: ApiToken) -> None:
    """Remember when the token was last used (at most once a minute, not a write per call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def rate_limit_hit(token: ApiToken, *, now: dt.datetime | None = None) -> int | None:
    """Count one call of `token` in the current minute; the seconds to wait when over the limit."""
    moment = now or timezone.now()
    limit = int(settings.API_RATE_LIMIT_PER_MINUTE)
    window = int(moment.timestamp()) // 60
    key = f"api-rate:{token.prefix}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        return max(1, 60 - int(moment.timestamp()) % 60)
    return None


# --- the material's revision (ETag) and saving values against it --------------------------------


def submission_etag(submission: Submission) -> str:
    """A tag that changes whenever any value or the status changes: the revisions of every cell and the status."""
    cells = sorted(
        Value.objects.filter(submission=submission).values_list("form", "code", "year", "revision")
    )
    payload = json.dumps([submission.status, cells], ensure_ascii=False, separators=(",", ":"))
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def etag_matches(given: str, current: str) -> bool:
    candidates = [t.strip() for t in given.split(",")]
    return any(t.removeprefix("W/") == current for t in candidates)


class StaleRevision(Exception):
    """The material changed since the caller read it (If-Match no longer matches)."""

    def __init__(self, current: str) -> None:
        super().__init__("材料已被修改，请重新读取后再保存。")
        self.current = current


class CellsRefused(Exception):
    """Some cells were not accepted; nothing was saved."""

    def __init__(self, cells: list[dict[str, Any]]) -> None:
        super().__init__("部分填报内容不正确，未保存任何内容。")
        self.cells = cells


@dataclass(frozen=True)
class ApiCell:
    form: str
    code: str
    year: int
    raw: Any
    currency: str = ""


@transaction.atomic
def api_values_save(
    *, submission: Submission, user: User, if_match: str, cells: Sequence[ApiCell]
) -> SaveResult:
    """Save `cells` if the material is still at the revision the caller read (`if_match`), all or
    nothing: a stale tag raises StaleRevision, any cell the form refuses raises CellsRefused, and in
    both cases nothing changes. The cells go through `values_save`, as on the entry page."""
    locked = Submission.objects.select_for_update(of=("self",)).select_related("base").get(pk=submission.pk)
    authz.require(Ask.FILL, user, locked, message="您没有修改该材料的权限，或材料已提交、不能修改。")
    current = submission_etag(locked)
    if not etag_matches(if_match, current):
        raise StaleRevision(current)
    revisions = {
        (v.form, v.code, v.year): v.revision
        for v in Value.objects.filter(submission=locked, code__in={c.code for c in cells})
    }
    changes = [
        CellChange(
            form=c.form,
            code=c.code,
            year=c.year,
            raw=c.raw,
            currency=c.currency.upper(),
            base_revision=revisions.get((c.form, c.code, c.year)),
        )
        for c in cells
    ]
    result = values_save(
        submission=locked,
        user=user,
        changes=changes,
        source=Value.Source.API,
    )
    refused = [
        {"form": c.form, "code": c.code, "year": c.year, "message": c.message or c.error or ""}
        for c in result.cells
        if c.status in ("rejected", "conflict") or c.error
    ]
    if refused:
        raise CellsRefused(refused)  # leaving the atomic block rolls back the cells already saved
    return result


# --- transitions with an idempotency key --------------------------------------------------------


def _submit(submission: Submission, user: User, comment: str, notes: Sequence[FieldNote]) -> Any:
    return submission_submit(submission=submission, user=user)


def _return(submission: Submission, user: User, comment: str, notes: Sequence[FieldNote]) -> Any:
    return review_return(submission=submission, user=user, comment=comment, field_notes=notes)


def _approve(submission: Submission, user: User, comment: str, notes: Sequence[FieldNote]) -> Any:
    return review_approve(submission=submission, user=user, comment=comment)


def _accept(submission: Submission, user: User, comment: str, notes: Sequence[FieldNote]) -> Any:
    return ministry_accept(submission=submission, user=user, comment=comment)


def _ministry_return(submission: Submission, user: User, comment: str, notes: Sequence[FieldNote]) -> Any:
    return ministry_return(submission=submission, user=user, comment=comment, field_notes=notes)


# One service per row of review.transitions.TABLE (review/tests/test_transitions.py checks the table).
TRANSITION_SERVICES: dict[str, Callable[[Submission, User, str, Sequence[FieldNote]], Any]] = {
    Transition.Action.SUBMIT: _submit,
    Transition.Action.RETURN: _return,
    Transition.Action.APPROVE: _approve,
    Transition.Action.ACCEPT: _accept,
    Transition.Action.MINISTRY_RETURN: _ministry_return,
}


def transition_run(
    *,
    action: str,
    submission: Submission,
    user: User,
    comment: str = "",
    field_notes: Sequence[FieldNote] = (),
) -> Submission:
    """Take `action` through its review service (which enforces the transition table)."""
    TRANSITION_SERVICES[action](submission, user, comment, field_notes)
    return Submission.objects.select_related("campaign", "base").get(pk=submission.pk)


class IdempotencyKeyReused(Exception):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class Replayable:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def request_hash(*parts: Any) -> str:
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


@transaction.atomic
def idempotent_call(
    *, user: User, key: str, fingerprint: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> Replayable:
    """Run `run` once per (user, key). The key's row is claimed first, in this transaction: a
    concurrent retry blocks on it until this one commits, then finds and returns the stored response.
    A `run` that raises leaves no row (the key may be tried again)."""
    try:
        with transaction.atomic():
            claim = IdempotentResponse.objects.create(user=user, key=key, request_hash=fingerprint)
    except IntegrityError:
        stored = IdempotentResponse.objects.select_for_update().get(user=user, key=key)
        if stored.request_hash != fingerprint:
            raise IdempotencyKeyReused(key) from None
        return Replayable(stored.status_code, stored.body, replayed=True)
    status_code, body = run()
    claim.status_code, claim.body = status_code, body
    claim.save(update_fields=["status_code", "body"])
    return Replayable(status_code, body, replayed=False)


# --- audit of every call -------------------------------------------------------------------------


def call_record(*, user: User | None, token: ApiToken | None, method: str, path: str, status: int) -> None:
    event_record(
        actor=user,
        action="api.call",
        summary=f"接口调用 {method} {path[:200]} → {status}",
        outcome="success" if status < 400 else "refused",
        data={"method": method, "path": path, "status": status, "token": token.prefix if token else ""},
    )


def auth_failure_record(*, method: str, path: str, reason: str, prefix: str = "") -> None:
    event_record(
        actor=None,
        action="api.auth_failed",
        summary=f"接口认证失败 {method} {path[:200]}：{reason}",
        outcome="refused",
        data={"method": method, "path": path, "reason": reason, "token": prefix},
    )
