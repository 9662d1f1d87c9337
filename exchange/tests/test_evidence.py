"""附表6 证明材料 (issue 8): the seven 数据中心 items whose notice text asks for licences, third-party
test reports or a PUE diagram get upload slots, checked by the sealed scans' own function, listed in
the printed 汇总表 and visible to the reviewers of the base, nobody else."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from audit.models import Event
from conftest import make_base, make_user
from exchange.models import Evidence
from exchange.pdf import summary_pdf
from exchange.services import evidence_by_item, evidence_fields, evidence_remove, evidence_upload
from exchange.tests.conftest import image_bytes, pdf_bytes, upload
from registry.models import Category
from submissions.models import Submission
from submissions.services import profile_for, submission_start

pytestmark = pytest.mark.django_db

SEVEN = {
    "legal_compliance",
    "it_load",
    "energy_efficiency",
    "energy_monitoring",
    "computing_efficiency",
    "security_standards",
    "service_capability",
}


@pytest.fixture
def dc_base(hunan, campaign):
    base = make_base("数据中心·长沙示例数据中心产业园", hunan, Category.objects.get(code="datacenter"))
    campaign.bases.add(base)
    return base


@pytest.fixture
def dc_filler(dc_base):
    return make_user("dc_filler", Role.BASE_FILLER, base=dc_base, full_name="数据中心填报员")


@pytest.fixture
def dc(forms_2022, campaign, dc_base, dc_filler) -> Submission:
    return submission_start(campaign=campaign, base=dc_base, user=dc_filler)


def attach(submission, user, code="it_load", name="测试报告.pdf", content=None):
    return evidence_upload(
        submission=submission,
        user=user,
        form="annex6",
        code=code,
        upload=upload(name, content or pdf_bytes()),
    )


def test_the_seven_items_that_ask_for_evidence_have_slots(dc):
    assert {fld.code for form, fld in evidence_fields(dc)} == SEVEN
    assert all(form == "annex6" for form, _ in evidence_fields(dc))


def test_other_bases_have_no_slots(submission):
    assert evidence_fields(submission) == []


def test_a_pdf_and_an_image_are_stored_and_recorded(dc, dc_filler):
    item = attach(dc, dc_filler)
    attach(dc, dc_filler, code="energy_monitoring", name="PUE拓扑图.png", content=image_bytes("PNG"))
    assert (item.form, item.code, item.content_type, len(item.sha256)) == (
        "annex6",
        "it_load",
        "application/pdf",
        64,
    )
    grouped = evidence_by_item(dc)
    assert [e.original_name for e in grouped[("annex6", "energy_monitoring")]] == ["PUE拓扑图.png"]
    assert Event.objects.filter(action="exchange.evidence_upload").count() == 2


def test_it_uses_the_sealed_scan_checks(dc, dc_filler):
    with pytest.raises(ValidationError) as caught:
        attach(dc, dc_filler, name="报告.pdf", content=b"MZ\x90\x00" + b"\x00" * 200)
    assert "只能上传 PDF、JPG 或 PNG" in caught.value.messages[0]
    with pytest.raises(ValidationError, match="扩展名"):
        attach(dc, dc_filler, name="报告.png", content=pdf_bytes())
    assert not Evidence.objects.exists()


def test_an_item_without_evidence_takes_none(dc, dc_filler):
    with pytest.raises(ValidationError, match="无需上传证明材料"):
        attach(dc, dc_filler, code="future_plans")


def test_only_the_base_s_filler_uploads_while_the_material_may_change(dc, dc_filler, filler, reviewer):
    for outsider in (filler, reviewer):
        with pytest.raises(PermissionDenied):
            attach(dc, outsider)
    Submission.objects.filter(pk=dc.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="不能上传证明材料"):
        attach(dc, dc_filler)


def test_removing_keeps_the_row_for_the_audit_trail(dc, dc_filler):
    item = attach(dc, dc_filler)
    evidence_remove(evidence=item, user=dc_filler)
    assert evidence_by_item(dc) == {}
    assert Evidence.objects.get().removed_at is not None


def test_the_printed_summary_lists_the_evidence(dc, dc_filler):
    attach(dc, dc_filler, name="IT负荷测试报告.pdf")
    data = summary_pdf(
        submission=dc,
        values=list(dc.values.all()),
        profile=profile_for(dc.base),
        fingerprint="0" * 64,
        generated_at=dt.datetime(2022, 8, 20, tzinfo=dt.UTC),
        evidence={k: [e.original_name for e in v] for k, v in evidence_by_item(dc).items()},
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    assert "证明材料：IT负荷测试报告.pdf" in text and "证明材料：未上传" in text


# --- the page and the files ------------------------------------------------------------------------


def url(submission) -> str:
    return reverse("exchange:evidence", args=[submission.pk])


def test_the_filler_uploads_through_the_page(client, dc, dc_filler):
    client.force_login(dc_filler)
    html = client.get(url(dc)).content.decode()
    assert html.count('class="card evidence-slot"') == 7 and "提供能耗监测及PUE计算拓扑图" in html
    response = client.post(
        url(dc),
        {"form": "annex6", "code": "it_load", "annex6-it_load-file": upload("负荷报告.pdf", pdf_bytes())},
        follow=True,
    )
    assert "证明材料 负荷报告.pdf 已上传" in response.content.decode()
    assert Evidence.objects.get().code == "it_load"


def test_a_bad_file_is_refused_at_its_slot_in_chinese(client, dc, dc_filler):
    client.force_login(dc_filler)
    html = client.post(
        url(dc),
        {"form": "annex6", "code": "it_load", "annex6-it_load-file": upload("a.pdf", b"hello world" * 10)},
    ).content.decode()
    assert "只能上传 PDF、JPG 或 PNG" in html and not Evidence.objects.exists()


def test_the_base_s_reviewer_sees_the_files_read_only(client, dc, dc_filler, reviewer):
    item = attach(dc, dc_filler)
    client.force_login(reviewer)
    html = client.get(url(dc)).content.decode()
    assert item.original_name in html and 'type="file"' not in html
    response = client.get(reverse("exchange:evidence_file", args=[dc.pk, item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    download = Event.objects.get(action="exchange.evidence_download")
    assert (download.actor, download.outcome, download.target_id) == (reviewer, "success", str(item.pk))
    assert client.post(url(dc), {"remove": item.pk}).status_code == 403


@pytest.mark.parametrize("who", ["other_reviewer", "other_filler", "filler"])
def test_outsiders_get_404(client, request, dc, dc_filler, who):
    item = attach(dc, dc_filler)
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(dc)).status_code == 404
    assert client.get(reverse("exchange:evidence_file", args=[dc.pk, item.pk])).status_code == 404


def test_a_file_altered_on_disk_is_refused_when_served_and_audited(client, dc, dc_filler, media_root):
    item = attach(dc, dc_filler)
    (media_root / item.file.name).write_bytes(pdf_bytes("altered"))
    client.force_login(dc_filler)
    response = client.get(reverse("exchange:evidence_file", args=[dc.pk, item.pk]))
    assert response.status_code == 500 and "校验失败" in response.content.decode()
    assert Event.objects.get(action="exchange.evidence_download").outcome == "refused"
