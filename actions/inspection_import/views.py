"""Importing a report (upload or paste, review, accept) and the finding page with its repeats.

The draft lives in the officer's session (draft.py) until they accept it; only then does one
service call (services.py) create the inspection, its areas and findings.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions import collaboration_selectors, finding_selectors, selectors
from actions.inspection_import import draft as import_draft
from actions.inspection_import import forms, services
from actions.models import Force, Inspection
from actions.views import inspection_url
from tracker import roles
from tracker.web import allow, bound_form_data, opcc_only, workspace

REVIEW_URL = "actions:import_review"


@opcc_only
def import_start(request):
    # Bound on every POST, an empty one included, so an empty submission is told what to do.
    form = forms.ImportStartForm(
        *bound_form_data(request), user=request.user, use_required_attribute=False
    )
    already = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parsed = data["parsed"]
        force = data["force"] or finding_selectors.force_named(
            parsed.inspection.force, user=request.user
        )
        draft = import_draft.draft_from_parsed(
            parsed, text=data["source_text"], source_name=data["source_name"], force=force
        )
        already = selectors.inspection_already_imported(
            user=request.user,
            force=force,
            title=draft["inspection"]["title"],
            sha256=draft["sha256"],
        )
        if already is None:
            request.session[import_draft.SESSION_KEY] = draft
            if parsed.recognised:
                count = len(parsed.findings)
                found = f"{count} finding{'s' if count != 1 else ''} found"
                messages.success(request, f"{found}. Review them.")
            return redirect(REVIEW_URL)
    context = {
        "form": form,
        "draft": request.session.get(import_draft.SESSION_KEY),
        "already": already,
        "already_url": already and inspection_url(already),
    }
    return render(request, "actions/report_import_start.html", context)


def _suggestions(draft, indexes):
    texts = [draft["findings"][i]["text"] for i in indexes]
    return finding_selectors.repeat_suggestions(
        force_id=draft["inspection"]["force_id"], texts=texts
    )


def _review_page_url(number):
    return f"{reverse(REVIEW_URL)}?page={number}"


@opcc_only
def import_review(request):
    draft = request.session.get(import_draft.SESSION_KEY)
    if draft is None:
        messages.info(request, "There is no report being imported. Upload or paste one.")
        return redirect("actions:import_start")
    # The findings are shown (and posted) a page at a time: the draft keeps every page's edits.
    pages = Paginator(range(len(draft["findings"])), settings.REPORT_REVIEW_PAGE_SIZE)
    page = pages.get_page(request.GET.get("page"))
    indexes = list(page.object_list)
    data = request.POST if request.method == "POST" else None
    inspection_form, area_forms, finding_forms = forms.review_forms(
        draft, data, user=request.user, indexes=indexes, suggestions=_suggestions(draft, indexes)
    )
    problems = []
    if data is not None:
        # Every form is validated (no short-circuit), so every error is shown at once.
        checked = [f.is_valid() for f in [inspection_form, *area_forms, *finding_forms]]
        if all(checked):
            _apply_edits(draft, inspection_form, area_forms, finding_forms)
            request.session[import_draft.SESSION_KEY] = draft
            step = request.POST.get("do", "save")
            if step == "accept":
                try:
                    inspection = _accept(request.user, draft)
                except ValidationError as error:
                    problems = [{"text": text, "href": "#review"} for text in error.messages]
                else:
                    del request.session[import_draft.SESSION_KEY]
                    messages.success(request, f'"{inspection.title}" imported.')
                    return redirect(inspection_url(inspection))
            else:
                _edit_step(request, draft, step, finding_forms)
                request.session.modified = True
                last = Paginator(draft["findings"], settings.REPORT_REVIEW_PAGE_SIZE).num_pages
                return redirect(_review_page_url(last if step == "add" else page.number))
        else:
            problems = _field_problems([inspection_form, *area_forms, *finding_forms])
    context = {
        "draft": draft,
        "inspection_form": inspection_form,
        "area_forms": area_forms,
        "finding_forms": finding_forms,
        "page": page,
        "page_links": [
            {"number": n, "href": _review_page_url(n)} if n != pages.ELLIPSIS else None
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
        ],
        "problems": problems,
    }
    return render(request, "actions/report_import_review.html", context)


def _field_problems(review_forms):
    """Each field error for the error summary, linked to its field."""
    return [
        {
            "text": f"{form[name].label}"
            + (f" ({form.initial.get('reference')})" if "reference" in form.initial else "")
            + f": {error}",
            "href": f"#{form[name].id_for_label}",
        }
        for form in review_forms
        for name, errors in form.errors.items()
        if name in form.fields
        for error in errors
    ]


def _apply_edits(draft, inspection_form, area_forms, finding_forms):
    """Copy the officer's edits into the draft; renamed areas and references follow through."""
    info = inspection_form.cleaned_data
    force = info["force"]
    draft["inspection"].update(
        title=info["title"].strip(),
        force_id=force.pk,
        force_name=force.name,
        kind=info["kind"],
        source_type=info["source_type"],
        published=info["published"].isoformat() if info["published"] else None,
    )
    renamed_areas = {}
    for area, form in zip(draft["graded_areas"], area_forms, strict=True):
        name = form.cleaned_data["name"].strip()
        if area["name"] and name != area["name"]:
            renamed_areas[area["name"]] = name or None
        area.update(name=name, grade=form.cleaned_data["grade"])
    draft["graded_areas"] = [area for area in draft["graded_areas"] if area["name"]]
    renamed_refs = {}
    for form in finding_forms:
        finding, data = draft["findings"][form.index], form.cleaned_data
        reference = data["reference"].strip()
        if reference != finding["reference"]:
            renamed_refs[finding["reference"]] = reference
        finding.update(
            kind=data["kind"],
            reference=reference,
            area=data["area"] or None,
            parent=data["parent"] or None,
            text=data["text"].strip(),
            repeats=data["repeats"],
        )
    for finding in draft["findings"]:
        finding["area"] = renamed_areas.get(finding["area"], finding["area"])
        finding["parent"] = renamed_refs.get(finding["parent"], finding["parent"])


