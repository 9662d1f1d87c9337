"""Written material: a base's development report (附件2), an authority's provincial summary and its
recommended excellent cases (附件3).

Texts and lists of "lead + content" items are stored as written; every change goes through
reports/services.py, which keeps a revision number for optimistic concurrency and records an event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DevelopmentReport(models.Model):
    """XX示范基地2021年发展情况报告 (附件2), one per Submission.

    `highlights` and `practices` are lists of {"lead": str, "content": str}: the notice asks for each
    point as 领句 (one summarising sentence) + 具体内容. The PDF and scan code reads these field names.
    """

    submission = models.OneToOneField(
        "submissions.Submission", verbose_name="填报材料", on_delete=models.CASCADE, related_name="report"
    )
    overview = models.TextField("示范基地发展概述", blank=True)
    highlights = models.JSONField("发展亮点和成效", default=list, blank=True)
    practices = models.JSONField("示范性做法和经验", default=list, blank=True)
    problems = models.TextField("存在的问题及建议", blank=True)
    revision = models.PositiveIntegerField("修订号", default=0)
    updated_at = models.DateTimeField("最后修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "发展情况报告"
        verbose_name_plural = "发展情况报告"

    def __str__(self) -> str:
        return f"{self.submission} · 发展情况报告"


class DevelopmentReportVersion(models.Model):
    """Append-only copy of a report as saved at each revision: who wrote what, and when."""

    report = models.ForeignKey(DevelopmentReport, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField("修订号")
    overview = models.TextField("示范基地发展概述", blank=True)
    highlights = models.JSONField("发展亮点和成效", default=list, blank=True)
    practices = models.JSONField("示范性做法和经验", default=list, blank=True)
    problems = models.TextField("存在的问题及建议", blank=True)
    saved_at = models.DateTimeField("保存时间", default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "发展情况报告历史版本"
        verbose_name_plural = "发展情况报告历史版本"
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(fields=["report", "revision"], name="one_report_version_per_revision")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} r{self.revision}"


class ProvincialSummary(models.Model):
    """本地2021年开展示范基地工作情况总结材料, one per (campaign, authority).

    Its status is the status of the authority's whole delivery: once submitted, the summary and the
    recommended cases are frozen.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"

    campaign = models.ForeignKey(
        "registry.Campaign",
        verbose_name="年度评价",
        on_delete=models.PROTECT,
        related_name="provincial_summaries",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name="省级主管部门",
        on_delete=models.PROTECT,
        related_name="provincial_summaries",
    )
    progress = models.TextField("主要工作进展及成效", blank=True)
    difficulties = models.TextField("存在的困难和问题", blank=True)
    next_steps = models.TextField("下一步工作思路及建议", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField("修订号", default=0)
    updated_at = models.DateTimeField("最后修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "省级工作总结"
        verbose_name_plural = "省级工作总结"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "authority"], name="one_provincial_summary_per_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority} · {self.campaign} · 工作总结"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class CaseAspect(models.TextChoices):
    """The nine aspects the notice lists (一(二)2); each case focuses on one or two of them."""

    SUPPLY_CHAIN = "supply_chain", "稳定产业链供应链"
    INNOVATION = "innovation", "提升协同创新能力"
    DIGITAL = "digital", "数字化转型"
    GREEN = "green", "绿色低碳发展"
    SME = "sme_integration", "大中小企业融通发展"
    QUALITY_BRAND = "quality_brand", "质量品牌建设"
    BUSINESS_ENV = "business_environment", "优化营商环境"
    CROSS_REGION = "cross_region", "跨区域合作"
    OPENING_UP = "opening_up", "高水平开放"
    # The notice lists them with 等方面: another aspect is allowed, named by the authority. It is
    # stored as "other:<名称>" in a case's aspects.
    OTHER = "other", "其他"


OTHER_PREFIX = "other:"


def aspect_label(code: str) -> str:
    """A stored aspect as shown: the notice's wording, or “其他（名称）”."""
    if code.startswith(OTHER_PREFIX):
        return f"其他（{code[len(OTHER_PREFIX) :]}）"
    return dict(CaseAspect.choices).get(code, code)


class CaseRecommendation(models.Model):
    """One excellent case (附件3) an authority recommends for one of its participating bases.

    One case per base and campaign: the quota is counted in bases (“可多推荐1家”).
    """

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.PROTECT, related_name="cases"
    )
    authority = models.ForeignKey(
        "registry.Authority", verbose_name="省级主管部门", on_delete=models.PROTECT, related_name="cases"
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField("标题", max_length=100)
    background = models.TextField("背景或亟待解决的突出问题")
    practices = models.JSONField("做法和举措", default=list)
    results = models.TextField("成效")
    aspects = models.JSONField("聚焦方面", default=list)
    revision = models.PositiveIntegerField("修订号", default=1)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="推荐人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("最后修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "优秀案例"
        verbose_name_plural = "优秀案例"
        ordering = ["authority__sort_order", "authority__code", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "base"], name="one_case_per_base")]
        indexes = [models.Index(fields=["campaign", "authority"])]

    def __str__(self) -> str:
        return self.title

    def aspect_labels(self) -> list[str]:
        return [aspect_label(code) for code in self.aspects]


class CaseQuotaSetting(models.Model):
    """The quota rule of one campaign; created with the notice's values on first use."""

    campaign = models.OneToOneField(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.CASCADE, related_name="case_quota"
    )
    percent = models.PositiveSmallIntegerField(
        "比例（%）", default=25, help_text="推荐案例数不超过本省参评示范基地总数的该比例，向下取整"
    )
    five_star_bonus = models.PositiveSmallIntegerField(
        "五星加推数量", default=1, help_text="本省有五星示范基地时可多推荐的数量"
    )

    class Meta:
        verbose_name = "优秀案例配额设置"
        verbose_name_plural = "优秀案例配额设置"

    def __str__(self) -> str:
        return f"{self.campaign}：{self.percent}% + {self.five_star_bonus}"


class CaseQuotaSplit(models.Model):
    """The ministry's split of a province's case quota: how many cases one of its authorities may
    recommend. Without a split the province's authorities share its quota."""

    campaign = models.ForeignKey(
        "registry.Campaign",
        verbose_name="年度评价",
        on_delete=models.CASCADE,
        related_name="case_quota_splits",
    )
    authority = models.ForeignKey(
        "registry.Authority", verbose_name="省级主管部门", on_delete=models.CASCADE, related_name="+"
    )
    quota = models.PositiveSmallIntegerField("分配数量")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "优秀案例配额分配"
        verbose_name_plural = "优秀案例配额分配"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "authority"], name="one_case_quota_split_per_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.authority}：{self.quota}"
