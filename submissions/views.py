"""The data-entry pages: the filler's entry point, the overview, one section's grid, and the JSON
endpoints the page's script calls (autosave, a cell's history, a warning's explanation).

Every view fetches the material through permissions.access; editing additionally needs can_fill.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from definitions.schema import BaseProfile, FormDefinition, Section
from lib.deadlines import countdown
from lib.links import cached_reverse
from permissions.access import access_submission, visible_submissions
from permissions.checks import can_fill, can_fill_own_base, can_see_contacts
from registry.models import Campaign
from review.path import todo_path, todo_path_counts
from review.queries import FieldIndex, comment_refs
from review.services import last_return
from review.status import material_status
from submissions.entry_html import findings_html, grid_html, item_html, nav_html, section_urls
from submissions.forms import (
    PayloadError,
    finding_views,
    parse_save_payload,
    raw_text,
    section_blocks,
)
from submissions.models import NOT_YEARLY, MaterialCheck, Submission, Value, ValueChange, WarningExplanation
from submissions.sensitive import contacts_masked, is_sensitive
from submissions.services import CellChange, explanation_save, submission_start, values_save
from submissions.status import (
    CheckedFinding,
    checked_findings,
    material_check,
    profile_for,
    validation_input,
    values_by_form,
)
from submissions.validation import Finding, compute_yoy

# --- helpers -------------------------------------------------------------------------------------

# What a section page reads of a stored cell (submissions.status.CELL_COLUMNS and the revision).
SECTION_CELL_COLUMNS = ("form", "code", "year", "raw", "value", "entered_currency", "revision")


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _ok(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse({"ok": True, **data}, json_dumps_params={"ensure_ascii": False})


def _validation_message(exc: ValidationError) -> str:
    return "；".join(exc.messages) if exc.messages else "保存失败。"


def _definitions(submission: Submission) -> list[FormDefinition]:
    return [d.parsed() for d in submission.definitions()]


def _form(submission: Submission, form: str) -> FormDefinition:
    for parsed in _definitions(submission):
        if parsed.code == form:
            return parsed
    raise Http404("没有该报表。")


def _section(definition: FormDefinition, code: str) -> Section:
    for section in definition.sections:
        if section.code == code:
            return section
    raise Http404("没有该部分。")


class Material:
    """What the pages show of one material, read from its stored check (submissions.status): the
    findings, the counts and the progress per section. The values themselves are read only by a page
    that shows cells (`values`, `inputs`), so the overview costs the same for an empty or a full form.
    """

    def __init__(
        self, submission: Submission, *, mask_contacts: bool = False, check: MaterialCheck | None = None
    ) -> None:
        self.submission = submission
        self.profile = profile_for(submission.base)
        self.data_year = submission.campaign.data_year
        self.definitions = _definitions(submission)
        self._mask_contacts = mask_contacts
        # A save passes the check it just stored; otherwise the stored one is read (or recomputed).
        self.check = check or material_check(submission)
        self.progress: dict[str, dict[str, tuple[int, int]]] = {
            form: {section: (int(p[0]), int(p[1])) for section, p in sections.items()}
            for form, sections in self.check.progress.items()
        }

    # Read when asked: an autosave's answer shows one section's findings (section_findings), and
    # decoding every finding of the material, and its explanations, was a tenth of its time.
    @cached_property
    def explanations(self) -> dict[tuple[str, str], WarningExplanation]:
        return {(e.form, e.finding_key): e for e in self.submission.explanations.select_related("verdict_by")}

    @cached_property
    def checked(self) -> list[CheckedFinding]:
        """The findings of `check`, as review.status.MaterialStatus.findings() reads them."""
        return checked_findings(self.check)

    @cached_property
    def findings(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {p.code: [] for p in self.definitions}
        for c in self.checked:
            out.setdefault(c.form, []).append(c.finding)
        return out

    @cached_property
    def values(self) -> dict[str, dict[tuple[str, int], Value]]:
        values = values_by_form(self.submission)
        if self._mask_contacts:
            # The stored checks ran on the real values: what is shown is masked, nothing is saved.
            for parsed in self.definitions:
                for key, value in values.get(parsed.code, {}).items():
                    fld = parsed.field_map().get(key[0])
                    if fld is not None and is_sensitive(fld):
                        value.raw = contacts_masked(fld, value.raw)
                        value.value = contacts_masked(fld, value.value)
        return values

    def section_values(self, form: FormDefinition, codes: Collection[str]) -> dict[tuple[str, int], Any]:
        """The stored cells of the items `codes` of one form, {(code, year): cell}, masked as `values`
        is: what a section page shows and computes its 同比 from (a cell's 同比 reads only its own
        item), read as plain rows (the fields section_blocks and validation_input read, and the
        revision), a fraction of the cost of every Value of the material as a model instance."""
        rows = self.submission.values.filter(form=form.code, code__in=list(codes)).values_list(
            *SECTION_CELL_COLUMNS, named=True
        )
        out: dict[tuple[str, int], Any] = {}
        for row in rows:
            if self._mask_contacts:
                fld = form.field_map().get(row.code)
                if fld is not None and is_sensitive(fld):
                    row = row._replace(
                        raw=contacts_masked(fld, row.raw), value=contacts_masked(fld, row.value)
                    )
            out[(row.code, row.year)] = row
        return out

    @cached_property
    def inputs(self) -> dict[str, dict[tuple[str, int], Any]]:
        return {p.code: validation_input(self.values.get(p.code, {}), p) for p in self.definitions}

    def section_findings(self, form: str, section: str) -> list[Finding]:
        if "findings" not in self.__dict__:  # only this section's decoded
            return [c.finding for c in checked_findings(self.check, form=form, section=section)]
        return [f for f in self.findings.get(form, []) if f.section == section]

    def section_counts(self) -> dict[tuple[str, str], dict[str, int]]:
        """Per (form, section): errors other than incomplete mandatory cells (those are the
        progress), warnings, and warnings without an explanation for their current values."""
        out: dict[tuple[str, str], dict[str, int]] = {}
        for c in self.checked:
            kind = c.kind
            if kind == "missing":
                continue
            key = (c.form, c.finding.section)
            counts = out.get(key)
            if counts is None:
                counts = out[key] = {"errors": 0, "warnings": 0, "unexplained": 0}
            if kind == "warning":
                counts["warnings"] += 1
                if not c.explained:
                    counts["unexplained"] += 1
            else:
                counts["errors"] += 1
        return out

    def progress_json(self) -> dict[str, dict[str, list[int]]]:
        return {form: {s: list(p) for s, p in sections.items()} for form, sections in self.progress.items()}


# (definition checksum, base profile) → the sections the navigation lists; bounded, rarely more than
# a few dozen (versions × forms × the profiles of the bases).
_SHOWN: dict[tuple[str, BaseProfile], frozenset[str]] = {}


def _shown_sections(checksum: str, parsed: FormDefinition, profile: BaseProfile) -> frozenset[str]:
    """The sections of a definition with an item the base fills (not every one hidden for it). Keyed
    on the definition's checksum (the content `parsed` was parsed from) and the base's profile, all
    the answer depends on, so it cannot go stale."""
    key = (checksum, profile)
    found = _SHOWN.get(key)
    if found is None:
        if len(_SHOWN) > 512:
            _SHOWN.clear()
        found = _SHOWN[key] = frozenset(
            s.code
            for s in parsed.sections
            if any(parsed.status_for(f, profile) != "hidden" for f in s.fields)
        )
    return found


def _nav(material: Material, submission: Submission) -> list[dict[str, Any]]:
    """Every section of every form, in order, for the side navigation and prev/next links."""
    out: list[dict[str, Any]] = []
    url = section_urls(submission.pk)
    counts = material.section_counts()
    none = {"errors": 0, "warnings": 0, "unexplained": 0}
    for stored, parsed in zip(submission.definitions(), material.definitions, strict=True):
        shown = _shown_sections(stored.checksum, parsed, material.profile)
        for section in parsed.sections:
            if section.code not in shown:
                continue
            filled, required = material.progress[parsed.code].get(section.code, (0, 0))
            c = counts.get((parsed.code, section.code), none)
            out.append(
                {
                    "form": parsed.code,
                    "form_title": parsed.short_title,
                    "code": section.code,
                    "title": section.title,
                    "number": section.number,
                    "heading": section.heading,
                    "filled": filled,
                    "required": required,
                    "errors": c["errors"],
                    "warnings": c["warnings"],
                    "unexplained": c["unexplained"],
                    "complete": filled >= required,
                    "url": url(parsed.code, section.code),
                }
            )
    return out


def _return_notice(material: Material, submission: Submission) -> dict[str, Any] | None:
    """While returned: who returned it, why, and each field comment with a link to its field; the
    sections those comments are in, counted, so the navigation can mark them."""
    if submission.status != Submission.Status.RETURNED:
        return None
    transition = last_return(submission)
    if transition is None:
        return None
    refs = comment_refs(FieldIndex(submission), transition.field_comments.all())
    section_of = {(p.code, f.code): f.section for p in material.definitions for f in p.fields()}
    sections: dict[tuple[str, str], int] = {}
    for ref, _ in refs:
        key = (ref.form, section_of.get((ref.form, ref.code), ""))
        sections[key] = sections.get(key, 0) + 1
    return {"transition": transition, "comments": refs, "sections": sections}


def _mark_commented(nav: list[dict[str, Any]], notice: dict[str, Any] | None) -> None:
    for n in nav:
        n["comments"] = notice["sections"].get((n["form"], n["code"]), 0) if notice else 0


def _header(submission: Submission) -> dict[str, Any]:
    return {
        "deadline": countdown(submission.campaign.base_deadline, timezone.now()),
    }


def _findings_payload(material: Material, form: str, section: Section, editable: bool) -> dict[str, Any]:
    """Per item of the section: its findings as HTML (the same partial the page renders) and marks."""
    findings = material.section_findings(form, section.code)
    views = finding_views(findings, form, material.explanations if findings else {})
    by_field: dict[str, list] = {f.code: [] for f in section.fields}
    for v in views:
        by_field.setdefault(v.field, []).append(v)
    # findings_html gives what the _findings.html partial renders (submissions/tests/test_entry_html.py),
    # without a template render per item on every autosave.
    html = {code: findings_html(items, editable, form) for code, items in by_field.items()}
    return {"html": html, "marks": [v.mark() for v in views]}


# --- pages ---------------------------------------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filler's entry point: this year's material of its base, started on the first visit."""
    user = request.user
    if not can_fill_own_base(user):
        return redirect("accounts:home")
    base = user.base
    assert base is not None  # user.base_id was checked above
    campaign = Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()
    earlier = visible_submissions(user).select_related("campaign").order_by("-campaign__year")
    context: dict[str, Any] = {"base": base, "campaign": campaign, "earlier": earlier}
    if campaign is None:
        context["reason"] = "当前没有正在填报的年度评价。年度评价开启后，您可以在此填报本基地的材料。"
        return render(request, "submissions/unavailable.html", context)
    if not base.is_active or not campaign.bases.filter(pk=base.pk).exists():
        context["reason"] = (
            f"本基地（{base.name}）不在“{campaign.title}”的参评名单中，无需填报。如有疑问，请联系省级主管部门。"
        )
        return render(request, "submissions/unavailable.html", context)
    try:
        submission = submission_start(campaign=campaign, base=base, user=user)
    except ValidationError as exc:
        context["reason"] = _validation_message(exc)
        return render(request, "submissions/unavailable.html", context)
    return redirect("submissions:detail", pk=submission.pk)


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    material = Material(submission)
    nav = _nav(material, submission)
    notice = _return_notice(material, submission)
    _mark_commented(nav, notice)
    forms = []
    for parsed in material.definitions:
        sections = [n for n in nav if n["form"] == parsed.code]
        forms.append(
            {
                "code": parsed.code,
                "title": parsed.title,
                "short_title": parsed.short_title,
                "notes": parsed.notes,
                "alerts": parsed.alerts,
                "sections": sections,
                "filled": sum(s["filled"] for s in sections),
                "required": sum(s["required"] for s in sections),
                "missing": sum(max(s["required"] - s["filled"], 0) for s in sections),
                "errors": sum(s["errors"] for s in sections),
                "warnings": sum(s["warnings"] for s in sections),
                "unexplained": sum(s["unexplained"] for s in sections),
            }
        )
    first = nav[0] if nav else None
    return render(
        request,
        "submissions/detail.html",
        {
            "submission": submission,
            "forms": forms,
            "first": first,
            "return_notice": notice,
            "todo": todo_path(material_status(submission)).counts,
            "editable": can_fill(request.user, submission),
            **_header(submission),
        },
    )


