from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.dashboards import dashboard_for
from accounts.forms import ActivationForm, GrantDecisionForm, OwnPasswordChangeForm, UsernameForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import RoleGrantRequest, User
from accounts.otp import (
    base32_secret,
    otp_enrol_confirm,
    otp_enrol_start,
    otp_reset,
    otp_verify,
    qr_svg,
    session_owes_otp,
    totp_device,
)
from accounts.passwords import password_expires_at
from accounts.services import (
    account_activate,
    account_unlock,
    password_change,
    password_reset_issue,
    role_grant_decide,
)
from permissions.checks import can_grant_roles, can_reset_passwords, otp_required


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = dashboard_for(request.user)
    return render(request, context.pop("template"), context)


@login_required
def password_change_view(request: AuthenticatedHttpRequest) -> HttpResponse:
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


class ActivateView(auth_views.PasswordResetConfirmView):
    """The new account's holder sets the first password from the e-mailed one-time link."""

    template_name = "accounts/activate.html"
    form_class = ActivationForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        # Reached only through a valid link, which names its user.
        assert self.user is not None
        account_activate(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "登录密码已设置，请用新密码登录。")
        return redirect(self.success_url)


def _security_context(request: HttpRequest) -> dict:
    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = (
        AccessAttempt.objects.filter(attempt_time__gte=cutoff)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    grants = RoleGrantRequest.objects.select_related(
        "user", "requested_by", "decided_by", "base", "authority"
    )
    return {
        "pending": list(grants.filter(status=RoleGrantRequest.Status.PENDING).order_by("requested_at")),
        "decided": list(grants.exclude(status=RoleGrantRequest.Status.PENDING)[:20]),
        "locked": list(locked[:50]),
        "reset_form": UsernameForm(prefix="reset"),
        "otp_form": UsernameForm(prefix="otp"),
    }


@login_required
def security_center(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The security administrator's page: role grant requests, login locks, temporary passwords."""
    if not can_grant_roles(request.user):
        raise PermissionDenied("只有安全管理员可以进入账号安全页面。")
    return render(request, "accounts/security.html", _security_context(request))


@login_required
@require_POST
def grant_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(RoleGrantRequest, pk=pk)
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择批准或驳回。")
        return redirect("accounts:security")
    approve = form.cleaned_data["decision"] == "approve"
    # The service refuses (and audits) anyone but a security administrator deciding someone else's grant.
    role_grant_decide(
        actor=request.user, grant_id=grant.pk, approve=approve, comment=form.cleaned_data["comment"]
    )
    messages.success(
        request,
        f"已{'批准' if approve else '驳回'} {grant.user.username} 的“{grant.get_role_display()}”角色申请。",
    )
    return redirect("accounts:security")


@login_required
@require_POST
@never_cache
def password_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UsernameForm(request.POST, prefix="reset")
    if not form.is_valid():
        if not can_reset_passwords(request.user):
            raise PermissionDenied("只有安全管理员可以重置密码。")
        context = _security_context(request)
        context["reset_form"] = form
        return render(request, "accounts/security.html", context, status=400)
    user = User.objects.get(username=form.cleaned_data["username"])
    password = password_reset_issue(actor=request.user, user=user)
    # Shown once, on this response only: never put in a message, a log or the audit trail.
    return render(request, "accounts/temporary_password.html", {"account": user, "password": password})


@login_required
@require_POST
def unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")[:150]
    account_unlock(actor=request.user, username=username)
    messages.success(request, f"已解除 {username} 的登录锁定。")
    return redirect("accounts:security")


@login_required
@require_POST
def otp_reset_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UsernameForm(request.POST, prefix="otp")
    if not form.is_valid():
        if not can_reset_passwords(request.user):
            raise PermissionDenied("只有安全管理员可以重置两步验证。")
        context = _security_context(request)
        context["otp_form"] = form
        return render(request, "accounts/security.html", context, status=400)
    user = User.objects.get(username=form.cleaned_data["username"])
    otp_reset(actor=request.user, user=user)
    messages.success(request, f"已重置 {user.username} 的两步验证，本人下次登录时须重新绑定手机验证器。")
    return redirect("accounts:security")


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=16, strip=True)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@never_cache
def otp_verify_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not session_owes_otp(request):
        return redirect(_next(request))
    if totp_device(request.user, confirmed=True) is None:
        # Required but never enrolled (a new account): enrol first; that verifies this session too.
        return redirect("accounts:otp_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify(request=request, user=request.user, token=form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", "验证码不正确或已使用过，请等待手机验证器显示下一个验证码后重新输入。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@never_cache
def otp_setup_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol a phone authenticator. Half-logged-in sessions may enrol only when they have no device yet."""
    if session_owes_otp(request) and totp_device(request.user, confirmed=True) is not None:
        return redirect("accounts:otp_verify")
    device = otp_enrol_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp_enrol_confirm(request=request, user=request.user, token=form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, "两步验证已启用。")
            return render(request, "accounts/otp_recovery_codes.html", {"codes": codes})
        form.add_error("code", "验证码不正确，请核对手机时间后输入验证器当前显示的 6 位数字。")
    context = {
        "form": form,
        # segno draws the SVG from our own otpauth URL; nothing user-supplied reaches it.
        "qr": mark_safe(qr_svg(device)),
        "secret": base32_secret(device),
        "required": otp_required(request.user),
        "enrolled": totp_device(request.user, confirmed=True) is not None,
    }
    return render(request, "accounts/otp_setup.html", context)
