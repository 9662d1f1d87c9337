"""The token page (/api/tokens/): create a token (its secret shown once), list and revoke them.

Everyone who may use the API manages their own tokens; the security administrator sees and revokes
everyone's (permissions: visible_api_tokens, can_revoke_any_api_token)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from api.forms import TokenForm
from api.services import token_create, token_revoke
from permissions.access import access_api_token, visible_api_tokens
from permissions.checks import can_manage_api_tokens, can_revoke_any_api_token, can_use_api


def _page(
    request: AuthenticatedHttpRequest, form: TokenForm, secret: str = "", status: int = 200
) -> HttpResponse:
    tokens = visible_api_tokens(request.user).select_related("user", "revoked_by").order_by("-created_at")
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form if can_use_api(request.user) else None,
            "tokens": tokens,
            "secret": secret,
            "all_tokens": can_revoke_any_api_token(request.user),
        },
        status=status,
    )
    # The one response that carries a token's secret must not be kept by any cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_api_tokens(request.user):
        raise Http404("未找到该页面，或您无权查看。")
    if request.method != "POST":
        return _page(request, TokenForm())
    if not can_use_api(request.user):
        raise Http404("未找到该页面，或您无权查看。")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _, secret = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_on=form.cleaned_data["expires_on"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, form, status=400)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("api:tokens")
    return _page(request, TokenForm(), secret=secret)


@login_required
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = access_api_token(request.user, pk)
    try:
        token_revoke(token=token, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"已吊销令牌“{token.name}”（{token.prefix}…），使用它的调用将被拒绝。")
    return redirect("api:tokens")
