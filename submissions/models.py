"""A base's material for one campaign: the filled values, every change to them, and warning explanations.

Values are stored one row per (form, field, year) so that two people editing different fields never
collide, each value carries a revision for optimistic concurrency, and every change is appended to
ValueChange (who, when, old, new), which is never updated or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from security.fields import SealedJSONField

NOT_YEARLY = 0  # year stored for fields asked once (header, texts, tables)
# A material's definitions loaded with it need no content: `Definition.parsed()` keeps each form
# parsed by its checksum, and decoding the form's JSON on every load was milliseconds a save.
# `.select_related("summary_definition", "annex_definition").defer(*DEFINITION_CONTENT)`
DEFINITION_CONTENT = ("summary_definition__content", "annex_definition__content")


class Submission(models.Model):
    """Everything one base reports in one campaign, filled against exact definition versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "初审通过"
        ACCEPTED = "accepted", "已受理"

    campaign = models.ForeignKey(
        "registry.Campaign", verbose_name="年度评价", on_delete=models.PROTECT, related_name="submissions"
    )
    base = models.ForeignKey(
        "registry.Base", verbose_name="示范基地", on_delete=models.PROTECT, related_name="submissions"
    )
    summary_definition = models.ForeignKey(
        "definitions.Definition", verbose_name="汇总表版本", on_delete=models.PROTECT, related_name="+"
    )
    annex_definition = models.ForeignKey(
        "definitions.Definition",
        verbose_name="附表版本",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    is_late = models.BooleanField("逾期提交", default=False)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    # Bumped by every change the material's check reads (values, explanations), in the change's
    # transaction: a stored MaterialCheck computed at another revision is stale.
    revision = models.PositiveIntegerField("材料修订号", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
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
        verbose_name = "填报材料"
        verbose_name_plural = "填报材料"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "base"], name="one_submission_per_base_and_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.base} · {self.campaign}"

    def definitions(self) -> list:
        return [d for d in (self.summary_definition, self.annex_definition) if d is not None]

    @property
    def state_token(self) -> str:
        """The state a page showed, posted back with a transition's form: a double click or a
        replayed request carries a token that no longer matches once the first one moved the state."""
        changed = self.status_changed_at.timestamp() if self.status_changed_at else 0
        return f"{self.status}:{changed:.6f}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Value(models.Model):
    """The current value of one cell. `raw` is exactly what was typed or imported; `value` is canonical."""

    class Source(models.TextChoices):
        WEB = "web", "网页填报"
        PREFILL = "prefill", "上年度数据预填"
        REGISTRY = "registry", "名录信息预填"
        IMPORT = "import", "Excel导入"
        API = "api", "接口"
        DEMO = "demo", "演示数据"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    form = models.CharField("报表", max_length=32)
    code = models.CharField("指标代码", max_length=32)
    year = models.PositiveSmallIntegerField("年度", default=NOT_YEARLY)
    raw = SealedJSONField("填写内容", null=True, blank=True)
    value = SealedJSONField("规范值", null=True, blank=True)
    entered_currency = models.CharField("填写币种", max_length=8, blank=True)
    revision = models.PositiveIntegerField("修订号", default=1)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.WEB)

    class Meta:
        verbose_name = "填报值"
        verbose_name_plural = "填报值"
        constraints = [
            models.UniqueConstraint(fields=["submission", "form", "code", "year"], name="one_value_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.form}:{self.code}:{self.year}"


class ValueChange(models.Model):
    """Append-only history of every value: who changed it, when, from what, to what."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="changes")
    form = models.CharField("报表", max_length=32)
    code = models.CharField("指标代码", max_length=32)
    year = models.PositiveSmallIntegerField("年度", default=NOT_YEARLY)
    old_raw = SealedJSONField("原内容", null=True, blank=True)
    new_raw = SealedJSONField("新内容", null=True, blank=True)
    old_currency = models.CharField(max_length=8, blank=True)
    new_currency = models.CharField(max_length=8, blank=True)
    revision = models.PositiveIntegerField("修订号")
    changed_at = models.DateTimeField("修改时间", default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=Value.Source.choices)

    class Meta:
        verbose_name = "修改记录"
        verbose_name_plural = "修改记录"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["submission", "form", "code", "year"])]

    def __str__(self) -> str:
        return f"{self.form}:{self.code}:{self.year} r{self.revision}"


class WarningExplanation(models.Model):
    """The base's explanation of one warning, with the values it explained, and the reviewer's verdict."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已认可"
        REJECTED = "rejected", "不认可"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="explanations")
    form = models.CharField("报表", max_length=32)
    finding_key = models.CharField("预警规则", max_length=120)
    message = models.TextField("预警内容")
    explained_values = models.JSONField("说明时的数值", default=dict)
    text = models.TextField("情况说明")
    written_at = models.DateTimeField("说明时间", default=timezone.now)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField("审核意见", max_length=16, choices=Verdict.choices, default=Verdict.PENDING)
    verdict_comment = models.TextField("审核说明", blank=True)
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "预警说明"
        verbose_name_plural = "预警说明"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "form", "finding_key"], name="one_explanation_per_finding"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form}:{self.finding_key}"


class MaterialCheck(models.Model):
    """The material's status as computed from its values (submissions.status): every finding, the
    counts, the progress per section and the fingerprint of the printed 汇总表.

    Stored once per change of the material, in the change's transaction, so pages and lists read it
    instead of validating again. `basis` records what it was computed from (the material's revision,
    last campaign's material, the definitions, the base's profile, the code's CHECK_VERSION); a row
    whose basis no longer matches is recomputed when read."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, primary_key=True, related_name="material_check"
    )
    basis = models.JSONField("计算依据", default=dict)
    findings = models.JSONField("校验结果", default=list)
    counts = models.JSONField("统计", default=dict)
    progress = models.JSONField("填写进度", default=dict)
    summary_fingerprint = models.CharField("汇总表数据指纹", max_length=64)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    class Meta:
        verbose_name = "材料校验结果"
        verbose_name_plural = "材料校验结果"

    def __str__(self) -> str:
        return f"{self.submission_id} r{self.basis.get('revision')}"
