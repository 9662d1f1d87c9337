"""Development reports, provincial summaries and excellent cases: rules and state changes.

The rules (limits, completeness, quota) are pure functions so a page, an import and an API apply
the same ones. State changes lock the row they change (`select_for_update`), compare the revision the
writer started from, and record an audit event.

Quota rounding: the notice says the cases “不超过本省示范基地总数的25%”. “不超过” is a ceiling, so
the share is rounded down (9 bases × 25% = 2.25 → 2): rounding up would let a province exceed 25%.
“有五星示范基地的可多推荐1家” then adds the bonus once, however many five-star bases there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from lib import authz
from lib.authz import Ask
from lib.deadlines import day_label
from lib.text import char_count
from registry.campaigns import authority_window_open
from registry.models import Authority, Base, Campaign, StarRating
from reports.models import (
    OTHER_PREFIX,
    CaseAspect,
    CaseQuotaSetting,
    CaseQuotaSplit,
    CaseRecommendation,
    DevelopmentReport,
    DevelopmentReportVersion,
    ProvincialSummary,
)
from submissions.models import Submission

# --- limits ------------------------------------------------------------------------------------
# The notice gives target lengths (“300字左右”, “200字左右”): guidance, shown as a count and a
# warning, never a reason to refuse a save or a submission. “3-5个方面” is the notice's and checked
# at submission, not while writing. The only hard limit is ours (系统提示): TEXT_MAX stops a pasted
# document, far beyond anything the notice asks. 字 are counted by lib.text.char_count
# (whitespace is not a 字).

OVERVIEW_TARGET = 300
CONTENT_TARGET = 200
GUIDANCE_TOLERANCE = 0.5  # ours: beyond ±50% of “约N字” the count turns into a warning
LEAD_MAX = 60  # cases only: the title and lead lines of 附件3 (ours, 系统提示)
TEXT_MAX = 5000  # ours: a sanity limit per text, 系统提示
ITEMS_MIN = 3
ITEMS_MAX = 5
# Kept for the pages' counters, which show the sanity limit.
OVERVIEW_MAX = CONTENT_MAX = PROBLEMS_MAX = TEXT_MAX

SUMMARY_TEXT_MAX = 5000

CASE_TITLE_MAX = 60
CASE_BACKGROUND_MAX = 1500
CASE_PRACTICE_CONTENT_MAX = 800
CASE_RESULTS_MAX = 1500
CASE_ASPECTS_MIN = 1
CASE_ASPECTS_MAX = 2
CASE_OTHER_ASPECT_MAX = 20  # ours: a name for the aspect, not a text

# A field comment on the report names one of its parts: FieldComment(form=REPORT_FORM, code=part).
REPORT_FORM = "report"
REPORT_SECTIONS = {
    "overview": "一、示范基地发展概述",
    "highlights": "二、发展亮点和成效",
    "practices": "三、示范性做法和经验",
    "problems": "四、存在的问题及建议",
}
ITEM_NOUNS = {"highlights": "成效", "practices": "经验", "case_practices": "做法"}


def clean_text(text: Any) -> str:
    """Trimmed, with browsers' CRLF line breaks stored as LF so equal text compares equal."""
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_items(items: Any) -> list[dict[str, str]]:
    """Normalise posted or stored items to [{"lead", "content"}], dropping entirely empty ones."""
    cleaned: list[dict[str, str]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        lead = clean_text(item.get("lead"))
        content = clean_text(item.get("content"))
        if lead or content:
            cleaned.append({"lead": lead, "content": content})
    return cleaned


def _item_limit_errors(
    items: Sequence[dict[str, str]], *, key: str, noun: str, content_max: int
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        lead_len = char_count(item.get("lead"))
        content_len = char_count(item.get("content"))
        if lead_len > LEAD_MAX:
            errors[f"{key}.{index}.lead"] = (
                f"{noun}{index + 1}的领句应为概括性的一句话，不超过{LEAD_MAX}字（已输入{lead_len}字）。"
            )
        if content_len > content_max:
            errors[f"{key}.{index}.content"] = (
                f"{noun}{index + 1}的具体内容不能超过{content_max}字（已输入{content_len}字）。"
            )
    return errors


def report_limit_errors(
    *, overview: str, highlights: Sequence[dict[str, str]], practices: Sequence[dict[str, str]], problems: str
) -> dict[str, str]:
    """The only limits a draft may not exceed, keyed by field ("highlights.0.content"): ours (系统提示),
    a sanity limit per text that no report written to the notice reaches."""
    errors: dict[str, str] = {}
    texts = [("overview", "发展概述", overview), ("problems", "存在的问题及建议", problems)]
    for key, items in (("highlights", highlights), ("practices", practices)):
        for index, item in enumerate(items):
            noun = f"{ITEM_NOUNS[key]}{index + 1}"
            texts.append((f"{key}.{index}.lead", f"{noun}的领句", item.get("lead", "")))
            texts.append((f"{key}.{index}.content", f"{noun}的具体内容", item.get("content", "")))
    for key, label, text in texts:
        if (n := char_count(text)) > TEXT_MAX:
            errors[key] = f"系统提示：{label}超过{TEXT_MAX}字（已输入{n}字），请删减后保存。"
    return errors


@dataclass(frozen=True)
class Guidance:
    """A count outside what the notice asks (“300字左右”, “3-5个方面”): shown, never blocking."""

    key: str
    message: str
    source: str = "notice"

    @property
    def source_label(self) -> str:
        return "填报要求" if self.source == "notice" else "系统提示"


def _about(n: int, target: int) -> bool:
    return not n or abs(n - target) <= target * GUIDANCE_TOLERANCE


def report_guidance(
    *, overview: str, highlights: Sequence[dict[str, str]], practices: Sequence[dict[str, str]]
) -> list[Guidance]:
    """What a writer should know while writing: lengths far from the notice's “约N字”, and a number
    of aspects outside 3-5 (which only blocks at submission)."""
    found: list[Guidance] = []
    if not _about(n := char_count(overview), OVERVIEW_TARGET):
        found.append(
            Guidance("overview", f"一、示范基地发展概述：通知要求{OVERVIEW_TARGET}字左右，现为{n}字。")
        )
    for key, items in (("highlights", highlights), ("practices", practices)):
        section, noun = REPORT_SECTIONS[key], ITEM_NOUNS[key]
        if items and not ITEMS_MIN <= len(items) <= ITEMS_MAX:
            found.append(
                Guidance(
                    key,
                    f"{section}：通知要求总结{ITEMS_MIN}-{ITEMS_MAX}个方面，现有{len(items)}个，提交前请调整。",
                )
            )
        for index, item in enumerate(items):
            if not _about(n := char_count(item.get("content")), CONTENT_TARGET):
                found.append(
                    Guidance(
                        f"{key}.{index}.content",
                        f"{section} · {noun}{index + 1}：通知要求每个方面{CONTENT_TARGET}字左右，现为{n}字。",
                    )
                )
    return found


def report_problems(report: DevelopmentReport | None) -> list[str]:
    """What keeps a report from being complete, in the order of its sections; empty when complete."""
    if report is None:
        return ["尚未填写发展情况报告。"]
    problems: list[str] = []
    if not char_count(report.overview):
        problems.append("未填写“一、示范基地发展概述”。")
    for key in ("highlights", "practices"):
        items = report.highlights if key == "highlights" else report.practices
        items = items if isinstance(items, list) else []
        section = REPORT_SECTIONS[key]
        noun = ITEM_NOUNS[key]
        filled = clean_items(items)
        if len(filled) < ITEMS_MIN:
            problems.append(f"“{section}”需总结{ITEMS_MIN}-{ITEMS_MAX}个方面，目前只有{len(filled)}个。")
        elif len(filled) > ITEMS_MAX:
            problems.append(f"“{section}”最多总结{ITEMS_MAX}个方面，目前有{len(filled)}个。")
        for index, item in enumerate(filled, start=1):
            if not item["lead"]:
                problems.append(f"“{section}”{noun}{index}缺少领句。")
            if not item["content"]:
                problems.append(f"“{section}”{noun}{index}缺少具体内容。")
    if not char_count(report.problems):
        problems.append("未填写“四、存在的问题及建议”。")
    limits = report_limit_errors(
        overview=report.overview,
        highlights=clean_items(report.highlights),
        practices=clean_items(report.practices),
        problems=report.problems,
    )
    problems.extend(limits.values())
    return problems


# --- development report --------------------------------------------------------------------------


def _write_revision(obj: Any, values: dict[str, Any], user: User) -> None:
    """Store new texts as the next revision of a report, summary or case (the caller holds the lock)."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj.revision += 1
    obj.updated_at = timezone.now()
    obj.updated_by = user
    obj.save(update_fields=[*values, "revision", "updated_at", "updated_by"])


class StaleRevisionError(ValidationError):
    """Someone saved the object after the writer loaded it; `current` is what is stored now."""

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.current = current


def _stale_message(*, what: str, current: Any) -> str:
    who = current.updated_by.display_name if current.updated_by else "其他用户"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"保存失败：{what}已于{when}被{who}修改（当前为第{current.revision}版）。"
        "您输入的内容仍保留在页面上，请对照对方保存的内容核对后再保存。"
    )


@transaction.atomic
def report_save(
    *,
    submission: Submission,
    user: User,
    revision: int,
    overview: str,
    highlights: Sequence[dict[str, str]],
    practices: Sequence[dict[str, str]],
    problems: str,
) -> DevelopmentReport:
    """Save the base's report as a draft. Incomplete is fine; over a hard limit is not.

    `revision` is the revision the writer loaded (0 before the first save). Raises
    StaleRevisionError when it is no longer current, ValidationError (keyed by field) otherwise.
    """
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority")
        .get(pk=submission.pk)
    )
    if not authz.allows(Ask.FILL, user, locked):
        if locked.is_editable:
            raise PermissionDenied("只有本示范基地的填报员可以编写发展情况报告。")
        raise ValidationError(f"材料当前状态为“{locked.get_status_display()}”，不能修改发展情况报告。")
    overview = clean_text(overview)
    problems = clean_text(problems)
    highlights = clean_items(list(highlights))
    practices = clean_items(list(practices))
    errors = report_limit_errors(
        overview=overview, highlights=highlights, practices=practices, problems=problems
    )
    if errors:
        raise ValidationError(errors)

    report, _ = DevelopmentReport.objects.select_for_update().get_or_create(submission=locked)
    if report.revision != revision:
        raise StaleRevisionError(_stale_message(what="该发展情况报告", current=report), current=report)

    new_values = {
        "overview": overview,
        "highlights": highlights,
        "practices": practices,
        "problems": problems,
    }
    changed = [name for name, value in new_values.items() if getattr(report, name) != value]
    if not changed and report.revision:
        return report
    _write_revision(report, new_values, user)
    DevelopmentReportVersion.objects.create(
        report=report, revision=report.revision, saved_at=report.updated_at, saved_by=user, **new_values
    )
    event_record(
        actor=user,
        action="report.save",
        summary=f"保存发展情况报告（第{report.revision}版）：{locked.base.name}",
        target=report,
        base=locked.base,
        authority=locked.base.authority,
        data={"submission": locked.pk, "revision": report.revision, "changed": changed},
    )
    return report


# --- provincial summary ------------------------------------------------------------------------

SUMMARY_FIELDS = {
    "progress": "主要工作进展及成效",
    "difficulties": "存在的困难和问题",
    "next_steps": "下一步工作思路及建议",
}


def authority_deadline_open(campaign: Campaign, authority: Authority, now: dt.datetime) -> bool:
    """May `authority` still deliver its summary and cases for `campaign` at `now`?

    The deadline's whole day counts as open (23:59:59.5 on 8月31日 is in time, lib.deadlines); after
    it, a reopening window the ministry granted to the authority keeps it open.
    """
    return authority_window_open(campaign=campaign, authority=authority, now=now)


def summary_limit_errors(*, texts: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, label in SUMMARY_FIELDS.items():
        if (n := char_count(texts.get(name))) > SUMMARY_TEXT_MAX:
            errors[name] = f"“{label}”不能超过{SUMMARY_TEXT_MAX}字（已输入{n}字）。"
    return errors


def summary_problems(summary: ProvincialSummary | None) -> list[str]:
    """What keeps a provincial summary from being delivered; empty when complete."""
    if summary is None:
        return [f"未填写“{label}”。" for label in SUMMARY_FIELDS.values()]
    problems = [
        f"未填写“{label}”。"
        for name, label in SUMMARY_FIELDS.items()
        if not char_count(getattr(summary, name))
    ]
    problems.extend(summary_limit_errors(texts={n: getattr(summary, n) for n in SUMMARY_FIELDS}).values())
    return problems


def _locked_summary(*, campaign: Campaign, authority: Authority) -> ProvincialSummary:
    """The authority's summary row, created if needed and locked: it also serialises case changes."""
    summary, _ = ProvincialSummary.objects.get_or_create(campaign=campaign, authority=authority)
    return (
        ProvincialSummary.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=summary.pk)
    )


def _check_authority_writer(*, user: User, campaign: Campaign, authority: Authority) -> None:
    if not authz.allows(Ask.WRITE_AUTHORITY_MATERIAL, user, authority):
        raise PermissionDenied("只有本省级主管部门的审核员可以编写工作总结和推荐优秀案例。")
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(f"“{campaign.title}”当前状态为{campaign.get_status_display()}，不能填报。")


@transaction.atomic
def summary_save(
    *, campaign: Campaign, authority: Authority, user: User, revision: int, texts: dict[str, str]
) -> ProvincialSummary:
    """Save the provincial summary as a draft; refused once delivered or when someone saved since."""
    _check_authority_writer(user=user, campaign=campaign, authority=authority)
    summary = _locked_summary(campaign=campaign, authority=authority)
    if summary.is_submitted:
        raise ValidationError("本省材料已报送，不能再修改工作总结。")
    new_values = {name: clean_text(texts.get(name)) for name in SUMMARY_FIELDS}
    errors = summary_limit_errors(texts=new_values)
    if errors:
        raise ValidationError(errors)
    if summary.revision != revision:
        raise StaleRevisionError(_stale_message(what="本省工作总结", current=summary), current=summary)
    changed = [name for name, value in new_values.items() if getattr(summary, name) != value]
    if not changed and summary.revision:
        return summary
    old_values = {name: getattr(summary, name) for name in changed}
    _write_revision(summary, new_values, user)
    event_record(
        actor=user,
        action="provincial_summary.save",
        summary=f"保存省级工作总结（第{summary.revision}版）：{authority.name}",
        target=summary,
        authority=authority,
        data={
            "campaign": campaign.pk,
            "revision": summary.revision,
            "changed": changed,
            "old": old_values,
            "new": {name: new_values[name] for name in changed},
        },
    )
    return summary


@transaction.atomic
def summary_submit(
    *, campaign: Campaign, authority: Authority, user: User, now: dt.datetime | None = None
) -> ProvincialSummary:
    """Deliver the authority's summary and cases to the ministry; after that both are frozen."""
    now = now or timezone.now()
    _check_authority_writer(user=user, campaign=campaign, authority=authority)
    summary = _locked_summary(campaign=campaign, authority=authority)
    if summary.is_submitted:
        raise ValidationError("本省材料已报送，无需重复报送。")
    if not authority_deadline_open(campaign, authority, now):
        raise ValidationError(
            f"已超过省级材料报送截止时间（{day_label(campaign.authority_deadline)}），不能报送。"
            "如确需报送，请联系工业和信息化部规划司申请延期。"
        )
    problems = summary_problems(summary)
    if problems:
        raise ValidationError(["工作总结尚未完成，不能报送：", *problems])
    summary.status = ProvincialSummary.Status.SUBMITTED
    summary.submitted_at = now
    summary.submitted_by = user
    summary.save(update_fields=["status", "submitted_at", "submitted_by"])
    case_count = CaseRecommendation.objects.filter(campaign=campaign, authority=authority).count()
    event_record(
        actor=user,
        action="provincial_summary.submit",
        summary=f"报送省级工作总结及优秀案例（{case_count}个）：{authority.name}",
        target=summary,
        authority=authority,
        data={"campaign": campaign.pk, "revision": summary.revision, "cases": case_count},
    )
    return summary


# --- excellent cases ---------------------------------------------------------------------------


def case_quota(*, base_count: int, has_five_star: bool, percent: int = 25, bonus: int = 1) -> int:
    """At most `percent`% of the authority's participating bases, rounded down, plus `bonus` when
    one of them is a five-star base. Without bases there is no five-star base and no case."""
    if base_count <= 0:
        return 0
    return base_count * percent // 100 + (bonus if has_five_star else 0)


@dataclass(frozen=True)
class QuotaShare:
    """One reporting authority of a province: what it has recommended and the split it was given."""

    authority_id: int
    name: str
    used: int
    split: int | None = None


@dataclass(frozen=True)
class CaseQuota:
    """A province's quota in one campaign, seen by one of its authorities (`authority_id`).

    The notice counts 本省示范基地: the province's bases under its 工业和信息化主管部门 and its
    通信管理局 alike, with +1 when any of them is five-star. The province's authorities share the
    quota unless the ministry split it; `used` is the province's total.
    """

    base_count: int
    percent: int
    bonus: int
    five_star_year: int | None
    five_star_bases: tuple[str, ...]
    used: int
    authority_id: int | None = None
    shares: tuple[QuotaShare, ...] = ()
    quota: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "quota",
            case_quota(
                base_count=self.base_count,
                has_five_star=self.has_five_star,
                percent=self.percent,
                bonus=self.bonus,
            ),
        )

    @property
    def has_five_star(self) -> bool:
        return bool(self.five_star_bases)

    @property
    def own(self) -> QuotaShare | None:
        return next((s for s in self.shares if s.authority_id == self.authority_id), None)

    @property
    def own_used(self) -> int:
        own = self.own
        return own.used if own is not None else self.used

    @property
    def shared(self) -> bool:
        """More than one authority draws on this quota."""
        return len(self.shares) > 1

    @property
    def has_split(self) -> bool:
        return any(s.split is not None for s in self.shares)

    @property
    def own_limit(self) -> int:
        """The most this authority may recommend: its split, or what the splits leave to the others."""
        own = self.own
        if own is not None and own.split is not None:
            return min(own.split, self.quota)
        reserved = sum(
            s.split for s in self.shares if s.split is not None and s.authority_id != self.authority_id
        )
        return max(self.quota - reserved, 0)

    @property
    def remaining(self) -> int:
        """What this authority may still add, within both its own limit and the province's quota."""
        if self.own is None:
            return max(self.quota - self.used, 0)
        own = self.own
        if own.split is not None:
            mine = own.split - own.used
        else:
            pool_used = sum(s.used for s in self.shares if s.split is None)
            mine = self.own_limit - pool_used
        return max(min(mine, self.quota - self.used), 0)

    @property
    def province_remaining(self) -> int:
        return max(self.quota - self.used, 0)

    @property
    def excess(self) -> int:
        return max(self.used - self.quota, 0)

    @property
    def share_label(self) -> str:
        """Like “9 家 × 25% = 2.25，向下取整为 2”."""
        exact = self.base_count * self.percent / 100
        floored = self.base_count * self.percent // 100
        exact_label = f"{exact:g}"
        text = f"本省参评示范基地 {self.base_count} 家 × {self.percent}% = {exact_label}"
        if exact != floored:
            text += f"，向下取整为 {floored}"
        return text

    @property
    def explanation(self) -> str:
        if self.has_five_star and self.base_count:
            bonus = f"，有五星示范基地 +{self.bonus}"
        else:
            bonus = "，无五星示范基地"
        return f"{self.share_label}{bonus}"


