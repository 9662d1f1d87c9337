"""The daily anchor of the audit chain as a periodic task of the task queue (huey).

Every day at 00:30 Beijing time (16:30 UTC, huey keeps UTC) the head is written outside the
database and mailed to AUDIT_ANCHOR_EMAILS; a security-setting change since the last run is
recorded first, so the anchor covers it. Two consumers anchoring the same night is harmless.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from audit.services import chain_anchor
from audit.settings_watch import settings_changes_record

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="16"))
def audit_anchor_daily() -> None:
    settings_changes_record()
    anchor = chain_anchor()
    logger.info("audit chain anchored at #%s in %s", anchor["seq"], anchor["path"])
