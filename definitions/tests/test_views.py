"""The definition JSON: readable by every signed-in role, a 404 for what does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from definitions.models import Definition
from definitions.schema import parse_definition
from definitions.services import definition_freeze

ROLES = [
    "filler",
    "other_filler",
    "reviewer",
    "other_reviewer",
    "ministry",
    "expert",
    "sysadmin",
    "secadmin",
    "auditor",
]


def json_url(version: str, code: str) -> str:
    return reverse("definitions:definition_json", args=[version, code])


def test_the_address_is_stable():
    assert json_url("2022", "summary") == "/definitions/2022/summary.json"
    assert reverse("definitions:definition_index", args=["2022"]) == "/definitions/2022/"


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_summary(client, request, loaded_2022, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(json_url("2022", "summary"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    stored = loaded_2022["summary"]
    assert body["checksum"] == stored.checksum
    assert body["definition"] == stored.content
    assert body["frozen_at"] is None
    assert (
        parse_definition(body["definition"]).field_map()["3.2"].label_variants[0].label == "软件著作权拥有量"
    )


def test_chinese_is_not_escaped(client, filler, loaded_2022):
    client.force_login(filler)
    assert "销售收入".encode() in client.get(json_url("2022", "summary")).content


def test_frozen_time_is_shown(client, filler, loaded_2022):
    definition_freeze(definition=loaded_2022["annex1"])
    client.force_login(filler)
    assert client.get(json_url("2022", "annex1")).json()["frozen_at"] is not None


def test_index_lists_the_version(client, reviewer, loaded_2022):
    client.force_login(reviewer)
    body = client.get(reverse("definitions:definition_index", args=["2022"])).json()
    assert body["version"] == "2022"
    rows = {row["code"]: row for row in body["definitions"]}
    assert sorted(rows) == ["annex1", "annex2", "annex3", "annex4", "annex5", "annex6", "summary"]
    assert rows["annex6"]["categories"] == ["datacenter"]
    assert rows["summary"]["url"] == "/definitions/2022/summary.json"
    assert rows["summary"]["checksum"] == loaded_2022["summary"].checksum


@pytest.mark.parametrize(("version", "code"), [("2022", "annex7"), ("2021", "summary"), ("2022", "Summary")])
def test_unknown_definition_is_404(client, filler, loaded_2022, version, code):
    client.force_login(filler)
    assert client.get(json_url(version, code)).status_code == 404


def test_unknown_version_index_is_404(client, filler, loaded_2022):
    client.force_login(filler)
    assert client.get(reverse("definitions:definition_index", args=["2019"])).status_code == 404


@pytest.mark.parametrize("name", ["json", "index"])
def test_anonymous_is_sent_to_login(client, loaded_2022, name):
    url = (
        json_url("2022", "summary")
        if name == "json"
        else reverse("definitions:definition_index", args=["2022"])
    )
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_disabled_account_is_sent_to_login(client, filler, loaded_2022):
    client.force_login(filler)
    filler.is_active = False
    filler.save(update_fields=["is_active"])
    assert client.get(json_url("2022", "summary")).status_code == 302


def test_reading_takes_a_fixed_number_of_queries(client, filler, loaded_2022, django_assert_max_num_queries):
    client.force_login(filler)
    with django_assert_max_num_queries(3):
        client.get(json_url("2022", "summary"))
    assert Definition.objects.count() == 7
