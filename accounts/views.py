from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.dashboards import dashboard_for
from accounts.forms import OwnPasswordChangeForm
from accounts.passwords import password_expires_at
from accounts.services import password_change


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = dashboard_for(request.user)
    return render(request, context.pop("template"), context)


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Every role changes its own password here; a temporary or expired one must be changed first."""
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_change(user=request.user, password=form.cleaned_data["new_password1"])
        # The session's auth hash follows the password, so this session stays and others end.
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:home")
    expires = password_expires_at(request.user)
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "rules": password_validators_help_texts(),
            "expires_at": expires,
            "expired": expires is not None and timezone.now() >= expires,
        },
    )
