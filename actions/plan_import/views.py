"""The action-plan import pages, for OPCC staff only: template, upload, column matching,
preview, confirm, and the report of skipped rows.

The uploaded file waits in private storage, and the import's state (file, column choices) in the
signed-in user's session, so another user cannot reach it; nothing is written to the domain
tables until the officer confirms.
"""

import io
import re
import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.models import Inspection
from actions.plan_import import columns, files, forms, preview
from tracker.files import private_storage
from tracker.web import bound_form_data, opcc_only

SESSION_KEY = "action_imports"
PREVIEW_ROWS = 500


def _entry(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None:
        raise Http404("No such import: upload the file again.")
    return entry


def _save(request, token, entry):
    imports = request.session.get(SESSION_KEY, {})
    imports[token] = entry
    request.session[SESSION_KEY] = imports


def _sheet(request, entry):
    try:
        return files.open_stored(entry["path"], entry["name"], user=request.user)
    except (FileNotFoundError, files.ImportFileError):
        raise Http404("The uploaded file has gone: upload it again.") from None


def _plan(request, entry, sheet=None):
    sheet = sheet or _sheet(request, entry)
    inspection = None
    if entry.get("inspection"):
        inspection = (
            Inspection.objects.visible_to(request.user).filter(pk=entry["inspection"]).first()
        )
    mapping = {int(index): name for index, name in entry["mapping"].items()}
    return preview.plan_import(sheet, mapping, default_inspection=inspection, user=request.user)


def _attachment(content, *, name, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@opcc_only
def import_template(request, extension):
    if extension == "csv":
        stream = io.StringIO()
        files.template_csv(stream)
        content, content_type = stream.getvalue(), "text/csv; charset=utf-8"
    else:
        stream = io.BytesIO()
        files.template_xlsx(stream)
        content = stream.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(content, name=f"action-plan-template.{extension}", content_type=content_type)


@opcc_only
def import_start(request):
    form = forms.ImportUploadForm(*bound_form_data(request))
    if request.method == "POST" and form.is_valid():
        upload, name = form.cleaned_data["file"], form.cleaned_data["file_name"]
        try:
            sheet = files.load_sheet(upload, name, user=request.user)
        except files.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            upload.seek(0)
            mapping = files.guess_mapping(sheet, user=request.user)
            token = uuid.uuid4().hex
            entry = {
                "name": name,
                "path": files.store_upload(upload),
                "mapping": {str(index): field for index, field in mapping.items()},
                "inspection": None,
                "applied": False,
            }
            _save(request, token, entry)
            if columns.mapping_problems(mapping):
                return redirect("imports:columns", token=token)
            return redirect("imports:preview", token=token)
    return render(request, "actions/import_start.html", {"form": form})


@opcc_only
def import_columns(request, token):
    entry = _entry(request, token)
    sheet = _sheet(request, entry)
    initial = {f"column_{index}": name for index, name in entry["mapping"].items()}
    initial["inspection"] = entry.get("inspection")
    form = forms.ImportColumnsForm(
        *bound_form_data(request), initial=initial, headings=sheet.headings, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        columns.remember_mapping(user=request.user, headings=sheet.headings, mapping=mapping)
        inspection = form.cleaned_data["inspection"]
        entry["mapping"] = {str(index): field for index, field in mapping.items()}
        entry["inspection"] = inspection.pk if inspection else None
        _save(request, token, entry)
        return redirect("imports:preview", token=token)
    problems = columns.mapping_problems(
        {int(i): f for i, f in entry["mapping"].items()},
        default_inspection=entry.get("inspection"),
    )
    context = {"form": form, "entry": entry, "token": token, "problems": problems}
    return render(request, "actions/import_columns.html", context)


@opcc_only
def import_preview(request, token):
    entry = _entry(request, token)
    if entry["applied"]:
        return redirect("imports:done", token=token)
    sheet = _sheet(request, entry)
    mapping = {int(index): name for index, name in entry["mapping"].items()}
    if columns.mapping_problems(mapping, default_inspection=entry.get("inspection")):
        return redirect("imports:columns", token=token)
    plan = _plan(request, entry, sheet)
    outcomes = []
    for outcome, title in (
        (preview.ERROR, "Rows with errors, which will be skipped"),
        (preview.CREATE, "New actions"),
        (preview.UPDATE, "Actions that will change"),
        (preview.UNCHANGED, "No change"),
    ):
        rows = plan.of(outcome)
        outcomes.append(
            {"key": outcome, "title": title, "rows": rows[:PREVIEW_ROWS], "more": len(rows)}
        )
    context = {
        "entry": entry,
        "token": token,
        "plan": plan,
        "counts": plan.counts(),
        "outcomes": outcomes,
        "preview_rows": PREVIEW_ROWS,
        "columns": [
            (heading, columns.FIELD_LABELS.get(mapping.get(index)))
            for index, heading in enumerate(sheet.headings)
        ],
    }
    return render(request, "actions/import_preview.html", context)


@opcc_only
@require_POST
def import_confirm(request, token):
    entry = _entry(request, token)
    if entry["applied"]:
        messages.info(request, "This import has already been applied.")
        return redirect("imports:done", token=token)
    plan = preview.apply_plan(_plan(request, entry), by=request.user)
    report = io.StringIO()
    files.skipped_report(plan, report)
    entry["report"] = private_storage().save(
        f"imports/{token}-skipped.csv", ContentFile(report.getvalue().encode("utf-8"))
    )
    entry["applied"] = True
    entry["counts"] = plan.counts()
    entry["applied_at"] = timezone.now().isoformat()
    _save(request, token, entry)
    messages.success(request, f"{entry['name']} imported.")
    return redirect("imports:done", token=token)


@opcc_only
def import_done(request, token):
    entry = _entry(request, token)
    if not entry["applied"]:
        return redirect("imports:preview", token=token)
    context = {"entry": entry, "token": token, "counts": entry["counts"]}
    return render(request, "actions/import_done.html", context)


@opcc_only
def import_skipped(request, token):
    """The rows not imported, as CSV: after confirming, as they were skipped; before, as the
    preview would skip them now."""
    entry = _entry(request, token)
    if entry.get("report"):
        try:
            with private_storage().open(entry["report"], "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise Http404("The report has gone: it is kept for two days.") from None
    else:
        stream = io.StringIO()
        files.skipped_report(_plan(request, entry), stream)
        content = stream.getvalue()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", entry["name"].rsplit(".", 1)[0])
    return _attachment(
        content, name=f"{stem}-skipped-rows.csv", content_type="text/csv; charset=utf-8"
    )
