"""Searching the audit trail for the auditor's page and its export (pure filtering, no access rules:
the view asks `permissions` first)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Event

# The kinds an auditor filters by: the first part of the action name.
KINDS: tuple[tuple[str, str], ...] = (
    ("auth", "登录、退出与两步验证"),
    ("account", "账号、角色与口令"),
    ("admin", "运维管理界面的修改"),
    ("settings", "安全配置变更"),
    ("values", "数值保存"),
    ("explanation", "预警情况说明"),
    ("submission", "材料提交、退回、审核、受理"),
    ("reopen", "补报申请"),
    ("report", "发展报告"),
    ("provincial_summary", "省级工作总结"),
    ("case", "典型案例"),
    ("case_quota", "案例名额"),
    ("exchange", "打印、盖章扫描件与证明材料（上传、下载）"),
    ("review", "受理快照下载"),
    ("job", "后台任务（导入、导出）"),
    ("reminder", "催报"),
    ("campaign", "填报年度"),
    ("base", "示范基地名录"),
    ("registry", "名录导入"),
    ("evaluation", "评价与星级"),
    ("api", "接口调用"),
    ("audit", "审计日志本身（锚定、导出、清除）"),
)
KIND_LABELS = dict(KINDS)


class EventFilterForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label="操作人（账号或姓名）", required=False, max_length=150)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *KINDS])
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *Event.Outcome.choices])
    ip = forms.CharField(label="IP 地址", required=False, max_length=45)
    q = forms.CharField(label="摘要或操作包含", required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "截止日期不能早于起始日期。")
        return data


@dataclass(frozen=True)
class EventFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    user: str = ""
    kind: str = ""
    outcome: str = ""
    ip: str = ""
    q: str = ""

    @classmethod
    def from_form(cls, form: EventFilterForm) -> EventFilter:
        if not form.is_valid():
            return cls()
        data = form.cleaned_data
        return cls(
            start=data.get("start"),
            end=data.get("end"),
            **{name: (data.get(name) or "").strip() for name in ("user", "kind", "outcome", "ip", "q")},
        )

    def as_data(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_matching(flt: EventFilter) -> QuerySet[Event]:
    events = Event.objects.all()
    if flt.start:
        events = events.filter(at__gte=_day_start(flt.start))
    if flt.end:
        events = events.filter(at__lt=_day_start(flt.end + dt.timedelta(days=1)))
    if flt.user:
        events = events.filter(Q(actor_username__icontains=flt.user) | Q(actor_name__icontains=flt.user))
    if flt.kind:
        events = events.filter(Q(action=flt.kind) | Q(action__startswith=flt.kind + "."))
    if flt.outcome:
        events = events.filter(outcome=flt.outcome)
    if flt.ip:
        events = events.filter(ip=flt.ip) if _is_address(flt.ip) else events.none()
    if flt.q:
        events = events.filter(Q(summary__icontains=flt.q) | Q(action__icontains=flt.q))
    return events.order_by("-seq")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
