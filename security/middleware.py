"""Request-wide protections: a bound on request bodies, no caching of logged-in pages, and a clear
Chinese "try again" answer when the database is overloaded instead of a bare server error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from security.uploads import megabytes

logger = logging.getLogger(__name__)

RETRY_MESSAGE = (
    "系统当前繁忙（数据库暂时无法响应），您的操作没有完成，已输入的内容不会丢失。请稍候 30 秒后重试。"
)
RETRY_AFTER_SECONDS = 30


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.content_type == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_MAX_BYTES before anything reads it (413, in Chinese)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(settings.REQUEST_MAX_BYTES)
        if length > limit:
            message = (
                f"上传的内容共 {megabytes(length)}，超过系统允许的 {megabytes(limit)}，请减小文件后重试。"
            )
            if _wants_json(request):
                return JsonResponse({"error": message}, status=413)
            body = render_to_string("errors/plain.html", {"title": "上传内容过大", "message": message})
            return HttpResponse(body, status=413)
        return self.get_response(request)


class NoStoreMiddleware:
    """A page for a logged-in user holds material that must not linger in a browser or proxy cache:
    every response to an authenticated request is `Cache-Control: private, no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
        return response


class OverloadMiddleware:
    """A lock or statement timeout, a refused connection or "database is locked" becomes a 503 with
    Retry-After and a Chinese message; the transaction has been rolled back, so nothing half-done stays."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database overloaded on %s %s: %s", request.method, request.path, exception)
        if _wants_json(request):
            response: HttpResponse = JsonResponse({"error": RETRY_MESSAGE, "retry": True}, status=503)
        else:
            body = render_to_string(
                "errors/plain.html", {"title": "系统繁忙，请稍后重试", "message": RETRY_MESSAGE}
            )
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        patch_cache_control(response, no_store=True)
        return response
