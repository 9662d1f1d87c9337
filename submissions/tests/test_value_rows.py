"""lib.rows writes Value and ValueChange rows exactly as the ORM would (values_save relies on it)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection, models
from django.utils import timezone

from lib.rows import _preparers, rows_insert, rows_update, values_insert, values_update
from security.crypto import is_token
from security.fields import Sensitive
from submissions.models import Value

COLUMNS = [
    "submission", "form", "code", "year", "raw", "value", "entered_currency", "revision", "updated_at",
    "updated_by", "source",
]  # fmt: skip


def _stored(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw, value, updated_at FROM submissions_value WHERE id = %s", [pk])
        return cursor.fetchone()


def test_inserted_rows_read_back_as_the_orm_wrote_them(submission, filler):
    now = timezone.now()
    rows = [
        Value(
            submission=submission, form="summary", code="c1", year=2021, raw="12.5", value="12.5",
            revision=1, updated_at=now, updated_by=filler, source=Value.Source.IMPORT,
        ),
        Value(
            submission=submission, form="summary", code="contacts", year=0,
            raw=[{"name": "张三", "mobile": Sensitive("13812345678")}], value=None, revision=1,
            updated_at=now, updated_by=None, source=Value.Source.WEB,
        ),
    ]  # fmt: skip
    rows_insert(Value, rows, COLUMNS)
    first = Value.objects.get(submission=submission, code="c1")
    assert (first.raw, first.value, first.updated_by, first.source) == ("12.5", "12.5", filler, "import")
    assert first.updated_at == now and first.year == 2021 and first.entered_currency == ""
    contacts = Value.objects.get(submission=submission, code="contacts")
    assert contacts.raw == [{"name": "张三", "mobile": "13812345678"}]
    assert isinstance(contacts.raw[0]["mobile"], Sensitive)  # stays marked: saved again, it stays sealed
    raw_column = _stored(contacts.pk)[0]
    assert "13812345678" not in raw_column and "enc1:" in raw_column


def test_updated_rows_change_only_the_given_columns(submission, filler):
    value = Value.objects.create(
        submission=submission, form="summary", code="c1", year=2021, raw="1", value="1", updated_by=filler
    )
    value.raw, value.value, value.revision = "２,000", str(Decimal("2000")), 2
    value.form = "changed but not written"
    rows_update(Value, [value], ["raw", "value", "revision"])
    fresh = Value.objects.get(pk=value.pk)
    assert (fresh.raw, fresh.value, fresh.revision, fresh.form) == ("２,000", "2000", 2, "summary")
    assert fresh.updated_by == filler


def test_a_sealed_string_is_a_token_in_the_database(submission):
    value = Value(
        submission=submission, form="summary", code="mail", year=0, raw=Sensitive("a@example.cn"),
        value=Sensitive("a@example.cn"), updated_at=timezone.now(), source=Value.Source.WEB,
    )  # fmt: skip
    rows_insert(Value, [value], COLUMNS)
    stored = Value.objects.get(submission=submission, code="mail")
    raw_column, value_column, _ = _stored(stored.pk)
    assert "a@example.cn" not in value_column
    assert "a@example.cn" not in raw_column and is_token(raw_column.strip('"'))
    assert stored.raw == "a@example.cn" == stored.value


def test_plain_rows_are_written_like_instances(submission, filler):
    now = timezone.now()
    values_insert(
        Value,
        [(submission.pk, "summary", "c2", 2021, "7", "7", "", 1, now, filler.pk, Value.Source.IMPORT)],
        COLUMNS,
    )
    row = Value.objects.get(submission=submission, code="c2")
    assert (row.raw, row.updated_by, row.updated_at, row.source) == ("7", filler, now, "import")
    values_update(Value, [(Sensitive("8@example.cn"), 2, row.pk)], ["raw", "revision"])
    row.refresh_from_db()
    assert (row.raw, row.revision, row.value) == ("8@example.cn", 2, "7")
    assert "8@example.cn" not in _stored(row.pk)[0]
    with pytest.raises(ValueError):  # a row one value short is not written shifted
        values_insert(Value, [(submission.pk, "summary", "c3", 2021, "7", "7", "", 1, now, None)], COLUMNS)


class _Shouting(models.JSONField):
    def get_prep_value(self, value):
        return value.upper() if isinstance(value, str) else value


@pytest.mark.django_db
def test_json_values_are_prepared_as_the_field_prepares_them():
    plain, sealed, shouting = models.JSONField(null=True), Value._meta.get_field("raw"), _Shouting(null=True)
    for field in (plain, sealed, shouting):
        [prepare] = _preparers([field], connection)
        for value in ("12.5", None, [{"a": "1"}], {"answer": True}, 3, "你好"):
            assert _param(prepare(value)) == _param(field.get_db_prep_save(value, connection)), (field, value)
    [prepare] = _preparers([sealed], connection)
    assert is_token(json.loads(_param(prepare(Sensitive("a@example.cn")))))
    [prepare] = _preparers([shouting], connection)
    assert _param(prepare("ab")) == _param(connection.ops.adapt_json_value("AB", None))


def _param(value):
    """A prepared parameter as text (PostgreSQL's Jsonb wrapper does not compare by value)."""
    return json.dumps(value.obj) if hasattr(value, "obj") else value


def test_each_value_is_prepared_by_its_own_column(submission, filler):
    """Prepared column by column, every value still lands in its row and column: the rows' own
    values, with the JSON and timestamp columns prepared and the others as given."""
    now = timezone.now()
    rows = [
        (submission.pk, "summary", f"c{i}", 2020 + i % 3, f"{i}.5" if i % 2 else None, str(i), "", i, now,
         filler.pk if i % 3 else None, "import")
        for i in range(1, 8)
    ]  # fmt: skip
    values_insert(Value, rows, COLUMNS)
    stored = {v.code: v for v in Value.objects.filter(submission=submission, code__in=[r[2] for r in rows])}
    for row in rows:
        value = stored[row[2]]
        assert (
            value.year,
            value.raw,
            value.value,
            value.revision,
            value.updated_by_id,
            value.updated_at,
        ) == (row[3], row[4], row[5], row[7], row[9], now)


def test_a_row_of_the_wrong_length_is_refused(submission):
    with pytest.raises(ValueError):
        values_insert(Value, [(submission.pk, "summary", "c1", 2021)], COLUMNS)
    assert not Value.objects.filter(submission=submission, code="c1").exists()
