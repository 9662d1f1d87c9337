"""The daily 催报 run by hand: `manage.py send_reminders`. The task queue runs the same every day at
09:00 Beijing time (review.tasks.send_reminders_daily), so no cron line is needed.

Repeating it is harmless: each base gets one automatic reminder per reminder day, each authority one
escalation per campaign, and nobody is reminded twice within REMINDER_MIN_INTERVAL_HOURS.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.models import Campaign
from review.reminders import reminders_auto_open


class Command(BaseCommand):
    help = "向临近截止仍未提交的示范基地自动催报，并将经催报仍未提交的基地告知省级主管部门。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="只处理该评价年度（默认：所有填报中的年度评价）")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("year")
        if options["year"]:
            campaigns = campaigns.filter(year=options["year"])
            if not campaigns.exists():
                raise CommandError(f"没有填报中的{options['year']}年度评价。")
        if not campaigns:
            self.stdout.write("没有填报中的年度评价，无需催报。")
            return
        for campaign, result in reminders_auto_open(options["year"]):
            day = f"截止前 {result.milestone} 天" if result.milestone is not None else "非催报日"
            self.stdout.write(f"{campaign.title}（{day}）")
            self.stdout.write(f"  基地催报：{result.reminders.message}")
            self.stdout.write(f"  告知省级：{result.escalations.message}")
