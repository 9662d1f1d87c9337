"""Who is behind, nationally and per authority, and 催报 (reminders) to them.

The ministry's progress page, its drill-down to one authority, the authority's reminder page and the
reminder services all read "who has not submitted" from here, so a page never shows a base as behind
that a reminder would skip, or the reverse. Every read runs a fixed number of queries whatever the
number of bases.

A reminder is an in-system message plus the same text by e-mail (review.notifications, sent once the
transaction commits), and one Reminder row per person. Nobody is reminded twice within REMINDER_MIN_INTERVAL_HOURS, whoever sends;
that rule also makes the automatic run (`manage.py send_reminders`) safe to repeat.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, active_fillers, active_reviewers
from audit.services import event_record
from lib import authz
from lib.authz import Ask
from lib.deadlines import SHANGHAI, Countdown, countdown, deadline_open
from registry.models import Authority, Base, Campaign
from reports.models import CaseRecommendation, ProvincialSummary
from reports.services import province_quotas
from review.models import Reminder
from review.notifications import notify_users
from submissions.models import Submission

S = Submission.Status
NOT_SUBMITTED = (S.DRAFT, S.RETURNED)
SUBMITTED_OR_BEYOND = (S.SUBMITTED, S.APPROVED, S.ACCEPTED)
Targets = Literal["bases", "authorities"]


def _pct(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


# --- national progress -----------------------------------------------------------------------------


@dataclass
class StateCounts:
    """How many participating bases stand where. "Not started" means no material at all."""

    participating: int = 0
    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    accepted: int = 0
    late: int = 0
    deadline_passed: bool = False

    @property
    def draft_or_not_started(self) -> int:
        return self.draft + self.not_started

    @property
    def not_submitted(self) -> int:
        return self.not_started + self.draft + self.returned

    @property
    def overdue(self) -> int:
        """Never submitted although the base deadline has passed (returned material is counted as
        returned: it was submitted in time and may always be resubmitted)."""
        return self.draft_or_not_started if self.deadline_passed else 0

    @property
    def done_pct(self) -> int:
        """Forwarded to or accepted by the ministry."""
        return _pct(self.approved + self.accepted, self.participating)

    @property
    def submitted_pct(self) -> int:
        """Submitted at least once and not sent back: submitted, approved or accepted."""
        return _pct(self.submitted + self.approved + self.accepted, self.participating)

    def add(self, other: StateCounts) -> None:
        for name in (
            "participating",
            "not_started",
            "draft",
            "submitted",
            "returned",
            "approved",
            "accepted",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.late += other.late


@dataclass
class AuthorityProgress(StateCounts):
    authority: Authority | None = None
    oldest_waiting: dt.datetime | None = None  # the longest-waiting submitted material, since when
    summary_status: str = ""  # "" (not started), draft, submitted
    summary_submitted_at: dt.datetime | None = None
    cases: int = 0
    quota: int = 0
    now: dt.datetime | None = None

    @property
    def backlog(self) -> int:
        return self.submitted

    @property
    def waiting_days(self) -> int | None:
        if self.oldest_waiting is None or self.now is None:
            return None
        return max((self.now - self.oldest_waiting).days, 0)

    @property
    def summary_label(self) -> str:
        return {"submitted": "已报送", "draft": "草稿"}.get(self.summary_status, "未开始")

    @property
    def cases_over(self) -> bool:
        return self.cases > self.quota


@dataclass
class ProgressTotals(StateCounts):
    authorities: int = 0
    summaries_submitted: int = 0
    backlog: int = 0
    oldest_waiting: dt.datetime | None = None
    cases: int = 0
    quota: int = 0
    now: dt.datetime | None = None

    @property
    def waiting_days(self) -> int | None:
        if self.oldest_waiting is None or self.now is None:
            return None
        return max((self.now - self.oldest_waiting).days, 0)


@dataclass
class NationalProgress:
    campaign: Campaign
    base_deadline: Countdown
    authority_deadline: Countdown
    rows: list[AuthorityProgress]
    totals: ProgressTotals


def _state_aggregates() -> dict[str, Count | Min]:
    counts: dict[str, Count | Min] = {status: Count("id", filter=Q(status=status)) for status in S.values}
    counts["late_n"] = Count("id", filter=Q(is_late=True))
    counts["oldest"] = Min("status_changed_at", filter=Q(status=S.SUBMITTED))
    return counts


def national_progress(*, campaign: Campaign, now: dt.datetime | None = None) -> NationalProgress:
    """One row per authority with participating bases, and a totals row (about eight queries)."""
    now = now or timezone.now()
    deadline_passed = not deadline_open(campaign.base_deadline, now)
    participating = dict(
        Base.objects.filter(campaigns=campaign).values_list("authority_id").annotate(n=Count("id")).order_by()
    )
    by_authority: dict[int, Any] = {  # rows of .values().annotate(): counts per state
        row["base__authority_id"]: row
        for row in Submission.objects.filter(campaign=campaign, base__campaigns=campaign)
        .values("base__authority_id")
        .annotate(**_state_aggregates())
        .order_by()
    }
    summaries = {
        a: (status, at)
        for a, status, at in ProvincialSummary.objects.filter(campaign=campaign).values_list(
            "authority_id", "status", "submitted_at"
        )
    }
    cases = dict(
        CaseRecommendation.objects.filter(campaign=campaign)
        .values_list("authority_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    quotas = province_quotas(campaign=campaign)
    provinces_counted: set[str] = set()
    totals = ProgressTotals(deadline_passed=deadline_passed, now=now)
    rows = []
    for authority in Authority.objects.filter(pk__in=participating.keys()).order_by("sort_order", "code"):
        agg = by_authority.get(authority.pk, {})
        n = participating[authority.pk]
        summary_status, summary_at = summaries.get(authority.pk, ("", None))
        row = AuthorityProgress(
            authority=authority,
            participating=n,
            draft=agg.get(S.DRAFT, 0),
            submitted=agg.get(S.SUBMITTED, 0),
            returned=agg.get(S.RETURNED, 0),
            approved=agg.get(S.APPROVED, 0),
            accepted=agg.get(S.ACCEPTED, 0),
            late=agg.get("late_n", 0),
            oldest_waiting=agg.get("oldest"),
            deadline_passed=deadline_passed,
            summary_status=summary_status,
            summary_submitted_at=summary_at,
            cases=cases.get(authority.pk, 0),
            # The province's quota is shared by its authorities: each row shows what this one may use.
            quota=quotas[authority.pk].own_limit if authority.pk in quotas else 0,
            now=now,
        )
        row.not_started = n - sum(agg.get(s, 0) for s in S.values)
        rows.append(row)
        totals.add(row)
        totals.authorities += 1
        totals.summaries_submitted += summary_status == ProvincialSummary.Status.SUBMITTED
        totals.backlog += row.backlog
        totals.cases += row.cases
        if authority.province_code not in provinces_counted and authority.pk in quotas:
            provinces_counted.add(authority.province_code)
            totals.quota += quotas[authority.pk].quota
        if row.oldest_waiting and (
            totals.oldest_waiting is None or row.oldest_waiting < totals.oldest_waiting
        ):
            totals.oldest_waiting = row.oldest_waiting
    return NationalProgress(
        campaign=campaign,
        base_deadline=countdown(campaign.base_deadline, now),
        authority_deadline=countdown(campaign.authority_deadline, now),
        rows=rows,
        totals=totals,
    )


# --- one authority's bases -------------------------------------------------------------------------


@dataclass
class BaseProgress:
    base: Base
    submission: Submission | None
    has_filler: bool
    last_reminded: dt.datetime | None
    deadline_passed: bool
    now: dt.datetime

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else "not_started"

    @property
    def state_label(self) -> str:
        return self.submission.get_status_display() if self.submission else "未开始填报"

    @property
    def last_change(self) -> dt.datetime | None:
        if self.submission is None:
            return None
        return self.submission.status_changed_at or self.submission.updated_at

    @property
    def is_late(self) -> bool:
        return bool(self.submission and self.submission.is_late)

    @property
    def not_submitted(self) -> bool:
        return self.state in ("not_started", S.DRAFT, S.RETURNED)

    @property
    def overdue(self) -> bool:
        return self.deadline_passed and self.state in ("not_started", S.DRAFT)

    @property
    def waiting_days(self) -> int | None:
        if self.state != S.SUBMITTED or self.submission is None or not self.submission.status_changed_at:
            return None
        return max((self.now - self.submission.status_changed_at).days, 0)


def base_progress(
    *, campaign: Campaign, authority: Authority, now: dt.datetime | None = None, only_behind: bool = False
) -> list[BaseProgress]:
    """The authority's participating bases with their material's state (two queries)."""
    now = now or timezone.now()
    bases = (
        Base.objects.filter(campaigns=campaign, authority=authority)
        .select_related("category")
        .annotate(
            has_filler=Exists(active_fillers(OuterRef("pk"))),
            last_reminded=Subquery(
                Reminder.objects.filter(campaign=campaign, base=OuterRef("pk"))
                .order_by("-sent_at")
                .values("sent_at")[:1]
            ),
        )
        .order_by("batch", "name")
    )
    submissions = {
        s.base_id: s
        for s in Submission.objects.filter(campaign=campaign, base__authority=authority).only(
            "id", "base_id", "status", "is_late", "submitted_at", "status_changed_at", "updated_at"
        )
    }
    rows = [
        BaseProgress(
            base=b,
            submission=submissions.get(b.pk),
            has_filler=b.has_filler,
            last_reminded=b.last_reminded,
            deadline_passed=not deadline_open(campaign.base_deadline, now),
            now=now,
        )
        for b in bases
    ]
    return [r for r in rows if r.not_submitted] if only_behind else rows


# --- reminders -------------------------------------------------------------------------------------


def min_interval() -> dt.timedelta:
    return dt.timedelta(hours=settings.REMINDER_MIN_INTERVAL_HOURS)


@dataclass
class ReminderResult:
    """What a reminder run did: people reminded, people skipped (reminded within the interval), the
    bases or authorities reached, and those with no active account to remind."""

    sent: int = 0
    skipped: int = 0
    reached: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

    def merge(self, other: ReminderResult) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.reached += other.reached
        self.unreachable += other.unreachable

    @property
    def message(self) -> str:
        """One Chinese sentence for the page or the command's output."""
        if not self.sent and not self.skipped and not self.unreachable:
            return "没有需要催报的对象。"
        parts = [
            f"已向 {self.sent} 人发送催报（涉及 {len(self.reached)} 个单位）"
            if self.sent
            else "本次未发送催报"
        ]
        if self.skipped:
            hours = settings.REMINDER_MIN_INTERVAL_HOURS
            parts.append(f"{self.skipped} 人在 {hours} 小时内已被催报，本次跳过")
        if self.unreachable:
            names = "、".join(self.unreachable[:5]) + (" 等" if len(self.unreachable) > 5 else "")
            parts.append(f"{len(self.unreachable)} 个单位没有可用账号（{names}），请电话联系")
        return "；".join(parts) + "。"


