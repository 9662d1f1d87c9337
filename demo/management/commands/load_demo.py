"""`manage.py load_demo`: fictional demo data and one login per role, safe to run on every start."""

from __future__ import annotations

import os
import time
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Role, User
from accounts.otp import demo_totp_ensure
from definitions.management.commands.load_definitions import forms_root
from definitions.schema import DefinitionError
from definitions.services import definitions_load
from demo.registry import (
    CURRENT_CAMPAIGN_YEAR,
    DEFAULT_COUNT,
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    NOTICE_AUTHORITY_DEADLINE,
    NOTICE_BASE_DEADLINE,
    DemoResult,
    demo_load,
)
from demo.values import ValuesResult, demo_values_load
from evaluation.demo import demo_evaluation_load
from lib.deadlines import SHANGHAI
from permissions.checks import otp_required
from registry.models import Campaign
from submissions.models import Submission

MAX_BASES = 5000


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _format(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _unit(user: User) -> str:
    if user.role == Role.EXPERT:
        return f"分配评审 {user.assigned_bases.count()} 个示范基地"
    return user.unit_name


class Command(BaseCommand):
    help = "加载演示数据（虚构的示范基地、两次年度评价和各角色演示账号）；已加载时不重复、不修改。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bases", type=int, default=DEFAULT_COUNT, help=f"示范基地数量，默认 {DEFAULT_COUNT}"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子，默认 {DEFAULT_SEED}")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="演示账号密码（至少 10 位）")
        parser.add_argument(
            "--no-values",
            action="store_true",
            help="只生成名录、年度评价和账号，不加载报表定义、不生成填报数据（用于性能测试）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEPLOYMENT == "production":
            # The demo creates staff accounts with a published password: never on a real system.
            raise CommandError(
                "生产环境（config.settings.production）不能加载演示数据：演示账号的密码是公开的。"
            )
        count: int = options["bases"]
        if not 10 <= count <= MAX_BASES:
            raise CommandError(f"--bases 须在 10 到 {MAX_BASES} 之间（需覆盖全部十个批次和基地类型）。")
        password: str = options["password"]
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("演示密码不符合要求：" + "；".join(exc.messages)) from None

        # Campaigns open against loaded definitions, so the forms come first.
        self._load_definitions()
        started = time.perf_counter()
        result = demo_load(count=count, seed=options["seed"], password=password, now=timezone.now())
        elapsed = time.perf_counter() - started
        # Roles that need a second factor get a fixed demo secret, printed with the logins.
        otp_secrets = {u.username: demo_totp_ensure(user=u) for u in result.accounts if otp_required(u)}
        self._report(result, password, elapsed, options["seed"], otp_secrets)
        if options["no_values"]:
            return
        started = time.perf_counter()
        values = demo_values_load(seed=options["seed"])
        self._report_values(values, time.perf_counter() - started)
        current = Campaign.objects.filter(year=CURRENT_CAMPAIGN_YEAR).first()
        if values.filled and current is not None:
            started = time.perf_counter()
            evaluation = demo_evaluation_load(campaign=current)
            self.stdout.write(
                f"· {current.title}：数据质量检查发现问题 {evaluation.flagged} 条；专家评分 {evaluation.expert_scores} 份；"
                f"试算 {evaluation.scored} 个已填报示范基地的得分，评定并发布星级 {evaluation.rated} 个"
                f"（用时 {time.perf_counter() - started:.1f} 秒）。"
            )

    def _load_definitions(self) -> None:
        """The forms must exist before any base can start its material (submissions point at them)."""
        root = forms_root()
        directories = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        if not directories:
            raise CommandError(f"目录 {root} 中没有任何版本的报表定义，无法生成填报数据。")
        for directory in directories:
            try:
                loaded = definitions_load(directory=directory)
            except DefinitionError as exc:
                raise CommandError(f"{directory.name} 版报表定义加载失败：{exc}") from exc
            self.stdout.write(
                f"报表定义：{directory.name} 版 {len(loaded)} 个（{'、'.join(d.code for d in loaded)}）。"
            )

    def _report_values(self, values: ValuesResult, elapsed: float) -> None:
        out = self.stdout.write
        out("")
        if not values.filled:
            out(values.reason)
            return
        if values.shared_definitions:
            out(
                "说明：系统中没有2021版报表定义，2021年度评价（数据年度2020年）的历史材料按2022版报表定义"
                "（工规函〔2022〕530号附件1及附表1-6）生成。"
            )
        labels = dict(Submission.Status.choices)
        states = "，".join(f"{labels[s]} {n} 个" for s, n in values.current_states.items() if n)
        kinds = values.draft_kinds
        out(self.style.SUCCESS(f"已生成填报数据（{values.value_rows} 个填报值），用时 {elapsed:.1f} 秒："))
        out(f"· 2021年度评价：{values.previous_accepted} 个示范基地的材料已受理（历史数据）。")
        out(f"· 2022年度评价：{states}。")
        out(
            f"  草稿中：仅有上年度预填 {kinds['untouched']} 个，部分填写 {kinds['partial']} 个，"
            f"已填完 {kinds['complete']} 个；同比预警已说明 {values.explained} 条。"
        )

    def _report(
        self, result: DemoResult, password: str, elapsed: float, seed: int, otp_secrets: dict[str, str]
    ) -> None:
        out = self.stdout.write
        if result.created:
            out(
                self.style.SUCCESS(
                    f"已生成演示数据：{result.base_count} 个示范基地（随机种子 {seed}，"
                    f"其中已取消称号 {result.revoked_count} 个），用时 {elapsed:.1f} 秒。"
                )
            )
        else:
            out(
                f"演示数据已存在（{result.base_count} 个示范基地，其中已取消称号 {result.revoked_count} 个），"
                "未重复生成，也未作修改。"
            )
        out("示范基地名称均为虚构（地名由字词拼合），不对应任何真实园区。")
        for campaign in result.campaigns:
            out(
                f"· {campaign.title}（{campaign.get_status_display()}，参评 {campaign.bases.count()} 个）："
                f"基地截止 {_format(campaign.base_deadline)}，省级截止 {_format(campaign.authority_deadline)}"
            )
        current = next((c for c in result.campaigns if c.status == Campaign.Status.OPEN), None)
        if current is not None:
            out(
                f"说明：通知规定的截止时间（{NOTICE_BASE_DEADLINE:%Y-%m-%d} 和 {NOTICE_AUTHORITY_DEADLINE:%Y-%m-%d}）"
                "已过，演示环境将本年度截止时间设在加载之日后 30 天（示范基地）和 37 天（省级主管部门）"
                "的 23:59:59（北京时间），以便演示填报。"
            )

        port = os.environ.get("PORT", "8000")
        out("")
        out(f"访问地址：http://127.0.0.1:{port}/")
        if result.created_accounts and len(result.created_accounts) < len(result.accounts):
            out("已补建缺少的演示账号：" + "、".join(result.created_accounts) + "；其余账号保持不变。")
        rows = [["角色", "用户名", "密码", "两步验证密钥", "姓名", "所属单位"]]
        for user in result.accounts:
            shown = "（已被修改，未显示）" if user.username in result.changed_passwords else password
            secret = otp_secrets.get(user.username, "（可选，未启用）")
            rows.append([user.get_role_display(), user.username, shown, secret, user.full_name, _unit(user)])
        out("演示账号：")
        for line in table(rows):
            out("  " + line)
        if otp_secrets:
            out(
                "两步验证：部级、省级、专家和三员账号登录时须输入 6 位验证码。把上表的密钥手动添加到手机验证器"
                "（TOTP，30 秒），或运行 `manage.py demo_otp 用户名` 显示当前验证码（仅限演示环境）。"
            )
