"""Audit events are chained: editing or removing one is detected."""

from audit.models import Event
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
    Event.objects.filter(pk=tampered.pk).update(summary="篡改")
    assert chain_verify() == [tampered.pk]
