"""`audit_verify` finds each way an assessor tried to falsify the trail: an edited row, removed newest
rows (with the chain head "fixed" to match), and a chain recomputed forward without the key."""

from __future__ import annotations

import hashlib
import hmac
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import ChainHead, Event
from audit.services import _payload, chain_anchor, event_record
from audit.tasks import audit_anchor_daily


@pytest.fixture
def anchors(settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    return settings.AUDIT_ANCHOR_DIR


@pytest.fixture
def trail(db, ministry, anchors) -> list[Event]:
    events = [event_record(actor=ministry, action="test.step", summary=f"第 {i} 件事") for i in range(5)]
    chain_anchor()
    return events


def verify() -> str:
    call_command("audit_verify")
    return ""


def failure() -> str:
    """What audit_verify says when it fails (it must fail): its summary and each problem."""
    problems = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", stderr=problems)
    assert "审计日志校验未通过" in str(exc.value)
    return problems.getvalue()


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_trail_verifies(trail, capsys):
    call_command("audit_verify")
    assert "审计日志完整" in capsys.readouterr().out


def test_an_edited_row_is_detected(trail, capsys):
    sql("UPDATE audit_event SET summary = %s WHERE id = %s", ["篡改后的摘要", trail[2].pk])
    assert f"第 {trail[2].seq} 条记录" in failure() and "校验值不符" in failure()


def test_removing_the_newest_rows_and_fixing_the_head_is_detected_by_the_anchor(trail):
    newest = Event.objects.order_by("-seq").first()
    keep = trail[2]
    sql("DELETE FROM audit_event WHERE seq > %s", [keep.seq])
    ChainHead.objects.filter(pk=1).update(seq=keep.seq, hash=keep.hash)
    assert newest.seq > keep.seq
    assert "尾部被截断" in failure()


def test_removing_the_newest_rows_without_an_anchor_is_caught_by_the_head(db, ministry, anchors):
    events = [event_record(actor=ministry, action="test.step", summary=f"第 {i} 件事") for i in range(4)]
    sql("DELETE FROM audit_event WHERE seq > %s", [events[1].seq])
    assert "最新的记录被删除" in failure()


def test_a_chain_recomputed_forward_without_the_key_is_detected(trail):
    # The assessor's attack: edit a row, then recompute every following hash with a key of their own
    # (the plain SHA-256 of the old chain was this with no key at all) and fix the head.
    wrong_key = b"not-the-real-key"
    prev = Event.objects.get(seq=trail[1].seq).hash
    for event in Event.objects.filter(seq__gte=trail[2].seq).order_by("seq"):
        if event.pk == trail[2].pk:
            event.summary = "改写后的摘要"
        event.prev_hash = prev
        message = json.dumps(
            _payload(event), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
        )
        digest = hmac.new(wrong_key, message.encode(), hashlib.sha256).hexdigest()
        sql(
            "UPDATE audit_event SET summary = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.summary, prev, digest, event.pk],
        )
        prev = digest
    last = Event.objects.order_by("-seq").first()
    ChainHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)
    problems = failure()
    assert f"第 {trail[2].seq} 条记录" in problems and "不持有密钥者重新计算" in problems


def test_the_anchor_command_writes_a_file_and_mails_the_auditor(
    db, ministry, anchors, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.AUDIT_ANCHOR_EMAILS = ["auditor@example.com"]
    event_record(actor=ministry, action="test.step", summary="一件事")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit_anchor", stdout=io.StringIO())
    files = list(anchors.glob("audit-anchor-*.json"))
    assert len(files) == 1
    anchor = json.loads(files[0].read_text(encoding="utf-8"))
    head = ChainHead.objects.get(pk=1)
    assert (anchor["seq"], anchor["hash"]) == (head.seq, head.hash)
    assert mailoutbox[0].to == ["auditor@example.com"] and head.hash in mailoutbox[0].body


def test_the_daily_task_anchors(db, ministry, anchors):

    event_record(actor=ministry, action="test.step", summary="一件事")
    audit_anchor_daily.call_local()
    assert len(list(anchors.glob("audit-anchor-*.json"))) == 1
    assert Event.objects.filter(action="audit.anchor").exists()