@login_required
@require_GET
def todo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything left to do on the material in one list, in the order of the forms."""
    submission = access_submission(request.user, pk)
    path = todo_path(material_status(submission))
    return render(
        request,
        "submissions/todo.html",
        {
            "submission": submission,
            "items": path.items,
            "counts": path.counts,
            "editable": can_fill(request.user, submission),
            **_header(submission),
        },
    )


@login_required
@require_GET
def next_problem(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """下一个待填项 / 下一个问题: to the first item after ?after=form|section[|code|year], wrapping round."""
    submission = access_submission(request.user, pk)
    item = todo_path(material_status(submission)).after(request.GET.get("after", ""))
    if item is None:
        messages.success(request, "没有待填项或待处理的问题了，可以去提交。")
        return redirect("review:submit", pk=submission.pk)
    return redirect(item.url)


@login_required
def section(request: AuthenticatedHttpRequest, pk: int, form: str, section_code: str) -> HttpResponse:
    submission = access_submission(request.user, pk, with_definitions=True)
    user = request.user
    if user.base_id == submission.base_id and not User.base.is_cached(user):
        # The layout names the filler's unit (user.unit_name): the base just read with the material.
        User.base.field.set_cached_value(user, submission.base)
    definition = _form(submission, form)
    current = _section(definition, section_code)
    editable = can_fill(request.user, submission)
    material = Material(submission, mask_contacts=not can_see_contacts(request.user, submission))
    values = material.section_values(definition, [f.code for f in current.fields])
    inputs = validation_input(values, definition)
    yoy = compute_yoy(definition, material.data_year, inputs, fields=current.fields)
    views = finding_views(material.section_findings(form, current.code), form, material.explanations)
    blocks = section_blocks(
        definition=definition,
        section=current,
        profile=material.profile,
        data_year=material.data_year,
        values=values,
        yoy=yoy,
        findings=views,
        editable=editable,
    )
    notice = _return_notice(material, submission)
    _attach_return_comments(blocks, submission, form, notice)
    evidence_url = cached_reverse("exchange:evidence", submission.pk)
    for block in blocks:
        if block.kind == "grid":
            block.html = grid_html(block, editable, evidence_url)
        else:
            block.html = mark_safe(
                "".join(item_html(i, editable, evidence_url) for i in block.items)
            )  # each escaped
    nav = _nav(material, submission)
    _mark_commented(nav, notice)
    index = next((i for i, n in enumerate(nav) if n["form"] == form and n["code"] == current.code), None)
    if index is None:  # every item of the section is hidden for this base
        raise Http404("该部分不适用于本示范基地。")
    section_findings = [v for v in views if v.field not in {f.code for f in current.fields}]
    config = {
        "submission": submission.pk,
        "form": form,
        "section": current.code,
        "editable": editable,
        "saveUrl": _url("submissions:save", submission.pk),
        "historyUrl": _url("submissions:history", submission.pk),
        "explainUrl": _url("submissions:explain", submission.pk),
    }
    # The status from the check and explanations the material just read (no second read of either).
    status = material_status(
        submission, check=material.check, explanations=list(material.explanations.values())
    )
    return render(
        request,
        "submissions/section.html",
        {
            "submission": submission,
            "definition": definition,
            "section": current,
            "blocks": blocks,
            "nav": nav,
            "nav_html": nav_html(nav, nav[index]),
            "here": nav[index],
            "todo": todo_path_counts(status, material.checked),
            # The notice's general notes open on the form's first page, folded on the others.
            "first_of_form": index == 0 or nav[index - 1]["form"] != form,
            "prev": nav[index - 1] if index > 0 else None,
            "next": nav[index + 1] if index + 1 < len(nav) else None,
            "editable": editable,
            "orphan_findings": section_findings,
            "marks": [v.mark() for v in views],
            "config": config,
            **_header(submission),
        },
    )


def _attach_return_comments(
    blocks: list, submission: Submission, form: str, notice: dict[str, Any] | None
) -> None:
    """Show the last return's field comments at the items they are about, while the base fixes them
    (the comments of the return `notice` read, in their order)."""
    if submission.status != Submission.Status.RETURNED or notice is None:
        return
    comments: dict[tuple[str, str, int], list[Any]] = {}
    for _, c in notice["comments"]:
        comments.setdefault((c.form, c.code, c.year), []).append(c)
    if not comments:
        return
    for block in blocks:
        for item in block.items:
            for (c_form, code, year), rows in comments.items():
                if c_form == form and code == item.code:
                    item.comments.extend((f"{year}年" if year else "", c.text) for c in rows)


def _url(name: str, pk: int) -> str:
    return cached_reverse(name, pk)


# --- JSON endpoints ------------------------------------------------------------------------------


@login_required
@require_POST
def save(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    # With its definitions: the save checks the material before it locks it (values_save).
    submission = access_submission(request.user, pk, with_definitions=True)
    if not can_fill(request.user, submission):
        return _error("您没有修改该材料的权限，或材料已提交、不能修改。", 403)
    try:
        changes = parse_save_payload(request.body)
    except PayloadError as exc:
        return _error(str(exc), 400)
    try:
        result = values_save(
            submission=submission,
            user=request.user,
            changes=[
                CellChange(
                    form=c.form,
                    code=c.code,
                    year=c.year,
                    raw=c.raw,
                    base_revision=c.base_revision,
                    currency=c.currency,
                    force=c.force,
                )
                for c in changes
            ],
        )
    except ValidationError as exc:
        return _error(_validation_message(exc), 400)
    data: dict[str, Any] = {
        "cells": [asdict(c) for c in result.cells],
        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
    }
    if result.check is not None:
        # The material as the save left it, with its definitions already read (without their
        # content, which the parsed definition is cached by): reading them again through the
        # material fetched for the permission check was a query and a JSON decode per autosave.
        submission = result.check.submission
    page = _page_section(request, submission)
    material = Material(submission, check=result.check)
    data["progress"] = material.progress_json()
    if page is not None:
        data["findings"] = _findings_payload(material, page[0].code, page[1], editable=True)
    return _ok(data)


def _page_section(request: HttpRequest, submission: Submission) -> tuple[FormDefinition, Section] | None:
    """The section the saving page shows, so the response carries that section's findings."""
    form, code = request.GET.get("form", ""), request.GET.get("section", "")
    for parsed in _definitions(submission):
        if parsed.code == form:
            for s in parsed.sections:
                if s.code == code:
                    return parsed, s
    return None


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    submission = access_submission(request.user, pk)
    form, code = request.GET.get("form", ""), request.GET.get("code", "")
    try:
        year = int(request.GET.get("year") or NOT_YEARLY)
    except ValueError:
        return _error("年度不正确。", 400)
    definition = _form_or_none(submission, form)
    if definition is None or code not in definition.field_map():
        return _error("没有该指标。", 400)
    sources = dict(Value.Source.choices)
    fld = definition.field_map()[code]
    masked = is_sensitive(fld) and not can_see_contacts(request.user, submission)

    def shown(raw: Any) -> str:
        return raw_text(contacts_masked(fld, raw) if masked else raw)

    changes = ValueChange.objects.filter(
        submission=submission, form=form, code=code, year=year
    ).select_related("changed_by")
    rows = [
        {
            "at": timezone.localtime(c.changed_at).strftime("%Y-%m-%d %H:%M:%S"),
            "by": c.changed_by.display_name if c.changed_by else "系统",
            "old": _with_currency(shown(c.old_raw), c.old_currency),
            "new": _with_currency(shown(c.new_raw), c.new_currency),
            "source": sources.get(c.source, c.source),
            "revision": c.revision,
        }
        for c in changes
    ]
    return _ok({"changes": rows})


