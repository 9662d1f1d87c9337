"""附表6's supporting documents on the submit page and the reviewer's page: listed while missing,
never a blocker (a base without a third-party report must still be able to report)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exchange.services import evidence_missing
from exchange.tests.test_evidence import attach, dc, dc_base, dc_filler  # noqa: F401 (fixtures)
from review.services import submission_blockers

pytestmark = pytest.mark.django_db


def test_the_seven_items_are_missing_until_a_document_is_attached(dc, dc_filler):  # noqa: F811
    assert len(evidence_missing(dc)) == 7
    attach(dc, dc_filler, code="it_load")
    missing = {fld.code for _, fld in evidence_missing(dc)}
    assert len(missing) == 6 and "it_load" not in missing


def test_the_submit_page_lists_what_is_missing_with_a_link_to_its_slot(client, dc, dc_filler):  # noqa: F811
    client.force_login(dc_filler)
    page = client.get(reverse("review:submit", args=[dc.pk])).content.decode()
    assert "通知要求以下 7 项提供证明材料，尚未上传" in page
    assert f"{reverse('exchange:evidence', args=[dc.pk])}#ev-it_load" in page
    assert "未上传证明材料不影响提交" in page


def test_missing_documents_do_not_block_submission(dc, dc_filler):  # noqa: F811
    assert not any("证明材料" in str(b) for b in submission_blockers(dc))


def test_other_bases_see_no_evidence_section(client, submission, filler):
    client.force_login(filler)
    page = client.get(reverse("review:submit", args=[submission.pk])).content.decode()
    assert 'id="evidence-missing"' not in page


def test_the_reviewer_sees_how_many_are_missing(client, dc, dc_filler, reviewer):  # noqa: F811
    attach(dc, dc_filler, code="it_load")
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[dc.pk])).content.decode()
    assert "证明材料（缺 6 项）" in page