@dataclass
class _Group:
    """One message to everyone of one base or one authority."""

    label: str
    users: list[User]
    subject: str
    body: str
    link: str
    base: Base | None = None
    authority: Authority | None = None
    note: str = ""


def _bases_behind(campaign: Campaign, authority: Authority | None = None) -> list[Base]:
    """Participating bases that have not submitted: no material, a draft, or returned material."""
    done = Submission.objects.filter(campaign=campaign, base=OuterRef("pk"), status__in=SUBMITTED_OR_BEYOND)
    current = Submission.objects.filter(campaign=campaign, base=OuterRef("pk"))
    qs = (
        Base.objects.filter(campaigns=campaign, status=Base.Status.ACTIVE)
        .exclude(Exists(done))
        .select_related("authority")
        .annotate(
            submission_pk=Subquery(current.values("pk")[:1]),
            submission_status=Subquery(current.values("status")[:1]),
        )
        .order_by("authority__sort_order", "authority__code", "batch", "name")
    )
    if authority is not None:
        qs = qs.filter(authority=authority)
    return list(qs)


def _fillers_of(base_ids: Sequence[int]) -> dict[int, list[User]]:
    """{base pk: its active fillers} (accounts.models.active_fillers), in one query."""
    out: dict[int, list[User]] = defaultdict(list)
    for u in active_fillers().filter(base__in=base_ids).order_by("pk"):
        if u.base_id is not None:
            out[u.base_id].append(u)
    return out


