"""The stored status after a save is computed again only for what the changed items affect
(submissions.validation.revalidate): it must be exactly what a full recomputation gives."""

from __future__ import annotations

import random

import pytest

import submissions.status as status_module
from conftest import make_base
from registry.models import Category
from submissions.models import MaterialCheck
from submissions.services import CellChange, submission_start, values_save
from submissions.status import material_check_refresh
from submissions.tests.checks import full_check
from submissions.validation import field_dependencies


def _inputs(definition) -> list[tuple[str, str, int, str]]:
    """Items other items depend on first (其中 wholes, rule sides, counts), then the rest."""
    deps = field_dependencies(definition)
    read_by_others = {d for code, ds in deps.items() for d in ds if d != code}
    out = []
    for fld in definition.fields():
        if fld.type in ("table", "yesno", "text", "email", "phone", "string", "choice"):
            continue
        years = definition.years_for(fld, 2021) if fld.is_yearly else [0]
        out.extend((definition.code, fld.code, y, fld.type) for y in years)
    out.sort(key=lambda i: i[1] not in read_by_others)
    return out


def _random_raw(rng: random.Random, kind: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""  # emptied: 必填 findings come back
    if roll < 0.22:
        return "约三十"  # not a number
    if roll < 0.3:
        return str(-rng.randint(1, 50))
    if kind == "percent":
        return str(rng.choice([5, 45.5, 99, 120]))
    if kind == "count":
        return str(rng.choice([0, 1, 3, 12, 2.5]))
    return str(rng.choice([0, 1, 8.5, 12, 100, 350.25, 1000, 2400]))


@pytest.mark.parametrize("kept", [False, True], ids=["read", "kept"])
@pytest.mark.parametrize("category_code", ["equipment", "annexed"])
def test_incremental_status_equals_a_full_recomputation(
    definitions, campaign, hunan, filler, base, category_code, kept, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """`kept`: each save commits (its on_commit callbacks run), so the next one starts from the cells
    and check the process kept of the material (submissions.status._STATES)."""
    calls = []
    real = status_module.revalidate
    monkeypatch.setattr(status_module, "revalidate", lambda **kw: calls.append(1) or real(**kw))
    full_reads = []
    real_cells = status_module.material_cells
    monkeypatch.setattr(
        status_module,
        "material_cells",
        lambda pk, codes=None: (codes is None and full_reads.append(pk)) or real_cells(pk, codes=codes),
    )
    if category_code == "equipment":
        submission = submission_start(campaign=campaign, base=base, user=filler)
    else:
        category = Category.objects.exclude(annex="").order_by("sort_order").first()
        other = make_base("附表示例基地", hunan, category, industry_flags=["steel"])
        campaign.bases.add(other)
        submission = submission_start(campaign=campaign, base=other, user=filler)
    rng = random.Random(2022)
    items = [i for d in submission.definitions() for i in _inputs(d.parsed())]
    revisions: dict[tuple[str, str, int], int] = {}
    for _ in range(60):
        picked = rng.sample(items[:40], 2) + rng.sample(items, 1)
        changes = [
            CellChange(
                form=f, code=c, year=y, raw=_random_raw(rng, kind), base_revision=revisions.get((f, c, y), 0)
            )
            for f, c, y, kind in picked
        ]
        with django_capture_on_commit_callbacks(execute=kept):
            result = values_save(submission=submission, user=filler, changes=changes)
        for cell in result.cells:
            if cell.status == "saved":
                revisions[(cell.form, cell.code, cell.year)] = cell.revision
        stored = MaterialCheck.objects.get(submission=submission)
        full = full_check(submission)
        assert stored.basis == full.basis
        assert stored.findings == full.findings
        assert stored.counts == full.counts
        assert stored.progress == full.progress
    assert len(calls) >= 60  # every save took the incremental path
    # submission_start read every cell, and so did every save but, when kept, the first one
    assert len(full_reads) == (2 if kept else 61)


def test_a_save_after_another_writer_falls_back_to_a_full_computation(submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="1.1", year=2021, raw="10")],
    )
    # Someone went around the services: the stored check is not the one of the revision before.
    submission.refresh_from_db()
    submission.revision += 5
    submission.save(update_fields=["revision"])
    check = material_check_refresh(submission=submission, changed={"summary": {"1.1"}})
    assert (
        check.findings == full_check(submission).findings and check.basis["revision"] == submission.revision
    )
