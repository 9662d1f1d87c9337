"""The registry: who reports (bases), who reviews them (authorities), and the yearly campaigns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lib.deadlines import deadline_open


class Authority(models.Model):
    """A provincial-level 工业和信息化主管部门 or 通信管理局 that reviews its bases' material."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "省级工业和信息化主管部门"
        PLAN_CITY = "plan_city", "计划单列市工业和信息化主管部门"
        CORPS = "corps", "新疆生产建设兵团工业和信息化主管部门"
        COMM = "comm", "省通信管理局"

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=20)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    region_code = models.CharField(
        "行政区划代码", max_length=6, blank=True, help_text="GB/T 2260 六位代码；兵团无代码时留空"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "省级主管部门"
        verbose_name_plural = "省级主管部门"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        """The province whose case quota the authority shares (工规函〔2022〕530号: 不超过本省示范基地
        总数的25%): a province's 工业和信息化主管部门 and its 通信管理局 share the first two digits of
        their GB/T 2260 code; a 计划单列市 and the 兵团 report on their own."""
        if self.kind in (self.Kind.PROVINCE, self.Kind.COMM) and len(self.region_code) == 6:
            return self.region_code[:2] + "0000"
        return self.region_code or self.code


class Category(models.Model):
    """A base's 领域/类型. Data, not code, because the ministry adds new ones."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    annex = models.CharField(
        "对应附表", max_length=32, blank=True, help_text="需补充填报的附表代码，如 annex1；无附表留空"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "基地类型"
        verbose_name_plural = "基地类型"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class IndustryFlag(models.TextChoices):
    """Industries that decide whether items such as 5.5, 8.5 and 18.10 apply."""

    NONFERROUS = "nonferrous", "有色金属"
    STEEL = "steel", "钢铁"
    CHEMICAL = "chemical", "化工"
    EQUIPMENT = "equipment", "装备制造"


class Base(models.Model):
    """A 国家新型工业化产业示范基地."""

    class Series(models.TextChoices):
        ADVANTAGE = "advantage", "优势"
        SPECIAL = "special", "特色"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        REVOKED = "revoked", "已取消称号"

    name = models.CharField(
        "示范基地名称", max_length=120, unique=True, help_text="以工业和信息化部正式公布的名称为准"
    )
    batch = models.PositiveSmallIntegerField("批次", db_index=True)
    authority = models.ForeignKey(
        Authority, verbose_name="省级主管部门", on_delete=models.PROTECT, related_name="bases"
    )
    category = models.ForeignKey(
        Category, verbose_name="类型", on_delete=models.PROTECT, related_name="bases"
    )
    series = models.CharField("系列", max_length=16, choices=Series.choices, default=Series.ADVANTAGE)
    lead_industry = models.CharField("主导产业", max_length=60)
    sub_sectors = models.JSONField("主导产业主要细分领域（GB/T 4754-2017 代码）", default=list, blank=True)
    location = models.CharField("所在地", max_length=60, blank=True)
    industry_flags = models.JSONField(
        "行业标记",
        default=list,
        blank=True,
        help_text="有色金属、钢铁、化工、装备制造，决定 5.5、8.5、18.10 等项目是否适用",
    )
    producer_services_led = models.BooleanField(
        "以生产性服务业为主导产业", default=False, help_text="是则 5.1 填写“单位销售收入能耗”"
    )
    is_high_tech_zone = models.BooleanField("基地主体为国家高新技术产业开发区", default=False)
    high_tech_zone_name = models.CharField("国家高新技术产业开发区名称", max_length=100, blank=True)
    is_econ_zone = models.BooleanField("基地主体为国家级经济技术开发区", default=False)
    econ_zone_name = models.CharField("国家级经济技术开发区名称", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    revoked_on = models.DateField("取消称号日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "示范基地"
        verbose_name_plural = "示范基地"
        ordering = ["batch", "name"]
        indexes = [models.Index(fields=["authority", "status"]), models.Index(fields=["category", "batch"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active", revoked_on__isnull=True)
                | models.Q(status="revoked", revoked_on__isnull=False),
                name="base_revoked_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def batch_label(self) -> str:
        return batch_label(self.batch)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def industry_flag_labels(self) -> list[str]:
        labels = dict(IndustryFlag.choices)
        return [labels.get(flag, flag) for flag in self.industry_flags]


CHINESE_NUMERALS = "零一二三四五六七八九十"


def batch_label(batch: int) -> str:
    """第一批 … 第十批, 第十一批 …"""
    if batch <= 10:
        numeral = CHINESE_NUMERALS[batch]
    elif batch < 20:
        numeral = "十" + CHINESE_NUMERALS[batch - 10]
    else:
        tens, ones = divmod(batch, 10)
        numeral = CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")
    return f"第{numeral}批"


class StarRating(models.Model):
    """The star rating the ministry published for a base for one evaluation year."""

    base = models.ForeignKey(
        Base, on_delete=models.CASCADE, related_name="star_ratings", verbose_name="示范基地"
    )
    year = models.PositiveSmallIntegerField("评价年度")
    stars = models.PositiveSmallIntegerField("星级")

    class Meta:
        verbose_name = "星级评价"
        verbose_name_plural = "星级评价"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="star_rating_once_per_year"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="stars_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.year}年 {self.stars}星"


class Campaign(models.Model):
    """One year's 报送工作: which form version, which deadlines, which bases take part."""

    class Status(models.TextChoices):
        DRAFT = "draft", "筹备中"
        OPEN = "open", "填报中"
        CLOSED = "closed", "已结束"

    year = models.PositiveSmallIntegerField("评价年度", unique=True)
    data_year = models.PositiveSmallIntegerField("数据年度")
    history_years = models.JSONField("历史年度", default=list)
    title = models.CharField("名称", max_length=100)
    form_version = models.CharField("报表版本", max_length=20)
    base_deadline = models.DateTimeField("示范基地报送截止时间")
    authority_deadline = models.DateTimeField("省级主管部门报送截止时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    bases = models.ManyToManyField(Base, verbose_name="参评示范基地", related_name="campaigns", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "年度评价"
        verbose_name_plural = "年度评价"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        """Data year first, then history years, newest first: the order of the 汇总表 columns."""
        return [self.data_year, *sorted(self.history_years, reverse=True)]


class ReopenRequest(models.Model):
    """A request to submit after a deadline. A base's request goes to its authority first; an
    authority's own request (for its provincial summary and cases) goes straight to the ministry.

    Kept with the campaign because a granted request is part of the campaign's deadlines
    (registry.campaigns.base_window_open / authority_window_open); the review app only drives the
    request through its states."""

    class Status(models.TextChoices):
        PENDING_AUTHORITY = "pending_authority", "待省级主管部门审核"
        PENDING_MINISTRY = "pending_ministry", "待部级审批"
        REFUSED = "refused", "省级主管部门不支持"
        REJECTED = "rejected", "部级未批准"
        GRANTED = "granted", "已批准补报"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reopen_requests")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="reopen_requests")
    base = models.ForeignKey(
        Base, null=True, blank=True, on_delete=models.CASCADE, related_name="reopen_requests"
    )
    reason = models.TextField("申请理由")
    status = models.CharField("状态", max_length=24, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="申请人",
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    authority_comment = models.TextField("省级意见", blank=True)
    authority_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority_at = models.DateTimeField(null=True, blank=True)
    ministry_comment = models.TextField("部级意见", blank=True)
    ministry_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ministry_at = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField("补报截止时间", null=True, blank=True)

    class Meta:
        verbose_name = "补报申请"
        verbose_name_plural = "补报申请"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        who = self.base or self.authority
        return f"{who} 补报申请（{self.get_status_display()}）"

    @property
    def window_open(self) -> bool:
        """A granted window is open through the whole Beijing day it ends on (lib.deadlines)."""
        return self.window_until is not None and deadline_open(self.window_until, timezone.now())


class RegistryImport(models.Model):
    """An uploaded registry file waiting for the ministry's confirmation.

    The file's bytes live in the database, not in a web process or a local disk, so the validation
    report and the confirmation may be served by different application servers.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "已放弃"

    file_name = models.CharField("文件名", max_length=255)
    file_format = models.CharField("文件格式", max_length=8, choices=Format.choices)
    content = models.BinaryField("文件内容")
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="registry_imports"
    )
    created_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    summary = models.JSONField("校验结果摘要", default=dict, blank=True)
    applied_by = models.ForeignKey(
        "accounts.User",
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField("处理时间", null=True, blank=True)
    only_valid_rows = models.BooleanField("仅导入无误的行", default=False)
    result = models.JSONField("导入结果", default=dict, blank=True)

    class Meta:
        verbose_name = "名录导入"
        verbose_name_plural = "名录导入"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"