def _reviewers_of(authority_ids: Sequence[int]) -> dict[int, list[User]]:
    """{authority pk: its active reviewers} (accounts.models.active_reviewers), in one query."""
    out: dict[int, list[User]] = defaultdict(list)
    for u in active_reviewers().filter(authority__in=authority_ids).order_by("pk"):
        if u.authority_id is not None:
            out[u.authority_id].append(u)
    return out


def _status_label(status: str | None) -> str:
    return S(status).label if status else "未开始填报"


def _base_groups(campaign: Campaign, bases: Sequence[Base], *, note: str, now: dt.datetime) -> list[_Group]:
    fillers = _fillers_of([b.pk for b in bases])
    deadline = countdown(campaign.base_deadline, now)
    groups = []
    for b in bases:
        status = _status_label(b.submission_status)  # type: ignore[attr-defined]  # annotated by _bases_behind
        subject = (
            f"催报：{campaign.title}材料尚未提交"
            if deadline.passed
            else f"催报：请于{deadline.day_label}前提交{campaign.title}材料"
        )
        body = render_to_string(
            "review/email/reminder_base.txt",
            {"campaign": campaign, "base": b, "status": status, "deadline": deadline, "note": note},
        ).strip()
        link = (
            reverse("review:submit", args=[b.submission_pk])  # type: ignore[attr-defined]  # annotated by _bases_behind
            if b.submission_pk  # type: ignore[attr-defined]  # annotated by _bases_behind
            else reverse("submissions:mine")
        )
        groups.append(
            _Group(
                label=b.name,
                users=fillers.get(b.pk, []),
                subject=subject,
                body=body,
                link=link,
                base=b,
                note=note,
            )
        )
    return groups


