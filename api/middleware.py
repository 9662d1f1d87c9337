"""Every authenticated API call is an event of the audit trail: who, with which token, what, and the answer."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from api.services import call_record

API_PREFIX = "/api/v1/"


class ApiCallAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "api_token", None)
        if token is not None and request.path.startswith(API_PREFIX):
            call_record(
                user=token.user,
                token=token,
                method=request.method or "",
                path=request.get_full_path(),
                status=response.status_code,
            )
        return response
