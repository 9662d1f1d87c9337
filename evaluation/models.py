"""The ministry's evaluation: the scoring model as data, scoring runs and their per-base results,
disqualifications, data-quality flags.

Every state change goes through evaluation/services.py; results are stored whole (the breakdown of
every score, the model content it was computed with) so an explanation never depends on a model or a
value edited later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from definitions.models import content_checksum
from evaluation.schema import ScoringDefinition, parse_model


class ScoringModel(models.Model):
    """One campaign's scoring model (评分模型), loaded from evaluation/scoring_models/<year>.yaml."""

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.PROTECT, related_name="scoring_models"
    )
    version = models.CharField("版本", max_length=20)
    title = models.CharField("名称", max_length=200)
    content = models.JSONField("模型内容")
    checksum = models.CharField("校验值（SHA-256）", max_length=64)
    source = models.CharField("来源文件", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    frozen_at = models.DateTimeField(
        "冻结时间", null=True, blank=True, help_text="星级发布后冻结，不再修改；调整须另建新版本"
    )

    class Meta:
        verbose_name = "评分模型"
        verbose_name_plural = "评分模型"
        ordering = ["-campaign__year", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="scoring_model_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def parsed(self) -> ScoringDefinition:
        return parsed_model(self.content, self.checksum)


_PARSED: dict[str, ScoringDefinition] = {}


def parsed_model(content: dict, checksum: str = "") -> ScoringDefinition:
    """Parsed once per process and content: the definition is immutable."""
    checksum = checksum or content_checksum(content)
    parsed = _PARSED.get(checksum)
    if parsed is None:
        parsed = parse_model(content)
        if len(_PARSED) > 32:
            _PARSED.clear()
        _PARSED[checksum] = parsed
    return parsed


class ScoreRun(models.Model):
    """One scoring of a campaign's bases, with the exact model content it used."""

    class Scope(models.TextChoices):
        SUBMITTED = "submitted", "已提交的材料（含初审通过、已受理）"
        COMPLETE = "complete", "已提交的材料及评分项目已填全的草稿（试算）"
        ALL = "all", "全部已填报的材料（试算，含未填完的草稿）"

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.CASCADE, related_name="score_runs"
    )
    model = models.ForeignKey(
        ScoringModel, verbose_name="评分模型", on_delete=models.PROTECT, related_name="runs"
    )
    model_checksum = models.CharField("模型校验值", max_length=64)
    model_content = models.JSONField("所用模型内容")
    scope = models.CharField("参与范围", max_length=16, choices=Scope.choices, default=Scope.SUBMITTED)
    run_at = models.DateTimeField("评分时间", default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    base_count = models.PositiveIntegerField("评分基地数", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = "评分批次"
        verbose_name_plural = "评分批次"
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign} · 评分 {self.run_at:%Y-%m-%d %H:%M}"

    def parsed(self) -> ScoringDefinition:
        return parsed_model(self.model_content, self.model_checksum)


class BaseScore(models.Model):
    """A base's result in one run: totals for lists, the whole breakdown for its explanation."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total = models.FloatField("综合得分", null=True, blank=True)
    data_total = models.FloatField("数据得分", null=True, blank=True)
    bonus = models.FloatField("加分", default=0)
    deduction = models.FloatField("扣分", default=0)
    dimensions = models.JSONField("分维度得分", default=dict)
    indicator_values = models.JSONField("指标值", default=dict, help_text="指标代码 → 计算值，用于同类比较")
    rank = models.PositiveIntegerField("全国排名", null=True, blank=True)
    category_rank = models.PositiveIntegerField("类型内排名", null=True, blank=True)
    category_count = models.PositiveIntegerField("类型内参评数", default=0)
    disqualified_reason = models.TextField("取消参评资格原因", blank=True)
    result = models.JSONField("得分明细")

    class Meta:
        verbose_name = "基地得分"
        verbose_name_plural = "基地得分"
        ordering = ["rank", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "base"], name="one_score_per_run_and_base")]

    def __str__(self) -> str:
        return f"{self.base_id} {self.total}"


class Disqualification(models.Model):
    """取消参评资格: 重大事项瞒报、虚报 found by the ministry (工规函〔2022〕530号 二（二）)."""

    campaign = models.ForeignKey(
        "registry.Campaign",
        verbose_name="年度评价",
        on_delete=models.CASCADE,
        related_name="disqualifications",
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("情形", max_length=20)
    reason = models.TextField("事实与依据")
    decided_at = models.DateTimeField("认定时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="认定人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifted_at = models.DateTimeField("撤销时间", null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lift_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "取消参评资格"
        verbose_name_plural = "取消参评资格"
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "base"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_live_disqualification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.base} · {self.kind}"

    @property
    def label(self) -> str:
        return f"{self.kind}：{self.reason}"


class QualityRun(models.Model):
    """One data-quality check of a campaign's material, run before scoring."""

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.CASCADE, related_name="quality_runs"
    )
    run_at = models.DateTimeField("检查时间", default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    base_count = models.PositiveIntegerField("检查基地数", default=0)
    counts = models.JSONField("各类问题数", default=dict)
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = "数据质量检查"
        verbose_name_plural = "数据质量检查"
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign} · 数据质量检查 {self.run_at:%Y-%m-%d %H:%M}"


class QualityFlag(models.Model):
    """One thing that looks wrong in a base's material, with what it was compared with."""

    class Kind(models.TextChoices):
        HISTORY = "history", "与往年材料不一致"
        OUTLIER = "outlier", "超出同类合理区间"
        JUMP = "jump", "同比异常未获认可说明"
        CONTRADICTION = "contradiction", "项目之间矛盾"
        REPORT = "report", "发展报告与汇总表不符"
        COPIED = "copied", "文本雷同"

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="flags")
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    code = models.CharField("项目", max_length=32, blank=True)
    year = models.PositiveSmallIntegerField("年度", default=0)
    message = models.TextField("问题")
    detail = models.JSONField("比较依据", default=dict)
    returned_at = models.DateTimeField("随退回发出时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "数据质量问题"
        verbose_name_plural = "数据质量问题"
        ordering = ["base_id", "kind", "code", "year", "id"]
        indexes = [models.Index(fields=["run", "base"])]

    def __str__(self) -> str:
        return self.message[:60]


class ExpertProfile(models.Model):
    """Where an expert comes from: the province decides the conflicts of interest (not a base of their
    own province). Accounts cannot carry an authority for experts, so the evaluation keeps it here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="评审专家",
        on_delete=models.CASCADE,
        related_name="expert_profile",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name="所在省份（省级主管部门）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField("工作单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "评审专家信息"
        verbose_name_plural = "评审专家信息"

    def __str__(self) -> str:
        return f"{self.user} · {self.authority or '未填所在省份'}"


class ExpertConflict(models.Model):
    """A conflict of interest an expert declared for one base (besides their own province)."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_conflicts"
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField("利益关系说明")
    declared_at = models.DateTimeField("申报时间", default=timezone.now)

    class Meta:
        verbose_name = "利益冲突申报"
        verbose_name_plural = "利益冲突申报"
        constraints = [
            models.UniqueConstraint(fields=["expert", "base"], name="one_conflict_per_expert_and_base")
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.base}"


class ExpertScore(models.Model):
    """One expert's scores (0-100) per dimension for one base in one campaign, with a comment."""

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.CASCADE, related_name="expert_scores"
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_scores"
    )
    scores = models.JSONField("分维度评分")
    comment = models.TextField("评审意见")
    updated_at = models.DateTimeField("评分时间", default=timezone.now)

    class Meta:
        verbose_name = "专家评分"
        verbose_name_plural = "专家评分"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "base", "expert"], name="one_expert_score_per_base")
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.base}"


