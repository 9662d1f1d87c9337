"""The home page's figures, one builder per role. Each builder runs a fixed number of queries.

Figures come straight from the database; nothing here is estimated or made up. Where a role has no
campaign yet, the page says so instead of showing zeros that look like progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from lib.deadlines import Countdown, countdown
from permissions.access import visible_bases
from permissions.checks import (
    can_fill_own_base,
    can_manage_accounts,
    can_oversee,
    can_read_accounts,
    can_read_audit,
    can_review_assigned_bases,
    can_review_own_authority,
)
from registry.models import Authority, Base, Campaign, Category, batch_label
from submissions.models import Submission

DORMANT_AFTER = dt.timedelta(days=90)
RECENT_LOGIN = dt.timedelta(days=7)
RECENT_JOINED = dt.timedelta(days=30)


@dataclass(frozen=True)
class CampaignState:
    """The campaign a home page talks about, with both deadlines as countdowns."""

    campaign: Campaign
    base_deadline: Countdown
    authority_deadline: Countdown

    @property
    def is_open(self) -> bool:
        return self.campaign.status == Campaign.Status.OPEN

    @property
    def is_draft(self) -> bool:
        return self.campaign.status == Campaign.Status.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.campaign.status == Campaign.Status.CLOSED


def current_campaign_query() -> QuerySet[Campaign]:
    """The latest open campaign, else the latest one: one query with `.first()`."""
    return Campaign.objects.annotate(
        open_first=Case(
            When(status=Campaign.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("open_first", "-year")


def campaign_state(campaign: Campaign | None, now: dt.datetime) -> CampaignState | None:
    if campaign is None:
        return None
    return CampaignState(
        campaign=campaign,
        base_deadline=countdown(campaign.base_deadline, now),
        authority_deadline=countdown(campaign.authority_deadline, now),
    )


def in_campaign(campaign: Campaign | None) -> Exists | Value:
    """Annotation: does the base take part in `campaign`?"""
    if campaign is None:
        return Value(False)
    return Exists(Campaign.bases.through.objects.filter(base_id=OuterRef("pk"), campaign_id=campaign.pk))


def registry_list_url(**params: Any) -> str:
    """A link to the registry list with its filters preset (GET params of /registry/bases/)."""
    url = reverse("registry:base_list")
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


# --- 部级管理员 -----------------------------------------------------------------------------------


def ministry_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    active = Q(bases__status=Base.Status.ACTIVE)
    campaign = (
        current_campaign_query()
        .annotate(
            participating=Count("bases"),
            participating_active=Count("bases", filter=active),
        )
        .first()
    )

    status_counts = dict(Base.objects.values_list("status").annotate(n=Count("id")).order_by())
    total = sum(status_counts.values())
    statuses = [
        {"code": code, "label": label, "n": status_counts.get(code, 0), "url": registry_list_url(status=code)}
        for code, label in Base.Status.choices
    ]

    categories = [
        {"name": c.name, "n": c.n, "active": c.active, "url": registry_list_url(category=c.pk)}
        for c in Category.objects.annotate(n=Count("bases"), active=Count("bases", filter=active)).order_by(
            "sort_order", "code"
        )
    ]

    batches = [
        {"label": batch_label(b), "n": n, "url": registry_list_url(batch=b)}
        for b, n in Base.objects.values_list("batch").annotate(n=Count("id")).order_by("batch")
    ]

    participating_by_authority: dict[int, int] = {}
    if campaign is not None:
        participating_by_authority = dict(
            Base.objects.filter(campaigns=campaign)
            .values_list("authority_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    all_authorities = list(
        Authority.objects.annotate(n=Count("bases"), active=Count("bases", filter=active)).order_by(
            "sort_order", "code"
        )
    )
    authorities = [
        {
            "name": a.name,
            "n": a.n,
            "active": a.active,
            "participating": participating_by_authority.get(a.pk, 0),
            "url": registry_list_url(authority=a.pk),
            "active_url": registry_list_url(authority=a.pk, status=Base.Status.ACTIVE),
        }
        for a in all_authorities
        if a.n
    ]

    return {
        "template": "accounts/home_ministry.html",
        "state": campaign_state(campaign, now),
        "total_bases": total,
        "registry_url": registry_list_url(),
        "statuses": statuses,
        "categories": categories,
        "batches": batches,
        "authorities": authorities,
        "authority_count": len(all_authorities),
        "authorities_with_bases": len(authorities),
    }


# --- 省级审核员 -----------------------------------------------------------------------------------


def reviewer_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    campaign = current_campaign_query().first()
    bases = list(
        visible_bases(user)
        .select_related("category")
        .annotate(in_campaign=in_campaign(campaign))
        .order_by("category__sort_order", "batch", "name")
    )

    by_category: dict[str, dict[str, Any]] = {}
    for b in bases:
        row = by_category.setdefault(b.category.name, {"name": b.category.name, "active": 0, "revoked": 0})
        row["active" if b.is_active else "revoked"] += 1

    return {
        "template": "accounts/home_reviewer.html",
        "state": campaign_state(campaign, now),
        "bases": bases,
        "total_bases": len(bases),
        "active_bases": sum(1 for b in bases if b.is_active),
        "revoked_bases": sum(1 for b in bases if not b.is_active),
        "participating": sum(1 for b in bases if b.in_campaign),
        "by_category": list(by_category.values()),
    }


# --- 基地填报员 -----------------------------------------------------------------------------------


def filler_next_step(
    base: Base, in_campaign: bool, state: CampaignState | None, submission_status: str | None = None
) -> tuple[str, str]:
    """What the filler should do now, as (badge class, sentence). Only says what is true."""
    if not base.is_active:
        return "err", "本基地已取消称号，不再参加年度发展质量评价。"
    if state is None:
        return "", "本年度评价尚未开启，开启后将在此显示填报要求和截止时间。"
    year = state.campaign.year
    if state.is_draft:
        return "", f"{year}年度评价尚未开启填报，请关注规划司通知。"
    if not in_campaign:
        return "", f"本基地不在{year}年度评价的参评名单中，无需填报；如有疑问请联系省级主管部门。"
    match submission_status:
        case Submission.Status.SUBMITTED:
            return "ok", "材料已提交，等待省级主管部门初审。"
        case Submission.Status.APPROVED:
            return "ok", "材料已通过省级主管部门初审，已报送工业和信息化部。"
        case Submission.Status.ACCEPTED:
            return "ok", "材料已由工业和信息化部受理。"
    if state.is_closed:
        return "", f"{year}年度评价已结束。"
    deadline = state.base_deadline
    if deadline.passed:
        return (
            "err",
            f"示范基地报送已于{deadline.date_label}截止。如需补报或修改，请联系省级主管部门。",
        )
    when = f"{deadline.day_label}前"
    if submission_status == Submission.Status.RETURNED:
        return "warn", f"材料已被省级主管部门退回，请按审核意见修改，并于{when}重新提交。"
    started = "已开始填报，" if submission_status == Submission.Status.DRAFT else ""
    return (
        deadline.urgency,
        f"{started}请于{when}完成{state.campaign.data_year}年度汇总表、附表和发展总结材料的填报，"
        "并上传加盖公章的扫描件后提交省级主管部门初审。",
    )


def filler_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    campaign = current_campaign_query().first()
    bases = (
        visible_bases(user)
        .select_related("authority", "category")
        .annotate(in_campaign=in_campaign(campaign))
    )
    if campaign is not None:
        bases = bases.annotate(
            submission_status=Subquery(
                Submission.objects.filter(base_id=OuterRef("pk"), campaign_id=campaign.pk).values("status")[
                    :1
                ]
            )
        )
    base = bases.first()
    state = campaign_state(campaign, now)
    context: dict[str, Any] = {"template": "accounts/home_filler.html", "state": state, "base": base}
    if base is None:
        return context
    status = getattr(base, "submission_status", None)
    context["submission_status"] = Submission.Status(status).label if status else None
    context["latest_rating"] = base.star_ratings.first()
    context["next_badge"], context["next_step"] = filler_next_step(base, base.in_campaign, state, status)
    return context


# --- 评审专家 -------------------------------------------------------------------------------------


def expert_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    campaign = current_campaign_query().first()
    bases = list(
        visible_bases(user)
        .select_related("authority", "category")
        .annotate(in_campaign=in_campaign(campaign))
        .order_by("authority__sort_order", "batch", "name")
    )
    return {
        "template": "accounts/home_expert.html",
        "state": campaign_state(campaign, now),
        "bases": bases,
        "participating": sum(1 for b in bases if b.in_campaign),
    }


# --- 系统管理员 / 安全管理员 / 审计管理员 (三员: account facts only, no base data) -----------------


def admin_url(name: str, **filters: Any) -> str:
    url = reverse(f"admin:{name}")
    return f"{url}?{urlencode(filters)}" if filters else url


def sysadmin_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    counts = {
        role: (total, active)
        for role, total, active in User.objects.values_list("role")
        .annotate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
        .order_by()
    }
    roles = [
        {
            "label": label,
            "total": counts.get(code, (0, 0))[0],
            "active": counts.get(code, (0, 0))[1],
            "url": admin_url("accounts_user_changelist", role__exact=code),
        }
        for code, label in Role.choices
    ]
    checks = User.objects.aggregate(
        experts_unassigned=Count(
            "id", filter=Q(role=Role.EXPERT, is_active=True, assigned_bases__isnull=True), distinct=True
        ),
        fillers_on_revoked=Count(
            "id",
            filter=Q(role=Role.BASE_FILLER, is_active=True, base__status=Base.Status.REVOKED),
            distinct=True,
        ),
    )
    inactive = list(User.objects.filter(is_active=False).order_by("-date_joined")[:10])
    return {
        "template": "accounts/home_sysadmin.html",
        "roles": roles,
        "total_users": sum(r["total"] for r in roles),
        "inactive_count": sum(r["total"] - r["active"] for r in roles),
        "inactive": inactive,
        "inactive_url": admin_url("accounts_user_changelist", is_active__exact=0),
        "experts_unassigned": checks["experts_unassigned"],
        "experts_url": admin_url("accounts_user_changelist", role__exact=Role.EXPERT),
        "fillers_on_revoked": checks["fillers_on_revoked"],
        "fillers_url": admin_url("accounts_user_changelist", role__exact=Role.BASE_FILLER),
        "users_url": admin_url("accounts_user_changelist"),
        "add_user_url": admin_url("accounts_user_add"),
    }


def account_facts(now: dt.datetime) -> dict[str, int]:
    """Account figures the security and audit administrators both watch. One query."""
    active = Q(is_active=True)
    return User.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=active),
        inactive=Count("id", filter=Q(is_active=False)),
        staff=Count("id", filter=active & Q(is_staff=True)),
        superusers=Count("id", filter=active & Q(is_superuser=True)),
        recent_logins=Count("id", filter=Q(last_login__gte=now - RECENT_LOGIN)),
        never_logged_in=Count("id", filter=active & Q(last_login__isnull=True)),
        dormant=Count("id", filter=active & Q(last_login__lt=now - DORMANT_AFTER)),
        # An unusable password starts with "!" (set_unusable_password): the account cannot log in
        # with a password at all.
        no_password=Count("id", filter=active & Q(password__startswith="!")),
        joined_recently=Count("id", filter=Q(date_joined__gte=now - RECENT_JOINED)),
    )


OPERATOR_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


def security_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    return {
        "template": "accounts/home_security.html",
        "facts": account_facts(now),
        "recent_logins": list(
            User.objects.filter(last_login__gte=now - RECENT_LOGIN).order_by("-last_login")[:20]
        ),
        "users_url": admin_url("accounts_user_changelist"),
        "dormant_days": DORMANT_AFTER.days,
    }


def audit_dashboard(user: User, now: dt.datetime) -> dict[str, Any]:
    return {
        "template": "accounts/home_audit.html",
        "facts": account_facts(now),
        # The auditor watches the operators (三员) themselves as much as anyone.
        "operators": list(User.objects.filter(role__in=OPERATOR_ROLES).order_by("role", "username")),
        "recent_logins": list(
            User.objects.filter(last_login__gte=now - RECENT_LOGIN).order_by("-last_login")[:20]
        ),
        "joined": list(
            User.objects.filter(date_joined__gte=now - RECENT_JOINED).order_by("-date_joined")[:20]
        ),
    }


# Which home page a user gets: the first builder whose check passes (each role passes exactly one).
BUILDERS: tuple[tuple[Callable[[User], bool], Callable[[User, dt.datetime], dict[str, Any]]], ...] = (
    (can_oversee, ministry_dashboard),
    (can_review_own_authority, reviewer_dashboard),
    (can_fill_own_base, filler_dashboard),
    (can_review_assigned_bases, expert_dashboard),
    (can_manage_accounts, sysadmin_dashboard),
    (can_read_accounts, security_dashboard),
    (can_read_audit, audit_dashboard),
)


def dashboard_for(user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    builder = next((build for allows, build in BUILDERS if allows(user)), None)
    if builder is None:
        # An account created outside the admin may lack a role; say so rather than show an empty page.
        return {"template": "accounts/home.html"}
    return builder(user, now or timezone.now())
