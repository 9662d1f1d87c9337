"""Audit events are chained: editing or removing one is detected."""

from django.db import connection

from audit.services import chain_verify, event_record


def test_events_chain_and_verify(ministry, base):
    first = event_record(actor=ministry, action="test.one", summary="第一件事", target=base, base=base)
    second = event_record(actor=ministry, action="test.two", summary="第二件事", data={"n": 1})
    assert second.prev_hash == first.hash
    assert first.actor_name == "王规划"
    assert chain_verify() == []


def test_tampering_is_detected(ministry):
    event_record(actor=ministry, action="test.one", summary="原文")
    tampered = event_record(actor=ministry, action="test.two", summary="原文二")
    with connection.cursor() as cursor:  # the application refuses updates; only SQL can tamper
        cursor.execute("UPDATE audit_event SET summary = %s WHERE id = %s", ["篡改", tampered.pk])
    assert chain_verify() == [tampered.pk]