def _authority_groups(
    campaign: Campaign, authorities: Sequence[Authority], *, note: str, now: dt.datetime
) -> list[_Group]:
    """Reviewers of authorities with bases behind, a backlog, or the provincial summary not submitted."""
    ids = [a.pk for a in authorities]
    behind: dict[int, list[Base]] = defaultdict(list)
    for b in _bases_behind(campaign):
        if b.authority_id in ids:
            behind[b.authority_id].append(b)
    backlog = {
        row["base__authority_id"]: row
        for row in Submission.objects.filter(
            campaign=campaign, status=S.SUBMITTED, base__authority_id__in=ids, base__campaigns=campaign
        )
        .values("base__authority_id")
        .annotate(n=Count("id"), oldest=Min("status_changed_at"))
        .order_by()
    }
    submitted = set(
        ProvincialSummary.objects.filter(
            campaign=campaign, authority_id__in=ids, status=ProvincialSummary.Status.SUBMITTED
        ).values_list("authority_id", flat=True)
    )
    participating = set(
        Base.objects.filter(campaigns=campaign, authority_id__in=ids).values_list("authority_id", flat=True)
    )
    reviewers = _reviewers_of(ids)
    base_deadline = countdown(campaign.base_deadline, now)
    authority_deadline = countdown(campaign.authority_deadline, now)
    groups = []
    for a in authorities:
        if a.pk not in participating:
            continue
        waiting = backlog.get(a.pk)
        summary_missing = a.pk not in submitted
        if not behind.get(a.pk) and not waiting and not summary_missing:
            continue
        oldest = waiting["oldest"] if waiting else None
        body = render_to_string(
            "review/email/reminder_authority.txt",
            {
                "campaign": campaign,
                "authority": a,
                "behind": [(b, _status_label(b.submission_status)) for b in behind.get(a.pk, [])],  # type: ignore[attr-defined]  # annotated by _bases_behind
                "backlog": waiting["n"] if waiting else 0,
                "waiting_days": max((now - oldest).days, 0) if oldest else None,
                "summary_missing": summary_missing,
                "base_deadline": base_deadline,
                "authority_deadline": authority_deadline,
                "note": note,
            },
        ).strip()
        groups.append(
            _Group(
                label=a.name,
                users=reviewers.get(a.pk, []),
                subject=f"催报：{campaign.title}本地区报送进度",
                body=body,
                link=reverse("review:authority_list"),
                authority=a,
                note=note,
            )
        )
    return groups


