#!/usr/bin/env bash
# Nightly backup (cron or a systemd timer): the database and the uploaded files, then a restore drill
# of what was just written, so a backup that would not restore is known the same night.
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/sfjd/media BACKUP_DIR=/backup/sfjd scripts/backup.sh
# Point-in-time recovery (base backup plus WAL archiving) is described in docs/deployment.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
: "${DATABASE_URL:?请设置 DATABASE_URL（postgres://…）}"

"$PYTHON" manage.py backup_create
"$PYTHON" manage.py backup_drill
# Keep 30 days of nightly backups (the audit trail itself is kept 180 days in the database).
find "${BACKUP_DIR:-backups}" -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} +
