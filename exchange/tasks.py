"""Exchange work on the task queue (huey discovers this module in every consumer)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from exchange.excel_jobs import bulk_import_work, export_work
from exchange.print_jobs import printout_render_work
from exchange.scan_jobs import scan_check_work
from exchange.word_jobs import authority_documents_work, documents_zip_work
from jobs.services import job_execute


@db_task()
def excel_bulk_import_task(job_id: int) -> None:
    job_execute(job_id, bulk_import_work)


@db_task()
def excel_export_task(job_id: int) -> None:
    job_execute(job_id, export_work)


@db_task()
def authority_documents_task(job_id: int) -> None:
    job_execute(job_id, authority_documents_work)


@db_task()
def documents_zip_task(job_id: int) -> None:
    job_execute(job_id, documents_zip_work)


@db_task()
def scan_check_task(job_id: int) -> None:
    job_execute(job_id, scan_check_work)


@db_task()
def printout_render_task(job_id: int) -> None:
    job_execute(job_id, printout_render_work)
