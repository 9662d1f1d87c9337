"""A submission's contact phones and e-mails are ciphertext in the values and their history, plain for
the base, its reviewers and the ministry, masked for experts (page, history, printed PDF)."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from definitions.models import Definition
from exchange.tests.printed import print_through_queue
from security.crypto import is_token
from submissions.models import Value, ValueChange
from submissions.sensitive import contacts_seal_existing
from submissions.services import CellChange, values_save

ROWS = [
    {"name": "王主任", "position": "主任", "mobile": "13812345678", "email": "wang@example.com"},
    {"name": "李联络", "mobile": "13987654321", "landline": "0731-88776655"},
]


@pytest.fixture
def contacts(submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="contacts", year=0, raw=ROWS)],
    )
    return Value.objects.get(submission=submission, code="contacts")


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_phones_and_emails_are_ciphertext_in_values_and_history(contacts):
    raw = stored("submissions_value", "raw", contacts.pk)
    canonical = stored("submissions_value", "value", contacts.pk)
    change_pk = contacts.submission.changes.get(code="contacts").pk
    history = stored("submissions_valuechange", "new_raw", change_pk)
    for text in (raw, canonical, history):
        assert "13812345678" not in text and "wang@example.com" not in text and "0731-88776655" not in text
        assert "王主任" in json.loads(text)[0]["name"]  # names and posts stay searchable plain text
        assert is_token(json.loads(text)[0]["mobile"])


def test_the_application_reads_them_back_and_an_unchanged_save_stays_unchanged(contacts, submission, filler):
    assert contacts.raw == ROWS
    result = values_save(
        submission=submission, user=filler,
        changes=[CellChange(form="summary", code="contacts", year=0, raw=ROWS, base_revision=1)],
    )  # fmt: skip
    assert result.cells[0].status == "unchanged"


def test_rows_written_before_encryption_are_sealed_by_the_migration_step(submission, contacts):
    with connection.cursor() as cursor:  # a row as stored before this change: plain JSON
        cursor.execute("UPDATE submissions_value SET raw = %s WHERE id = %s", [json.dumps(ROWS), contacts.pk])
    assert "13812345678" in stored("submissions_value", "raw", contacts.pk)
    contacts_seal_existing(value_model=Value, change_model=ValueChange, definition_model=Definition)
    assert "13812345678" not in stored("submissions_value", "raw", contacts.pk)
    assert Value.objects.get(pk=contacts.pk).raw == ROWS


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry"])
def test_the_base_its_reviewers_and_the_ministry_see_them_in_full(client, request, contacts, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(
        reverse("submissions:section", args=[contacts.submission_id, "summary", "基本信息"])
    ).content.decode()
    assert "13812345678" in html and "wang@example.com" in html


def test_an_expert_sees_them_masked_on_the_page_in_the_history_and_in_the_pdf(
    client, expert, contacts, django_capture_on_commit_callbacks
):
    client.force_login(expert)
    pk = contacts.submission_id
    html = client.get(reverse("submissions:section", args=[pk, "summary", "基本信息"])).content.decode()
    assert "13812345678" not in html and "138****5678" in html
    assert "wang@example.com" not in html and "w***@example.com" in html
    history = client.get(
        reverse("submissions:history", args=[pk]), {"form": "summary", "code": "contacts", "year": 0}
    )
    assert (
        "13812345678" not in history.content.decode() and "138****5678" in history.json()["changes"][0]["new"]
    )
    pdf = print_through_queue(
        client, reverse("exchange:summary_pdf", args=[pk]), django_capture_on_commit_callbacks
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "13812345678" not in text and "138****5678" in text
