"""/audit/: the audit administrator (and nobody else) searches, filters, pages through and exports the
trail; each export is itself an event."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Event
from audit.services import event_record

URL = "/audit/"
OTHERS = ["filler", "reviewer", "ministry", "expert", "sysadmin", "secadmin"]


@pytest.fixture
def trail(db, filler, ministry, sysadmin):
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - dt.timedelta(days=40)):
        event_record(actor=ministry, action="campaign.open", summary="启动2022年度填报")
    event_record(actor=filler, action="values.save", summary="长沙：保存 3 项数值", ip="10.0.0.5")
    event_record(
        actor=None, action="auth.login_failed", summary="登录失败：用户名或口令错误", username="admin",
        outcome=Event.Outcome.REFUSED, ip="10.6.6.6",
    )  # fmt: skip
    event_record(
        actor=sysadmin, action="account.escalation_refused", summary="系统管理员越权被拒绝", outcome="refused"
    )


def listed(response) -> list[str]:
    return [e.action for e in response.context["page"].object_list]


@pytest.mark.parametrize("who", OTHERS)
def test_it_refuses_everyone_but_the_auditor(client, request, trail, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "csv"}).status_code == 403
    assert not Event.objects.filter(action="audit.export").exists()


def test_anonymous_is_sent_to_login(client, trail):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_auditor_sees_every_event_newest_first(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(URL)
    assert response.status_code == 200
    # The auditor's own login is the newest event.
    assert listed(response) == [
        "auth.login",
        "account.escalation_refused",
        "auth.login_failed",
        "values.save",
        "campaign.open",
    ]
    html = response.content.decode()
    assert "审计日志" in html and "10.6.6.6" in html and "拒绝/失败" in html


def test_it_filters_by_user_kind_outcome_address_and_dates(client, auditor, trail):
    client.force_login(auditor)
    assert listed(client.get(URL, {"user": "filler"})) == ["values.save"]
    assert listed(client.get(URL, {"kind": "values"})) == ["values.save"]
    refused = listed(client.get(URL, {"outcome": "refused"}))
    assert refused == ["account.escalation_refused", "auth.login_failed"]
    assert listed(client.get(URL, {"ip": "10.6.6.6"})) == ["auth.login_failed"]
    old = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    assert listed(client.get(URL, {"start": old, "end": old})) == ["campaign.open"]
    assert listed(client.get(URL, {"q": "越权"})) == ["account.escalation_refused"]


def test_a_reversed_date_range_is_an_error_at_the_field(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(URL, {"start": "2026-05-02", "end": "2026-05-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_it_pages_with_a_fixed_number_of_queries(client, auditor, trail, django_assert_max_num_queries):
    for i in range(120):
        event_record(actor=None, action="test.bulk", summary=f"第 {i} 条")
    client.force_login(auditor)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page": 2})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == 50 and page.paginator.num_pages >= 3


def test_the_export_follows_the_filter_and_is_itself_audited(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(URL, {"export": "csv", "outcome": "refused"}, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["序号", "时间", "操作人账号"]
    assert [r[6] for r in rows[1:]] == ["account.escalation_refused", "auth.login_failed"]
    export = Event.objects.get(action="audit.export")
    assert (export.actor, export.ip, export.data["count"]) == (auditor, "10.8.8.8", 2)
    assert export.data["filter"] == {"outcome": "refused"}


def test_the_export_as_an_excel_workbook_is_audited_too(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(URL, {"export": "xlsx", "kind": "values"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=1, column=1).value == "序号"
    assert [sheet.cell(row=r, column=7).value for r in range(2, sheet.max_row + 1)] == ["values.save"]
    assert Event.objects.get(action="audit.export").data["format"] == "xlsx"