def _with_currency(text: str, currency: str) -> str:
    return f"{text}（美元）" if text and currency == "USD" else text


def _form_or_none(submission: Submission, form: str) -> FormDefinition | None:
    return next((p for p in _definitions(submission) if p.code == form), None)


@login_required
@require_POST
def explain(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    submission = access_submission(request.user, pk)
    if not can_fill(request.user, submission):
        return _error("您没有修改该材料的权限，或材料已提交、不能修改。", 403)
    try:
        data = json.loads(request.body.decode("utf-8"))
        form, key, text = str(data["form"]), str(data["key"]), str(data.get("text") or "")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return _error("提交的说明格式不正确。", 400)
    if _form_or_none(submission, form) is None:
        return _error("没有该报表。", 400)
    try:
        explanation: WarningExplanation = explanation_save(
            submission=submission, user=request.user, form=form, finding_key=key, text=text
        )
    except ValidationError as exc:
        return _error(_validation_message(exc), 400)
    material = Material(submission)
    finding = next((f for f in material.findings.get(form, []) if f.key == key), None)
    out: dict[str, Any] = {"text": explanation.text}
    if finding is not None:
        section_def = _section(_form(submission, form), finding.section)
        out["findings"] = _findings_payload(material, form, section_def, editable=True)
    return _ok(out)