@dataclass
class Audience:
    """Who a 催报 would be written to, before it is sent: people and units by scope ("all" or an
    authority's pk as a string), for each kind of target, the interval rule already applied."""

    # scope → (people, units, people without an e-mail address, who get the in-system message only)
    bases: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    authorities: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, dict[str, list[int]]]:
        return {
            "bases": {k: list(v) for k, v in self.bases.items()},
            "authorities": {k: list(v) for k, v in self.authorities.items()},
        }


def reminder_audience(*, campaign: Campaign, now: dt.datetime | None = None) -> Audience:
    """How many people a 催报 of each scope would reach now (a fixed number of queries).

    The same selection as reminder_send: bases that have not submitted and their active fillers;
    authorities with bases behind, a backlog or the provincial summary not submitted, and their
    reviewers; anyone reminded within the interval is not counted (they would be skipped)."""
    now = now or timezone.now()
    recent = set(
        Reminder.objects.filter(sent_at__gt=now - min_interval()).values_list("recipient_id", flat=True)
    )
    audience = Audience()
    behind = _bases_behind(campaign)
    fillers = _fillers_of([b.pk for b in behind])
    people: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    no_mail: dict[str, int] = defaultdict(int)
    for b in behind:
        due = [u for u in fillers.get(b.pk, []) if u.pk not in recent]
        for scope in ("all", str(b.authority_id)):
            people[scope] += len(due)
            units[scope] += 1 if due else 0
            no_mail[scope] += sum(1 for u in due if not u.email)
    audience.bases = {k: (people[k], units[k], no_mail[k]) for k in units}
    due_authorities = _authorities_due(campaign, list(Authority.objects.values_list("pk", flat=True)), behind)
    reviewers = _reviewers_of(sorted(due_authorities))
    total = [0, 0, 0]
    for pk in due_authorities:
        due = [u for u in reviewers.get(pk, []) if u.pk not in recent]
        row = (len(due), 1 if due else 0, sum(1 for u in due if not u.email))
        audience.authorities[str(pk)] = row
        total = [a + b for a, b in zip(total, row, strict=True)]
    audience.authorities["all"] = (total[0], total[1], total[2])
    return audience


def _authorities_due(campaign: Campaign, ids: Sequence[int], behind: Sequence[Base]) -> set[int]:
    """Participating authorities among ids with bases behind, a backlog or no submitted summary."""
    with_behind = {b.authority_id for b in behind}
    backlog = set(
        Submission.objects.filter(
            campaign=campaign, status=S.SUBMITTED, base__authority_id__in=ids, base__campaigns=campaign
        ).values_list("base__authority_id", flat=True)
    )
    submitted = set(
        ProvincialSummary.objects.filter(
            campaign=campaign, authority_id__in=ids, status=ProvincialSummary.Status.SUBMITTED
        ).values_list("authority_id", flat=True)
    )
    participating = set(
        Base.objects.filter(campaigns=campaign, authority_id__in=ids).values_list("authority_id", flat=True)
    )
    return {pk for pk in participating if pk in with_behind or pk in backlog or pk not in submitted}