def _edit_step(request, draft, step, finding_forms):
    selected = [form.index for form in finding_forms if form.cleaned_data["selected"]]
    shown = {form.index for form in finding_forms}
    if step == "merge":
        if len(selected) < 2:
            messages.error(request, "Select two or more findings to merge.")
            return
        import_draft.merge(draft, selected)
        messages.success(request, f"{len(selected)} findings merged into one.")
    elif step == "drop":
        if not selected:
            messages.error(request, "Select the findings to drop.")
            return
        import_draft.drop(draft, selected)
        messages.success(
            request, f"{len(selected)} finding{'s' if len(selected) > 1 else ''} dropped."
        )
    elif step.startswith("split-") and step[6:].isdigit() and int(step[6:]) in shown:
        parts = import_draft.split(draft, int(step[6:]))
        if parts == 1:
            messages.error(
                request, "Put a blank line in the text where the finding divides, then split it."
            )
        else:
            messages.success(request, f"Finding split into {parts}.")
    elif step == "add":
        import_draft.add(draft)
        messages.success(request, "A new finding was added at the end of the list.")
    elif step == "add-area":
        import_draft.add_area(draft)
        messages.success(request, "A new graded area was added to the grades.")
    else:
        messages.success(request, "Changes saved. Nothing is imported until you accept.")


def _accept(user, draft):
    info = draft["inspection"]
    force = get_object_or_404(Force.objects.visible_to(user), pk=info["force_id"])
    published = info["published"]
    return services.report_import(
        by=user,
        force=force,
        title=info["title"],
        kind=info["kind"],
        source_type=info.get("source_type", Inspection.SourceType.HMICFRS),
        published_on=datetime.date.fromisoformat(published) if published else None,
        graded_areas=draft["graded_areas"],
        findings=draft["findings"],
        source_name=draft["source_name"],
        sha256=draft["sha256"],
    )


@opcc_only
@require_POST
def import_discard(request):
    request.session.pop(import_draft.SESSION_KEY, None)
    messages.success(request, "The import was discarded. Nothing was saved.")
    return redirect("actions:import_start")


# The finding page: its text, actions, and the earlier and later findings it is linked with.


@workspace
def finding_detail(request, pk):
    finding = finding_selectors.finding_page(user=request.user, pk=pk)
    can_manage = roles.can_change_finding(request.user, finding)
    suggestions = []
    if can_manage:
        linked = [f.pk for f in finding.repeats.all()] + [f.pk for f in finding.repeated_by.all()]
        (suggestions,) = finding_selectors.repeat_suggestions(
            force_id=finding.inspection.force_id,
            texts=[finding.text],
            exclude_inspection_id=finding.inspection_id,
            exclude_ids=linked,
        )
        published = finding.inspection.published_on
        suggestions = [
            item
            for item in suggestions
            if published is None
            or item["finding"].inspection.published_on is None
            or item["finding"].inspection.published_on < published
        ]
    context = {
        "finding": finding,
        "can_manage": can_manage,
        "suggestions": suggestions,
        "parent": finding_selectors.visible_parent(user=request.user, finding=finding),
        # The office managing a finding shared with the user's forces ("" for their own).
        "collaboration_of": ""
        if roles.sees_force(request.user, finding.inspection.force_id)
        else finding.inspection.force.office.name,
        **collaboration_selectors.finding_sharing(finding=finding),
    }
    return render(request, "actions/finding_detail.html", context)


@workspace
@require_POST
def finding_repeat(request, pk):
    """Confirm (link) or remove a link to an earlier finding the finding repeats."""
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    earlier_id = request.POST.get("earlier", "")
    earlier = (
        finding_selectors.finding_managed(user=request.user, pk=int(earlier_id))
        if earlier_id.isdigit()
        else None
    )
    back = reverse("actions:finding", args=[finding.pk])
    if earlier is None:
        messages.error(request, "Choose an earlier finding.")
        return redirect(back)
    change = (
        services.finding_unlink_repeat
        if request.POST.get("do") == "unlink"
        else services.finding_link_repeat
    )
    try:
        change(by=request.user, finding=finding, earlier=earlier)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = "removed" if change is services.finding_unlink_repeat else "confirmed"
        messages.success(request, f"Link to {earlier.reference} ({earlier.inspection}) {done}.")
    return redirect(back)
