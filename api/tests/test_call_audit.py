"""Every API call made with a token is an event of the audit trail: who, which token, method, path
and the answer, refused calls included."""

from __future__ import annotations

from audit.models import Event
from audit.services import chain_verify


def test_a_call_is_recorded_with_method_path_status_and_token(api_as, filler, base):
    api = api_as("filler")
    api.get("/bases")
    event = Event.objects.get(action="api.call")
    assert event.actor_id == filler.pk and event.outcome == "success"
    assert event.data == {
        "method": "GET",
        "path": "/api/v1/bases",
        "status": 200,
        "token": api.token.split("_")[1],
    }


def test_a_refused_call_is_recorded_as_refused(api_as, other_base):
    api_as("filler").get(f"/bases/{other_base.pk}")
    event = Event.objects.get(action="api.call")
    assert event.outcome == "refused" and event.data["status"] == 404


def test_the_chain_stays_verifiable(api_as, base):
    api = api_as("ministry")
    for path in ("/bases", "/authorities", "/campaigns"):
        api.get(path)
    assert Event.objects.filter(action="api.call").count() == 3
    assert chain_verify() == []