def _deliver(
    *, campaign: Campaign, sender: User | None, kind: str, groups: Sequence[_Group], now: dt.datetime
) -> ReminderResult:
    """Send each group's message to those of its people not reminded within the interval."""
    result = ReminderResult()
    ids = sorted({u.pk for g in groups for u in g.users})
    # Lock the recipients so two people pressing 催报 at once cannot both pass the interval check.
    list(User.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    recent = set(
        Reminder.objects.filter(recipient_id__in=ids, sent_at__gt=now - min_interval()).values_list(
            "recipient_id", flat=True
        )
    )
    for g in groups:
        if not g.users:
            result.unreachable.append(g.label)
            continue
        due = [u for u in g.users if u.pk not in recent]
        result.skipped += len(g.users) - len(due)
        if not due:
            continue
        recent.update(u.pk for u in due)
        notify_users(users=due, subject=g.subject, body=g.body, link=g.link)
        Reminder.objects.bulk_create(
            Reminder(
                campaign=campaign, recipient=u, base=g.base, authority=g.authority, kind=kind, sent_by=sender,
                sent_at=now, note=g.note,
            )
            for u in due
        )  # fmt: skip
        result.sent += len(due)
        result.reached.append(g.label)
        event_record(
            actor=sender,
            action=f"reminder.{kind}",
            summary=f"{Reminder.Kind(kind).label}：{g.label}（{len(due)} 人）",
            target=g.base or g.authority,
            base=g.base,
            authority=g.authority or (g.base.authority if g.base else None),
            data={"campaign": campaign.year, "recipients": [u.pk for u in due], "note": g.note},
        )
    return result


def _check_open(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(f"{campaign.title}不在填报中，不能催报。")


@transaction.atomic
def reminder_send(
    *,
    campaign: Campaign,
    sender: User,
    targets: Targets,
    authority: Authority | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> ReminderResult:
    """催报 by hand. The ministry reminds bases or authorities, nationally or of one authority; a
    reviewer reminds only its own authority's bases."""
    if targets not in ("bases", "authorities"):
        raise ValidationError("请选择催报对象。")
    if authz.allows(Ask.REVIEWS_OWN_AUTHORITY, sender):
        if targets != "bases":
            raise PermissionDenied("省级审核员只能催报本地区的示范基地。")
        if authority is None and sender.authority_id:
            authority = Authority.objects.filter(pk=sender.authority_id).first()
    if not authz.allows(Ask.REMIND, sender, authority):
        raise PermissionDenied("您无权对该范围进行催报。")
    _check_open(campaign)
    now = now or timezone.now()
    note = note.strip()[:500]
    if targets == "bases":
        groups = _base_groups(campaign, _bases_behind(campaign, authority), note=note, now=now)
    else:
        scope = (
            [authority] if authority is not None else list(Authority.objects.order_by("sort_order", "code"))
        )
        groups = _authority_groups(campaign, scope, note=note, now=now)
    return _deliver(campaign=campaign, sender=sender, kind=Reminder.Kind.MANUAL, groups=groups, now=now)


# --- the automatic run -----------------------------------------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def days_before() -> list[int]:
    return sorted({int(d) for d in settings.REMINDER_DAYS_BEFORE if int(d) >= 0}, reverse=True)


def escalate_days() -> int:
    """Days before the base deadline (negative: after) from which silent bases that were already
    reminded are reported to their authority: by default the last reminder day."""
    default = min(days_before(), default=0)
    return int(getattr(settings, "REMINDER_ESCALATE_DAYS", default))


@dataclass
class AutoResult:
    milestone: int | None  # the reminder day this run belongs to (7, 3, 1 …), None outside them
    reminders: ReminderResult
    escalations: ReminderResult


@transaction.atomic
def reminders_auto(*, campaign: Campaign, now: dt.datetime | None = None) -> AutoResult:
    """The daily run: remind bases behind on each reminder day before the base deadline, then tell
    authorities about bases still silent after an earlier reminder. Safe to run any number of times:
    a base gets one automatic reminder per reminder day, an authority one escalation per campaign,
    and the interval rule applies on top."""
    _check_open(campaign)
    now = now or timezone.now()
    deadline = campaign.base_deadline.astimezone(SHANGHAI)
    left = countdown(campaign.base_deadline, now)
    reminders, escalations = ReminderResult(), ReminderResult()
    milestone = None
    if left.days_left is not None:  # None once the deadline has passed
        # The nearest reminder day already reached, so a run missed on that very day still sends.
        days_left = left.days_left
        milestone = min((d for d in days_before() if d >= days_left), default=None)
    if milestone is not None:
        since = _local_midnight(deadline.date() - dt.timedelta(days=milestone))
        behind = _bases_behind(campaign)
        done = set(
            Reminder.objects.filter(
                campaign=campaign,
                kind=Reminder.Kind.AUTO,
                base__in=[b.pk for b in behind],
                sent_at__gte=since,
            ).values_list("base_id", flat=True)
        )
        groups = _base_groups(campaign, [b for b in behind if b.pk not in done], note="", now=now)
        reminders = _deliver(campaign=campaign, sender=None, kind=Reminder.Kind.AUTO, groups=groups, now=now)

    point = _local_midnight(deadline.date() - dt.timedelta(days=escalate_days()))
    if now >= point:
        escalations = _escalate(campaign=campaign, since=point, now=now)
    return AutoResult(milestone=milestone, reminders=reminders, escalations=escalations)


def _escalate(*, campaign: Campaign, since: dt.datetime, now: dt.datetime) -> ReminderResult:
    behind = _bases_behind(campaign)
    reminded = set(
        Reminder.objects.filter(
            campaign=campaign,
            base__in=[b.pk for b in behind],
            kind__in=[Reminder.Kind.MANUAL, Reminder.Kind.AUTO],
            sent_at__lt=since,
        ).values_list("base_id", flat=True)
    )
    silent: dict[int, list[Base]] = defaultdict(list)
    for b in behind:
        if b.pk in reminded:
            silent[b.authority_id].append(b)
    already = set(
        Reminder.objects.filter(
            campaign=campaign, kind=Reminder.Kind.ESCALATION, authority_id__in=silent.keys()
        ).values_list("authority_id", flat=True)
    )
    todo = {a: bases for a, bases in silent.items() if a not in already}
    reviewers = _reviewers_of(list(todo))
    deadline = countdown(campaign.base_deadline, now)
    groups = []
    for bases in todo.values():
        authority = bases[0].authority
        names = "、".join(b.name for b in bases)
        body = render_to_string(
            "review/email/reminder_escalation.txt",
            {
                "campaign": campaign,
                "authority": authority,
                "bases": [(b, _status_label(b.submission_status)) for b in bases],  # type: ignore[attr-defined]  # annotated by _bases_behind
                "deadline": deadline,
            },
        ).strip()
        groups.append(
            _Group(
                label=authority.name,
                users=reviewers.get(authority.pk, []),
                subject=f"提醒：本地区 {len(bases)} 个示范基地经催报仍未提交{campaign.title}材料",
                body=body,
                link=reverse("review:authority_reminders"),
                authority=authority,
                note=f"未提交：{names}"[:1000],
            )
        )
    return _deliver(campaign=campaign, sender=None, kind=Reminder.Kind.ESCALATION, groups=groups, now=now)


def reminders_auto_open(year: int | None = None) -> list[tuple[Campaign, AutoResult]]:
    """The automatic run over every open campaign (or the open one of `year`): what the daily task
    and `manage.py send_reminders` both do."""
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("year")
    if year:
        campaigns = campaigns.filter(year=year)
    return [(campaign, reminders_auto(campaign=campaign)) for campaign in campaigns]
