"""The help page: the notice itself, its attachments as downloads, the contacts as printed, the deadlines."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("help:index")
ROLES = ["filler", "reviewer", "ministry", "expert", "sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_notice_with_contacts_and_deadlines(client, request, campaign, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(URL).content.decode()
    assert "工规函〔2022〕530号" in html
    assert "各省、自治区、直辖市及计划单列市" in html  # the notice's text, not a summary
    assert "李元" in html and "010-68205143" in html
    assert "王苗佳、周义明(技术支持)" in html and "010-68200304" in html
    assert "2022年8月24日（含）" in html and "2022年8月31日（含）" in html
    assert reverse("help:attachment", args=["2022", 1]) in html


def test_it_is_linked_from_the_nav(client, filler, campaign):
    client.force_login(filler)
    assert f'href="{URL}"' in client.get(reverse("accounts:home")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize(
    ("number", "title", "sample"),
    [
        (1, "国家新型工业化产业示范基地发展情况汇总表", "1.5 进出口总额和出口额：以人民币计算"),
        (2, "XX 示范基地 2021 年发展情况报告（示例）", "300 字左右"),
        (3, "XX 示范基地优秀案例推荐（示例）", "从 3-5 方面介绍有关做法和举措"),
    ],
)
def test_each_attachment_downloads_as_its_text(client, filler, campaign, number, title, sample):
    client.force_login(filler)
    response = client.get(reverse("help:attachment", args=["2022", number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"附件{number} {title}" in unquote(response["Content-Disposition"])
    text = response.content.decode()
    assert sample in text and "联系人及联系方式" not in text


def test_an_unknown_attachment_or_version_is_404(client, filler, campaign):
    client.force_login(filler)
    assert client.get(reverse("help:attachment", args=["2022", 9])).status_code == 404
    assert client.get(reverse("help:attachment", args=["1999", 1])).status_code == 404
