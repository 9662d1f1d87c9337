"""Fixtures for the review tests: a tiny form (version "t") so a material can be made complete in a
few cells, the campaign switched to it with deadlines around "now", and helpers that make a material
ready to submit (values, development report, current sealed scans) or move it through the states.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from definitions.models import Definition, content_checksum
from exchange.models import SealedScan
from exchange.services import scan_upload_checked
from exchange.tests.printed import printed_upload
from registry.models import Campaign
from reports.models import DevelopmentReport
from review.services import review_approve, review_return, submission_submit
from submissions.models import NOT_YEARLY, Submission
from submissions.services import CellChange, explanation_save, submission_start, values_save

TINY_SUMMARY = {
    "code": "summary",
    "version": "t",
    "title": "测试汇总表",
    "short_title": "汇总表",
    "categories": [],
    "yoy_warning_threshold": 50,
    "sections": [
        {
            "code": "一",
            "title": "经济总量",
            "fields": [
                {"code": "1.1", "label": "销售收入", "type": "amount", "unit": "亿元", "years": [0, -1], "yoy": True},
                {"code": "1.1a", "label": "其中：主导产业销售收入", "type": "amount", "unit": "亿元",
                 "years": [0, -1], "part_of": "1.1"},
            ],
        },
        {
            "code": "十三",
            "title": "发展情况",
            "fields": [{"code": "13.1", "label": "发展思路", "type": "text", "max_length": 500}],
        },
    ],
}  # fmt: skip

GOOD = {("1.1", 2021): "110", ("1.1", 2020): "100", ("1.1a", 2021): "90", ("1.1a", 2020): "80"}
TEXT = "坚持创新驱动，推动产业集群高质量发展。"

ITEMS = [
    {"lead": "产业集群竞争力持续提升。", "content": "主导产业销售收入稳步增长，龙头企业带动作用明显。"},
    {"lead": "数字化转型成效明显。", "content": "建成智能工厂和数字化车间多家。"},
    {"lead": "绿色低碳发展取得进展。", "content": "单位工业增加值能耗持续下降。"},
]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service (or post to a view) as if its transaction committed, so its messages go out.

    A test runs inside one transaction that never commits, and messages and e-mail are sent only on
    commit (review.notifications), so a test that looks at them runs the action through this.
    """

    def call(action, /, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return call


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tiny(db) -> Definition:
    return Definition.objects.create(
        version="t",
        code="summary",
        title="测试汇总表",
        content=TINY_SUMMARY,
        checksum=content_checksum(TINY_SUMMARY),
    )


def set_deadline(campaign: Campaign, *, base: dt.datetime, authority: dt.datetime | None = None) -> Campaign:
    campaign.base_deadline = base
    campaign.authority_deadline = authority or base + dt.timedelta(days=7)
    campaign.save(update_fields=["base_deadline", "authority_deadline"])
    return campaign


@pytest.fixture
def open_campaign(campaign: Campaign, tiny: Definition) -> Campaign:
    """The shared 2022 campaign on the tiny form, with its base deadline ten days ahead."""
    campaign.form_version = "t"
    campaign.save(update_fields=["form_version"])
    return set_deadline(campaign, base=timezone.now() + dt.timedelta(days=10))


@pytest.fixture
def closed_campaign(open_campaign: Campaign) -> Campaign:
    """The same campaign whose base deadline passed yesterday."""
    return set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))


def cell(submission: Submission, user, code: str, year: int, raw) -> None:
    current = submission.values.filter(form="summary", code=code, year=year).first()
    result = values_save(
        submission=submission,
        user=user,
        changes=[
            CellChange(
                form="summary",
                code=code,
                year=year,
                raw=raw,
                base_revision=current.revision if current else None,
            )
        ],
    )
    assert result.cells[0].status in ("saved", "unchanged"), result.cells[0]


def upload_scans(submission: Submission, user) -> None:
    """Sealed scans that pass the QR check: the current prints themselves."""
    for kind in SealedScan.Kind.values:
        scan = scan_upload_checked(
            submission=submission, user=user, kind=kind, upload=printed_upload(submission, kind)
        )
        assert scan.is_verified, scan.check_message


def make_ready(submission: Submission, user, values: dict | None = None) -> Submission:
    """Values with no error, a complete development report and current sealed scans."""
    for (code, year), raw in (values or GOOD).items():
        cell(submission, user, code, year, raw)
    cell(submission, user, "13.1", NOT_YEARLY, TEXT)
    DevelopmentReport.objects.update_or_create(
        submission=submission,
        defaults={
            "overview": "示范基地发展概述。" * 10,
            "highlights": ITEMS,
            "practices": ITEMS,
            "problems": "高端零部件依赖进口，建议加大支持。",
            "revision": 1,
        },
    )
    upload_scans(submission, user)
    return submission


def rescan(submission: Submission, user) -> None:
    """After a correction the seals no longer match: print, seal and upload again."""
    upload_scans(submission, user)


@pytest.fixture
def material(open_campaign, base, filler) -> Submission:
    return submission_start(campaign=open_campaign, base=base, user=filler)


@pytest.fixture
def ready(material, filler) -> Submission:
    return make_ready(material, filler)


@pytest.fixture
def other_material(open_campaign, other_base, other_filler) -> Submission:
    return make_ready(
        submission_start(campaign=open_campaign, base=other_base, user=other_filler), other_filler
    )


@pytest.fixture
def submitted(ready, filler) -> Submission:
    return submission_submit(submission=ready, user=filler)


@pytest.fixture
def returned(submitted, reviewer) -> Submission:
    return review_return(submission=submitted, user=reviewer, comment="请核实销售收入。")


@pytest.fixture
def approved(submitted, reviewer) -> Submission:
    return review_approve(submission=submitted, user=reviewer)


# A jump of 1.1 from 100 to 200 (+100%) raises a 同比 warning the base must explain.
WARNING_VALUES = {("1.1", 2021): "200", ("1.1", 2020): "100", ("1.1a", 2021): "90", ("1.1a", 2020): "80"}
WARNING_KEY = "yoy:1.1:2021"


@pytest.fixture
def with_warning(material, filler) -> Submission:
    make_ready(material, filler, WARNING_VALUES)
    explanation_save(
        submission=material, user=filler, form="summary", finding_key=WARNING_KEY, text="新项目投产带动增长。"
    )
    rescan(material, filler)
    return material


def reload(submission: Submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)