def quota_setting(campaign: Campaign) -> CaseQuotaSetting:
    setting, _ = CaseQuotaSetting.objects.get_or_create(campaign=campaign)
    return setting


def province_authorities(authority: Authority) -> QuerySet[Authority]:
    """The authorities that share `authority`'s province quota, itself included."""
    code = authority.province_code
    same = Authority.objects.filter(pk=authority.pk)
    if authority.kind in (Authority.Kind.PROVINCE, Authority.Kind.COMM) and code.endswith("0000"):
        same = Authority.objects.filter(
            kind__in=[Authority.Kind.PROVINCE, Authority.Kind.COMM], region_code__startswith=code[:2]
        ).filter(region_code__endswith="0000")
    return same.order_by("sort_order", "code")


def case_quota_for(*, campaign: Campaign, authority: Authority) -> CaseQuota:
    """The quota of `authority`'s province as `authority` sees it (six queries, whatever the number
    of bases or authorities)."""
    setting = quota_setting(campaign)
    authorities = list(province_authorities(authority))
    participants = campaign.bases.filter(authority__in=authorities)
    base_count = participants.count()
    # The latest ratings published before this campaign, e.g. 2021's for the 2022 campaign.
    five_star_year = StarRating.objects.filter(year__lt=campaign.year).aggregate(y=Max("year"))["y"]
    five_star_bases: tuple[str, ...] = ()
    if five_star_year is not None:
        five_star_bases = tuple(
            StarRating.objects.filter(year=five_star_year, stars=5, base__in=participants)
            .order_by("base__name")
            .values_list("base__name", flat=True)
        )
    used_by = dict(
        CaseRecommendation.objects.filter(campaign=campaign, authority__in=authorities)
        .values_list("authority_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    splits = dict(
        CaseQuotaSplit.objects.filter(campaign=campaign, authority__in=authorities).values_list(
            "authority_id", "quota"
        )
    )
    shares = tuple(
        QuotaShare(authority_id=a.pk, name=a.name, used=used_by.get(a.pk, 0), split=splits.get(a.pk))
        for a in authorities
    )
    return CaseQuota(
        base_count=base_count,
        percent=setting.percent,
        bonus=setting.five_star_bonus,
        five_star_year=five_star_year,
        five_star_bases=five_star_bases,
        used=sum(used_by.values()),
        authority_id=authority.pk,
        shares=shares,
    )


def province_quotas(*, campaign: Campaign) -> dict[int, CaseQuota]:
    """Every participating authority's province quota, keyed by authority id, in a fixed number of
    queries: for national lists (summaries, progress)."""
    setting = quota_setting(campaign)
    authorities = list(Authority.objects.all())
    by_province: dict[str, list[Authority]] = {}
    for a in authorities:
        by_province.setdefault(a.province_code, []).append(a)
    bases = dict(campaign.bases.values_list("authority_id").annotate(n=Count("id")).order_by())
    used_by = dict(
        CaseRecommendation.objects.filter(campaign=campaign)
        .values_list("authority_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    splits = dict(CaseQuotaSplit.objects.filter(campaign=campaign).values_list("authority_id", "quota"))
    five_star_year = StarRating.objects.filter(year__lt=campaign.year).aggregate(y=Max("year"))["y"]
    five_star_by_authority: dict[int, list[str]] = {}
    if five_star_year is not None:
        for authority_id, name in StarRating.objects.filter(
            year=five_star_year, stars=5, base__in=campaign.bases.all()
        ).values_list("base__authority_id", "base__name"):
            five_star_by_authority.setdefault(authority_id, []).append(name)
    result: dict[int, CaseQuota] = {}
    for members in by_province.values():
        members.sort(key=lambda a: (a.sort_order, a.code))
        count = sum(bases.get(a.pk, 0) for a in members)
        if not count:
            continue
        shares = tuple(
            QuotaShare(authority_id=a.pk, name=a.name, used=used_by.get(a.pk, 0), split=splits.get(a.pk))
            for a in members
        )
        stars = tuple(sorted(n for a in members for n in five_star_by_authority.get(a.pk, ())))
        for a in members:
            result[a.pk] = CaseQuota(
                base_count=count,
                percent=setting.percent,
                bonus=setting.five_star_bonus,
                five_star_year=five_star_year,
                five_star_bases=stars,
                used=sum(s.used for s in shares),
                authority_id=a.pk,
                shares=shares,
            )
    return result


def five_star_authorities(*, campaign: Campaign) -> set[int]:
    """Authorities with a participating five-star base in the latest ratings before the campaign
    (the base's own authority; the province quota counts it for every authority of the province)."""
    year = StarRating.objects.filter(year__lt=campaign.year).aggregate(y=Max("year"))["y"]
    if year is None:
        return set()
    return set(
        StarRating.objects.filter(year=year, stars=5, base__in=campaign.bases.all()).values_list(
            "base__authority_id", flat=True
        )
    )


def case_errors(
    *, title: str, background: str, practices: Sequence[dict[str, str]], results: str, aspects: Sequence[str]
) -> dict[str, str]:
    """Everything wrong with a case, keyed by field; a case is saved only when complete."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写标题（聚焦重点方向概括案例示范内容）。"
    elif (n := char_count(title)) > CASE_TITLE_MAX:
        errors["title"] = f"标题不能超过{CASE_TITLE_MAX}字（已输入{n}字）。"
    if not background.strip():
        errors["background"] = "请填写开展有关工作的背景或亟待解决的突出问题。"
    elif (n := char_count(background)) > CASE_BACKGROUND_MAX:
        errors["background"] = f"背景不能超过{CASE_BACKGROUND_MAX}字（已输入{n}字）。"
    if not ITEMS_MIN <= len(practices) <= ITEMS_MAX:
        errors["practices"] = f"请从{ITEMS_MIN}-{ITEMS_MAX}个方面介绍做法和举措（现有{len(practices)}个）。"
    for index, item in enumerate(practices):
        if not item.get("lead"):
            errors[f"practices.{index}.lead"] = f"做法{index + 1}缺少领句。"
        if not item.get("content"):
            errors[f"practices.{index}.content"] = f"做法{index + 1}缺少具体内容。"
    for key, message in _item_limit_errors(
        practices, key="practices", noun="做法", content_max=CASE_PRACTICE_CONTENT_MAX
    ).items():
        errors.setdefault(key, message)
    if not results.strip():
        errors["results"] = "请填写通过上述做法取得的明显成效。"
    elif (n := char_count(results)) > CASE_RESULTS_MAX:
        errors["results"] = f"成效不能超过{CASE_RESULTS_MAX}字（已输入{n}字）。"
    valid = set(CaseAspect.values) - {CaseAspect.OTHER}
    others = [code for code in aspects if code.startswith(OTHER_PREFIX) or code == CaseAspect.OTHER]
    unknown = [code for code in aspects if code not in valid and code not in others]
    other_names = [code.removeprefix(OTHER_PREFIX).removeprefix(CaseAspect.OTHER).strip() for code in others]
    if unknown:
        errors["aspects"] = "聚焦方面须从通知列出的方面中选择，或选择“其他”并简要说明。"
    elif any(not name for name in other_names):
        errors["aspects"] = f"选择“其他”时请简要说明聚焦的方面（不超过{CASE_OTHER_ASPECT_MAX}字）。"
    elif any(len(name) > CASE_OTHER_ASPECT_MAX for name in other_names):
        errors["aspects"] = f"“其他”方面的说明不能超过{CASE_OTHER_ASPECT_MAX}字。"
    elif not CASE_ASPECTS_MIN <= len(set(aspects)) <= CASE_ASPECTS_MAX:
        errors["aspects"] = (
            f"每个案例应聚焦{CASE_ASPECTS_MIN}-{CASE_ASPECTS_MAX}个方面（已选{len(set(aspects))}个）。"
        )
    return errors


def _case_values(
    *, title: str, background: str, practices: Sequence[dict[str, str]], results: str, aspects: Sequence[str]
) -> dict[str, Any]:
    ordered_aspects = [
        code for code in CaseAspect.values if code in set(aspects) and code != CaseAspect.OTHER
    ]
    unknown = [code for code in aspects if code not in ordered_aspects]
    return {
        "title": clean_text(title),
        "background": clean_text(background),
        "practices": clean_items(list(practices)),
        "results": clean_text(results),
        "aspects": ordered_aspects + unknown,
    }


def _check_case_base(*, campaign: Campaign, authority: Authority, base: Base) -> None:
    if base.authority_id != authority.pk or not campaign.bases.filter(pk=base.pk).exists():
        raise ValidationError({"base": "只能推荐本省参加本年度评价的示范基地。"})


def quota_full_message(quota: CaseQuota) -> str:
    """Why no further case may be recommended under this quota ("" while there is room)."""
    if quota.remaining > 0:
        return ""
    detail = f"本省已推荐 {quota.used} 个，配额 {quota.quota} 个（{quota.explanation}）"
    if quota.own is not None and quota.own.split is not None:
        detail += f"；规划司分配给本单位 {quota.own.split} 个，已推荐 {quota.own.used} 个"
    elif quota.has_split:
        detail += f"；按规划司的分配，本单位最多可推荐 {quota.own_limit} 个"
    if not quota.own_used:
        return f"本单位没有可用的优秀案例推荐配额，不能推荐：{detail}。"
    return f"已达到优秀案例推荐配额，不能再新增：{detail}。"


def case_create_refusal(*, campaign: Campaign, authority: Authority, available_bases: int) -> str:
    """Why a new case cannot be recommended now ("" when it can), for the page to say instead of
    showing a form that would only be refused: the same rules case_create enforces."""
    if campaign.status != Campaign.Status.OPEN:
        return f"“{campaign.title}”当前状态为{campaign.get_status_display()}，不能推荐优秀案例。"
    summary = ProvincialSummary.objects.filter(campaign=campaign, authority=authority).first()
    if summary is not None and summary.is_submitted:
        return "本省材料已报送，不能再新增优秀案例。"
    full = quota_full_message(case_quota_for(campaign=campaign, authority=authority))
    if full:
        return full
    if not available_bases:
        return "本单位参评的示范基地均已推荐过优秀案例（每个示范基地推荐一个案例）。"
    return ""


def _check_case_writable(*, summary: ProvincialSummary) -> None:
    if summary.is_submitted:
        raise ValidationError("本省材料已报送，不能再修改优秀案例。")


@transaction.atomic
def case_create(
    *,
    campaign: Campaign,
    authority: Authority,
    base: Base,
    user: User,
    title: str,
    background: str,
    practices: Sequence[dict[str, str]],
    results: str,
    aspects: Sequence[str],
) -> CaseRecommendation:
    """Recommend a case for one of the authority's bases, within the quota."""
    _check_authority_writer(user=user, campaign=campaign, authority=authority)
    # The quota is the province's: lock every summary row of its authorities, in one order, so two
    # authorities of a province cannot both take its last case.
    for other in province_authorities(authority).exclude(pk=authority.pk).order_by("pk"):
        if other.pk < authority.pk:
            _locked_summary(campaign=campaign, authority=other)
    summary = _locked_summary(campaign=campaign, authority=authority)
    for other in province_authorities(authority).filter(pk__gt=authority.pk).order_by("pk"):
        _locked_summary(campaign=campaign, authority=other)
    _check_case_writable(summary=summary)
    _check_case_base(campaign=campaign, authority=authority, base=base)
    values = _case_values(
        title=title, background=background, practices=practices, results=results, aspects=aspects
    )
    errors = case_errors(**values)
    if CaseRecommendation.objects.filter(campaign=campaign, base=base).exists():
        errors["base"] = f"已为“{base.name}”推荐过优秀案例，每个示范基地推荐一个案例。"
    if errors:
        raise ValidationError(errors)
    quota = case_quota_for(campaign=campaign, authority=authority)
    full = quota_full_message(quota)
    if full:
        raise ValidationError(full)
    now = timezone.now()
    case = CaseRecommendation.objects.create(
        campaign=campaign,
        authority=authority,
        base=base,
        created_by=user,
        created_at=now,
        updated_by=user,
        updated_at=now,
        **values,
    )
    event_record(
        actor=user,
        action="case.create",
        summary=f"推荐优秀案例：{case.title}（{base.name}）",
        target=case,
        base=base,
        authority=authority,
        data={
            "campaign": campaign.pk,
            "aspects": values["aspects"],
            "quota": quota.quota,
            "used": quota.used + 1,
            "province": authority.province_code,
        },
    )
    return case


@transaction.atomic
def case_update(
    *,
    case: CaseRecommendation,
    user: User,
    revision: int,
    title: str,
    background: str,
    practices: Sequence[dict[str, str]],
    results: str,
    aspects: Sequence[str],
) -> CaseRecommendation:
    """Edit a recommended case (its base stays; delete and recommend another to change it)."""
    _check_authority_writer(user=user, campaign=case.campaign, authority=case.authority)
    summary = _locked_summary(campaign=case.campaign, authority=case.authority)
    _check_case_writable(summary=summary)
    locked = (
        CaseRecommendation.objects.select_for_update(of=("self",))
        .select_related("base", "authority", "campaign", "updated_by")
        .get(pk=case.pk)
    )
    values = _case_values(
        title=title, background=background, practices=practices, results=results, aspects=aspects
    )
    errors = case_errors(**values)
    if errors:
        raise ValidationError(errors)
    if locked.revision != revision:
        raise StaleRevisionError(_stale_message(what="该优秀案例", current=locked), current=locked)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    old_values = {name: getattr(locked, name) for name in changed}
    _write_revision(locked, values, user)
    event_record(
        actor=user,
        action="case.update",
        summary=f"修改优秀案例：{locked.title}（{locked.base.name}）",
        target=locked,
        base=locked.base,
        authority=locked.authority,
        data={
            "revision": locked.revision,
            "changed": changed,
            "old": old_values,
            "new": {name: values[name] for name in changed},
        },
    )
    return locked


@transaction.atomic
def case_delete(*, case: CaseRecommendation, user: User) -> None:
    """Withdraw a recommendation before the authority delivers its material."""
    _check_authority_writer(user=user, campaign=case.campaign, authority=case.authority)
    summary = _locked_summary(campaign=case.campaign, authority=case.authority)
    _check_case_writable(summary=summary)
    locked = (
        CaseRecommendation.objects.select_for_update(of=("self",))
        .select_related("base", "authority")
        .get(pk=case.pk)
    )
    snapshot = {
        name: getattr(locked, name) for name in ("title", "background", "practices", "results", "aspects")
    }
    event_record(
        actor=user,
        action="case.delete",
        summary=f"撤回优秀案例推荐：{locked.title}（{locked.base.name}）",
        target=locked,
        base=locked.base,
        authority=locked.authority,
        data={"campaign": locked.campaign_id, "revision": locked.revision, "deleted": snapshot},
    )
    locked.delete()


@transaction.atomic
def case_quota_split_set(*, campaign: Campaign, authority: Authority, user: User, quota: int | None) -> None:
    """The ministry sets (or with None removes) how many of its province's cases `authority` may
    recommend. The splits of a province may not add up to more than its quota."""
    if not authz.allows(Ask.MINISTRY, user):
        raise PermissionDenied("只有工业和信息化部规划司可以分配优秀案例配额。")
    if quota is not None and quota < 0:
        raise ValidationError("分配数量不能为负数。")
    members = list(province_authorities(authority).select_for_update())
    province = case_quota_for(campaign=campaign, authority=authority)
    if quota is not None:
        others = sum(s.split or 0 for s in province.shares if s.authority_id != authority.pk)
        if others + quota > province.quota:
            raise ValidationError(
                f"分配数量合计（{others + quota} 个）超过本省配额（{province.quota} 个），请调整。"
            )
    old = province.own.split if province.own else None
    if quota is None:
        CaseQuotaSplit.objects.filter(campaign=campaign, authority=authority).delete()
    else:
        CaseQuotaSplit.objects.update_or_create(
            campaign=campaign,
            authority=authority,
            defaults={"quota": quota, "set_by": user, "set_at": timezone.now()},
        )
    event_record(
        actor=user,
        action="case_quota.split",
        summary=f"优秀案例配额分配：{authority.name} {old if old is not None else '共享'} → "
        f"{quota if quota is not None else '共享'}",
        target=campaign,
        authority=authority,
        data={"campaign": campaign.pk, "authority": authority.pk, "old": old, "new": quota,
              "province": [a.pk for a in members]},
    )  # fmt: skip
