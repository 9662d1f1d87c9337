"""The daily 催报 as a periodic task of the task queue (huey), replacing the cron line.

The consumer (`manage.py run_huey`, started by `make run`) runs it every day at 09:00 Beijing time;
huey keeps time in UTC, hence 01:00. Runs are idempotent (see review.reminders), so a consumer on
each of several machines, or a manual `manage.py send_reminders` on the same day, is harmless.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from review.reminders import reminders_auto_open

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="0", hour="1"))
def send_reminders_daily() -> None:
    for campaign, result in reminders_auto_open():
        logger.info("%s: %s; %s", campaign.title, result.reminders.message, result.escalations.message)
