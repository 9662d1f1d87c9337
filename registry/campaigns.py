"""Campaign services: create a yearly 报送工作, open it for filling, close it; and its deadlines.

`base_window_open` and `authority_window_open` are the one answer to "may this base / authority
still deliver": before the campaign's deadline, or inside a reopening window the ministry granted
(ReopenRequest). Review (submitting material) and reports (the provincial summary and cases) both
ask here, so they cannot disagree.

A campaign's status moves only through `campaign_open` and `campaign_close`, each under a row lock,
so two ministry users pressing the button at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from definitions.models import Definition
from definitions.services import definition_freeze
from lib.deadlines import deadline_open
from registry.models import Authority, Base, Campaign, ReopenRequest


@transaction.atomic
def campaign_create(
    *,
    year: int,
    data_year: int,
    history_years: list[int],
    title: str,
    form_version: str,
    base_deadline: dt.datetime,
    authority_deadline: dt.datetime,
    bases: Iterable[Base] | None = None,
) -> Campaign:
    """Create a campaign in draft. Without `bases`, every base holding its title takes part."""
    errors: dict[str, str] = {}
    if Campaign.objects.filter(year=year).exists():
        errors["year"] = f"{year}年度评价已存在，不能重复创建。"
    if any(h >= data_year for h in history_years):
        errors["history_years"] = "历史年度必须早于数据年度。"
    if len(set(history_years)) != len(history_years):
        errors["history_years"] = "历史年度不能重复。"
    for name, value in (("base_deadline", base_deadline), ("authority_deadline", authority_deadline)):
        if value.tzinfo is None:
            errors[name] = "截止时间必须带时区。"
    timezones_ok = "base_deadline" not in errors and "authority_deadline" not in errors
    if timezones_ok and authority_deadline < base_deadline:
        errors["authority_deadline"] = "省级主管部门报送截止时间不能早于示范基地报送截止时间。"
    if bases is None:
        participants = list(Base.objects.filter(status=Base.Status.ACTIVE))
    else:
        participants = list(bases)
        revoked = [b.name for b in participants if b.status != Base.Status.ACTIVE]
        if revoked:
            errors["bases"] = (
                "已取消称号的示范基地不能参加年度评价："
                + "、".join(revoked[:5])
                + (f" 等 {len(revoked)} 个" if len(revoked) > 5 else "")
            )
    if errors:
        raise ValidationError(errors)

    campaign = Campaign.objects.create(
        year=year,
        data_year=data_year,
        history_years=list(history_years),
        title=title,
        form_version=form_version,
        base_deadline=base_deadline,
        authority_deadline=authority_deadline,
        status=Campaign.Status.DRAFT,
    )
    campaign.bases.set(participants)
    return campaign


@transaction.atomic
def campaign_open(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Open a draft campaign for filling. Its form version is frozen from now on: every base fills
    exactly the definitions that were in force when it opened."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.DRAFT:
        raise ValidationError(
            f"“{locked.title}”当前状态为{locked.get_status_display()}，只有筹备中的年度评价可以启动。"
        )
    if not locked.bases.exists():
        raise ValidationError(f"“{locked.title}”尚未选择参评示范基地，不能启动。")
    definitions = list(Definition.objects.filter(version=locked.form_version))
    if not any(d.code == "summary" for d in definitions):
        raise ValidationError(f"报表版本“{locked.form_version}”的汇总表定义尚未加载，不能启动。")
    for definition in definitions:
        definition_freeze(definition=definition)
    locked.status = Campaign.Status.OPEN
    locked.save(update_fields=["status"])
    campaign.status = locked.status
    event_record(
        actor=user, action="campaign.open", summary=f"启动{locked.title}（报表版本 {locked.form_version}）",
        target=locked, data={"bases": locked.bases.count(), "definitions": [d.code for d in definitions]},
    )  # fmt: skip
    return locked


@transaction.atomic
def campaign_close(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Close an open campaign; nothing more can be filled in it."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.OPEN:
        raise ValidationError(
            f"“{locked.title}”当前状态为{locked.get_status_display()}，只有填报中的年度评价可以结束。"
        )
    locked.status = Campaign.Status.CLOSED
    locked.save(update_fields=["status"])
    campaign.status = locked.status
    event_record(actor=user, action="campaign.close", summary=f"结束{locked.title}", target=locked)
    return locked


# --- deadlines ---------------------------------------------------------------------------------


def _granted(campaign: Campaign, *, base: Base | None, authority: Authority | None, now: dt.datetime) -> bool:
    # A window is a deadline like the others: open through the whole Beijing day it ends on. The
    # database narrows to windows ending no earlier than yesterday; deadline_open decides.
    qs = ReopenRequest.objects.filter(
        campaign=campaign,
        status=ReopenRequest.Status.GRANTED,
        window_until__gte=now - dt.timedelta(days=1),
    )
    qs = qs.filter(base=base) if base is not None else qs.filter(base__isnull=True, authority=authority)
    windows = qs.values_list("window_until", flat=True)
    return any(until is not None and deadline_open(until, now) for until in windows)


def base_window_open(*, campaign: Campaign, base: Base, now: dt.datetime | None = None) -> bool:
    """A base may submit before its deadline, or inside a reopening window the ministry granted."""
    now = now or timezone.now()
    return deadline_open(campaign.base_deadline, now) or _granted(
        campaign, base=base, authority=None, now=now
    )


def authority_window_open(
    *, campaign: Campaign, authority: Authority, now: dt.datetime | None = None
) -> bool:
    now = now or timezone.now()
    return deadline_open(campaign.authority_deadline, now) or _granted(
        campaign, base=None, authority=authority, now=now
    )