class Rating(models.Model):
    """A base's star rating in one campaign: computed by the campaign's rule, optionally overridden by
    the ministry with a reason. Published ratings are also written to registry.StarRating (history)."""

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.CASCADE, related_name="ratings"
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.CASCADE, related_name="+"
    )
    run = models.ForeignKey(
        ScoreRun, verbose_name="评分批次", on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.ForeignKey(BaseScore, verbose_name="得分", on_delete=models.PROTECT, related_name="+")
    computed_stars = models.PositiveSmallIntegerField("按规则星级")
    dimension_stars = models.JSONField("分维度星级", default=dict)
    override_stars = models.PositiveSmallIntegerField("调整后星级", null=True, blank=True)
    override_reason = models.TextField("调整理由", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    override_at = models.DateTimeField("调整时间", null=True, blank=True)

    class Meta:
        verbose_name = "星级评定"
        verbose_name_plural = "星级评定"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "base"], name="one_rating_per_campaign_and_base"),
            models.CheckConstraint(
                condition=models.Q(computed_stars__gte=1, computed_stars__lte=5), name="rating_computed_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(override_stars__isnull=True)
                | models.Q(override_stars__gte=1, override_stars__lte=5),
                name="rating_override_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.stars}星"

    @property
    def stars(self) -> int:
        return self.override_stars or self.computed_stars


class RatingPublication(models.Model):
    """The ministry's publication of a campaign's ratings: bases and authorities see them from `publish_on`."""

    campaign = models.OneToOneField(
        "registry.Campaign",
        verbose_name="年度评价",
        on_delete=models.CASCADE,
        related_name="rating_publication",
    )
    publish_on = models.DateField("发布日期")
    published_at = models.DateTimeField("操作时间", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "星级发布"
        verbose_name_plural = "星级发布"

    def __str__(self) -> str:
        return f"{self.campaign} · {self.publish_on}"
