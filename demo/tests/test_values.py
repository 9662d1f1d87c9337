"""The demo's filled forms: complete, consistent history; a realistic mix of states this year."""

from __future__ import annotations

import io
import random
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from demo.values import base_words, build_model, form_cells, plan_copies, plan_current
from evaluation.models import QualityFlag
from exchange.models import SealedScan
from exchange.services import scan_problems
from registry.models import Base, Campaign
from reports.models import DevelopmentReport
from review.models import FieldComment, Snapshot, Transition
from submissions.models import Submission, Value, ValueChange, WarningExplanation
from submissions.services import profile_for, submission_findings, to_json, unexplained_warnings
from submissions.validation import parse_value

BASES = 30
SEED = 2022
S = Submission.Status


@pytest.fixture(scope="class")
def loaded(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo of 30 bases for the whole class, rolled back afterwards (loading it takes seconds)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", "--bases", str(BASES), "--seed", str(SEED), stdout=out)
        request.cls.output = out.getvalue()
        yield
        transaction.set_rollback(True)


def _values(campaign: Campaign) -> dict[tuple[int, str, str, int], Value]:
    return {(v.submission.base_id, v.form, v.code, v.year): v for v in Value.objects.filter(
        submission__campaign=campaign).select_related("submission")}  # fmt: skip


def _number(value: Value) -> Decimal:
    return Decimal(value.value)


@pytest.mark.usefixtures("loaded")
class TestLoadedDemo:
    output: str

    @property
    def previous(self) -> Campaign:
        return Campaign.objects.get(year=2021)

    @property
    def current(self) -> Campaign:
        return Campaign.objects.get(year=2022)

    def test_it_reports_what_it_filled(self):
        assert "已生成填报数据" in self.output
        assert "2021版报表定义" in self.output  # the previous campaign borrows the 2022 forms, and says so
        assert self.previous.form_version == "2022"

    def test_every_current_base_has_a_submission(self):
        current = self.current
        assert set(Submission.objects.filter(campaign=current).values_list("base_id", flat=True)) == set(
            current.bases.values_list("pk", flat=True)
        )

    def test_every_previous_base_is_accepted_history_with_its_transitions(self):
        previous = self.previous
        submissions = Submission.objects.filter(campaign=previous)
        assert submissions.count() == previous.bases.count() == BASES
        assert set(submissions.values_list("status", flat=True)) == {S.ACCEPTED}
        for submission in submissions:
            actions = list(submission.transitions.values_list("action", flat=True))
            assert actions == [Transition.Action.SUBMIT, Transition.Action.APPROVE, Transition.Action.ACCEPT]
        assert DevelopmentReport.objects.filter(submission__campaign=previous).count() == BASES

    def test_previous_material_has_no_errors_and_no_warnings(self):
        for submission in Submission.objects.filter(campaign=self.previous).select_related(
            "base__category", "campaign", "summary_definition", "annex_definition"
        ):
            findings = [f for items in submission_findings(submission).values() for f in items]
            assert findings == [], (submission.base.name, [f.message for f in findings][:3])

    def test_annex_bases_fill_their_annex(self):
        with_annex = Submission.objects.filter(campaign=self.previous, annex_definition__isnull=False)
        assert with_annex.exists()
        for submission in with_annex:
            assert submission.values.filter(form=submission.annex_definition.code).count() > 3

    def test_chains_hold_in_both_campaigns(self):
        chains = [("1.4c", "1.4b"), ("1.4b", "1.4"), ("1.4a", "1.4"), ("1.7b", "1.7a"), ("1.7a", "1.7"),
                  ("1.5a", "1.5"), ("4.1a", "4.1"), ("1.7", "1.8"), ("1.1a", "1.1"), ("6.2", "6.1")]  # fmt: skip
        for campaign in (self.previous, self.current):
            values = _values(campaign)
            checked = 0
            for (base, form, code, year), value in values.items():
                if form != "summary":
                    continue
                for part, whole in chains:
                    if code == part and (base, form, whole, year) in values:
                        assert _number(value) <= _number(values[(base, form, whole, year)]), (code, whole)
                        checked += 1
            assert checked > 100

    def test_numbers_are_plausible(self):
        values = Value.objects.filter(submission__campaign=self.previous, year__gt=0).select_related(
            "submission__summary_definition", "submission__annex_definition"
        )
        fields = {}
        growth: list[Decimal] = []
        by_key = {(v.submission_id, v.form, v.code, v.year): v for v in values}
        for v in values:
            if v.form not in fields:
                definition = next(d for d in v.submission.definitions() if d.code == v.form)
                fields[v.form] = definition.parsed().field_map()
            fld = fields[v.form][v.code]
            number = _number(v)
            if fld.type == "count":
                assert number == number.to_integral_value()
            if fld.type == "percent":
                assert 0 <= number <= 100
            if fld.type in ("amount", "count") and not fld.allow_negative:
                assert number >= 0
            before = by_key.get((v.submission_id, v.form, v.code, v.year - 1))
            if v.form == "summary" and fld.yoy and before is not None and _number(before) > 10:
                growth.append((number - _number(before)) / _number(before) * 100)
        mostly = [g for g in growth if Decimal(-6) <= g <= Decimal(20)]
        assert len(mostly) > 0.85 * len(growth)

    def test_the_header_texts_and_tables_are_filled_within_limits(self):
        submission = Submission.objects.filter(campaign=self.previous).first()
        definition = submission.summary_definition.parsed()
        values = {v.code: v for v in submission.values.filter(year=0)}
        assert values["base_name"].raw == submission.base.name
        assert len(values["12.1"].raw) == 5 and len(values["contacts"].raw) == 2
        for code in ("13.1", "16.3", "25.1"):
            assert 30 < len(values[code].raw) <= definition.field_map()[code].max_length
        assert values["18.3"].raw["answer"] == "是" and values["18.3"].raw["note"]

    def test_stored_values_are_in_the_canonical_form(self):
        for submission in Submission.objects.filter(campaign__in=[self.previous, self.current])[:6]:
            fields = {d.code: d.parsed().field_map() for d in submission.definitions()}
            for v in submission.values.all():
                assert v.value == to_json(parse_value(fields[v.form][v.code], v.raw).value)
            assert submission.changes.count() >= submission.values.count()

    def test_this_year_prefill_is_last_years_2020_and_2019(self):
        previous = _values(self.previous)
        prefilled = Value.objects.filter(submission__campaign=self.current, source=Value.Source.PREFILL)
        assert prefilled.exists()
        assert set(prefilled.values_list("year", flat=True)) == {2020, 2019}
        for v in prefilled.select_related("submission"):
            old = previous[(v.submission.base_id, v.form, v.code, v.year)]
            assert (v.raw, v.value) == (old.raw, old.value)
        expected = sum(1 for key in previous if key[3] in (2020, 2019))
        # every base of last year still taking part gets all of its 2020 and 2019 figures
        revoked = set(Base.objects.filter(status=Base.Status.REVOKED).values_list("pk", flat=True))
        expected = sum(1 for key in previous if key[3] in (2020, 2019) and key[0] not in revoked)
        assert prefilled.count() == expected

    def test_the_states_mix_has_every_state(self):
        states = Counter(Submission.objects.filter(campaign=self.current).values_list("status", flat=True))
        assert set(states) == set(S.values)
        assert states[S.DRAFT] > len(states) and states[S.DRAFT] > sum(states.values()) / 2

    def test_drafts_are_untouched_partial_or_complete(self):
        kinds = Counter()
        for submission in Submission.objects.filter(campaign=self.current, status=S.DRAFT):
            typed = submission.values.filter(year=2021).count()
            kinds["untouched" if typed == 0 else "typed"] += 1
        assert kinds["untouched"] >= 5 and kinds["typed"] >= 5

    def test_the_demo_filler_has_a_partly_filled_draft(self):
        filler = User.objects.get(username="demo_filler")
        submission = Submission.objects.get(campaign=self.current, base=filler.base)
        assert submission.status == S.DRAFT
        typed = submission.values.filter(year=2021)
        assert typed.exists() and set(typed.values_list("updated_by", flat=True)) == {filler.pk}
        errors = [
            f for items in submission_findings(submission).values() for f in items if f.severity == "error"
        ]
        assert errors  # something left to fill
        assert submission.report.revision == 1

    def test_the_demo_reviewer_has_material_to_review_when_their_authority_has_other_bases(self):
        reviewer = User.objects.get(username="demo_reviewer")
        filler = User.objects.get(username="demo_filler")
        others = self.current.bases.filter(authority=reviewer.authority).exclude(pk=filler.base_id)
        submitted = Submission.objects.filter(
            campaign=self.current, base__authority=reviewer.authority, status=S.SUBMITTED
        )
        # 30 bases over 45 authorities leave most with one base; the plan test below covers the rule.
        assert submitted.exists() == others.exists()

    def test_material_beyond_draft_is_complete_sealed_and_explained(self):
        moved = Submission.objects.filter(campaign=self.current).exclude(status=S.DRAFT)
        assert moved.count() >= 6
        for submission in moved:
            findings = submission_findings(submission)
            assert not [f for items in findings.values() for f in items if f.severity == "error"]
            assert unexplained_warnings(submission, findings) == []
            assert scan_problems(submission) == []
            assert (
                SealedScan.objects.filter(submission=submission, content_type="application/pdf").count() == 2
            )
            assert submission.transitions.filter(action=Transition.Action.SUBMIT).exists()

    def test_returned_material_carries_a_field_comment(self):
        returned = Submission.objects.filter(campaign=self.current, status=S.RETURNED)
        assert FieldComment.objects.filter(submission__in=returned).count() == returned.count()

    def test_approved_explanations_were_decided_and_accepted_material_was_snapshotted(self):
        for submission in Submission.objects.filter(
            campaign=self.current, status__in=[S.APPROVED, S.ACCEPTED]
        ):
            assert not submission.explanations.exclude(verdict=WarningExplanation.Verdict.ACCEPTED).exists()
        accepted = Submission.objects.filter(campaign=self.current, status=S.ACCEPTED)
        assert Snapshot.objects.filter(submission__in=accepted).count() == accepted.count()
        assert WarningExplanation.objects.filter(submission__campaign=self.current).exists()

    def test_it_is_deterministic(self):
        """What is stored is exactly what the pure generator gives for the seed."""
        for submission in Submission.objects.filter(campaign=self.previous).select_related(
            "base__category", "base__authority", "campaign", "summary_definition"
        )[:5]:
            base = submission.base
            cells = form_cells(
                definition=submission.summary_definition.parsed(), base=base, profile=profile_for(base),
                model=build_model(base, SEED), words=base_words(base, random.Random(f"{SEED}:words:{base.name}")),
                data_year=2020, seed=SEED,
            )  # fmt: skip
            stored = {(v.code, v.year): v.raw for v in submission.values.filter(form="summary")}
            assert stored == {(c.code, c.year): c.raw for c in cells}
        bases = list(self.current.bases.all())
        filler = User.objects.get(username="demo_filler")
        reviewer = User.objects.get(username="demo_reviewer")
        plan = plan_current(
            bases, seed=SEED, filler_base_id=filler.base_id, reviewer_authority_id=reviewer.authority_id
        )
        again = plan_current(
            bases, seed=SEED, filler_base_id=filler.base_id, reviewer_authority_id=reviewer.authority_id
        )
        assert plan == again
        states = dict(Submission.objects.filter(campaign=self.current).values_list("base_id", "status"))
        assert {b.pk: s for b, s in plan.real} == {b.pk: states[b.pk] for b, _ in plan.real}

    def test_the_copied_texts_the_quality_check_finds_are_the_planted_ones(self):
        bases = list(self.current.bases.select_related("category"))
        filler = User.objects.get(username="demo_filler")
        reviewer = User.objects.get(username="demo_reviewer")
        plan = plan_current(
            bases, seed=SEED, filler_base_id=filler.base_id, reviewer_authority_id=reviewer.authority_id
        )
        copies = plan_copies(bases, seed=SEED, filled=plan.complete + [b for b, _ in plan.real])
        shared = {b.pk for source, copier, _ in copies.shared for b in (source, copier)}
        flags = QualityFlag.objects.filter(run__campaign=self.current, kind="copied")
        assert flags.exists()
        for flag in flags:
            planted = copies.reuse if flag.detail["source"] == "own_last_year" else shared
            assert flag.base_id in planted, flag.message

    def test_running_again_creates_nothing(self):
        models = (Submission, Value, ValueChange, Transition, SealedScan, DevelopmentReport, User, Snapshot)
        before = {m.__name__: m.objects.count() for m in models}
        out = io.StringIO()
        call_command("load_demo", "--bases", str(BASES), "--seed", str(SEED), stdout=out)
        assert "填报数据已存在" in out.getvalue()
        assert {m.__name__: m.objects.count() for m in models} == before


@pytest.mark.django_db
def test_no_values_skips_the_forms():
    call_command("load_demo", "--bases", "12", "--no-values", stdout=io.StringIO())
    assert Base.objects.count() == 12
    assert not Submission.objects.exists()


def test_the_plan_puts_one_of_the_reviewers_bases_up_for_review():
    bases = [
        SimpleNamespace(pk=i, batch=1 + i % 10, name=f"基地{i:03d}", authority_id=i % 15)
        for i in range(1, 200)
    ]
    plan = plan_current(bases, seed=SEED, filler_base_id=7, reviewer_authority_id=7)
    mine = [(b.pk, state) for b, state in plan.real if b.authority_id == 7]
    assert mine and mine[0][1] == "submitted" and 7 not in [pk for pk, _ in mine]
    assert plan.partial[0].pk == 7
    assert Counter(state for _, state in plan.real).keys() == {
        "submitted",
        "returned",
        "approved",
        "accepted",
    }
    everyone = plan.untouched + plan.partial + plan.complete + [b for b, _ in plan.real]
    assert sorted(b.pk for b in everyone) == list(range(1, 200))
    assert 0.25 < len(plan.untouched) / 199 < 0.35 and 0.25 < len(plan.partial) / 199 < 0.35
