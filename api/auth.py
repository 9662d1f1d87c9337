"""Bearer-token authentication of every API call, its scope and its rate limit.

A refused token answers 401, a read-only token on a write 403, too many calls in a minute 429
with Retry-After; each as JSON with a machine code and a Chinese message (api.errors)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from api.models import ApiToken
from api.services import auth_failure_record, rate_limit_hit, token_authenticate, token_touch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiError(Exception):
    """An error answered as {code, message, field, errors} with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.errors, self.headers = field, errors or [], headers or {}


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            auth_failure_record(method=request.method or "", path=request.path, reason="未提供令牌。")
            raise ApiError(401, "not_authenticated", "请在 Authorization 请求头中提供令牌（Bearer）。")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_authenticate(token)
        if found.token is None:
            auth_failure_record(
                method=request.method or "", path=request.path, reason=found.reason, prefix=found.prefix
            )
            raise ApiError(401, "invalid_token", found.reason)
        api_token = found.token
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        token_touch(api_token)
        wait = rate_limit_hit(api_token)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"调用过于频繁：每个令牌每分钟最多调用 {_limit()} 次，请 {wait} 秒后再试。",
                headers={"Retry-After": str(wait)},
            )
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise ApiError(403, "read_only_token", "该令牌为只读令牌，不能修改数据。")
        return api_token


def _limit() -> int:
    return int(settings.API_RATE_LIMIT_PER_MINUTE)
