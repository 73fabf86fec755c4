"""Import pages: upload, progress, preview (with the user's corrections) and result.

Views stay thin: they read the request, call tracker.importing and render. Only the
supervision office and administrators (tracker.access, the IMPORT action) may import.
"""

from datetime import date

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker import tasks
from tracker.access import IMPORT, office_required
from tracker.imports import checks, confirm, jobs
from tracker.imports.formats.registry import ACCEPT
from tracker.lib import plausible
from tracker.lib.dates import format_date
from tracker.models import ImportJob, Item, ItemOwner, Unit, UnitGroup, User
from tracker.tracking.once import once_per_submission

OWNER_INPUTS = (("lead", ItemOwner.Role.LEAD), ("co", ItemOwner.Role.CO),
                ("responsible", ItemOwner.Role.RESPONSIBLE))


@office_required(IMPORT)
@require_http_methods(["GET", "POST"])
@once_per_submission
def upload(request):
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要上传的文件。")
        elif upload.size > settings.DUBAN_MAX_UPLOAD_BYTES:  # refuse before reading it
            error = checks.too_big_message(upload.name, upload.size)
        else:
            try:
                job = jobs.create_job(request.user, upload.name, upload.read())
                tasks.parse_import.delay_on_commit(job.pk)
            except checks.ImportRejected as exc:
                error = str(exc)
            else:
                return redirect("import_job", pk=job.pk)
    recent = ImportJob.objects.select_related("uploaded_by").defer("data", "text", "preview")[:15]
    context = {"error": error, "jobs": recent, "accept": ACCEPT,
               "limit": checks.megabytes(settings.DUBAN_MAX_UPLOAD_BYTES)}
    return render(request, "tracker/import/upload.html", context, status=400 if error else 200)


def _job(pk):
    return jobs.expire_stale(get_object_or_404(ImportJob.objects.defer("data"), pk=pk))


def _next_url(job):
    if job.status == ImportJob.Status.READY:
        return reverse("import_preview", args=[job.pk])
    if job.status == ImportJob.Status.CONFIRMED:
        return reverse("import_result", args=[job.pk])
    return None


@office_required(IMPORT)
@require_GET
def job_page(request, pk):
    """Progress while the worker parses; the preview or the result once it is done."""
    job = _job(pk)
    next_url = _next_url(job)
    if next_url:
        return redirect(next_url)
    return render(request, "tracker/import/progress.html", {"job": job})


@office_required(IMPORT)
@require_GET
def job_status(request, pk):
    job = _job(pk)
    return JsonResponse({"status": job.status, "progress": job.progress, "stage": job.stage,
                         "error": job.error, "next": _next_url(job)})


@office_required(IMPORT)
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    job = _job(pk)
    if job.status != ImportJob.Status.READY:
        return redirect("import_job", pk=job.pk)
    post = request.POST if request.method == "POST" else None
    decisions, errors = decisions_from_post(job.preview, post) if post else (None, {})
    if post is not None and not errors:
        errors = confirm.validate_decisions(job.preview, decisions)
    if post is not None and not errors:
        try:
            confirm.confirm_import(job, request.user, decisions)
        except checks.ImportRejected as exc:
            errors = {"": str(exc)}
        else:
            return redirect("import_result", pk=job.pk)
    context = preview_context(job, post, errors)
    return render(request, "tracker/import/preview.html", context, status=400 if errors else 200)


@office_required(IMPORT)
@require_GET
def result(request, pk):
    job = _job(pk)
    if job.status != ImportJob.Status.CONFIRMED:
        return redirect("import_job", pk=job.pk)
    items = Item.objects.filter(pk__in=job.result.get("items", [])).select_related("document")
    return render(request, "tracker/import/result.html",
                  {"job": job, "result": job.result, "items": items[:200]})


# --- the preview form: plain named inputs, one row per item --------------------------------


def decisions_from_post(preview, post):
    """The user's corrections as confirm.Decisions, and the errors of fields that don't parse."""
    decisions = confirm.Decisions()
    errors = {}
    for d, doc in enumerate(preview["documents"]):
        for i, item in enumerate(doc["items"]):
            key = confirm.item_key(d, i)
            choice = {"include": post.get(f"include-{key}") == "on"}
            text = post.get(f"text-{key}")
            if text is not None and text.strip() != item["text"]:
                choice["text"] = text
            for name, role in OWNER_INPUTS:
                value = post.get(f"{name}-{key}")
                if value is not None and value.strip() != _owner_text(item, role):
                    choice[name] = confirm.parse_names(value)
            due = post.get(f"due-{key}")
            if due is not None and due.strip() != (item["due"] or ""):
                try:
                    choice["due"] = date.fromisoformat(due.strip()) if due.strip() else None
                except ValueError:
                    errors[key] = _("完成时限“%(value)s”不是有效日期。") % {"value": due}
                else:
                    if not plausible.is_plausible(choice["due"]):
                        errors[key] = plausible.out_of_range_message(choice["due"])
            decisions.items[key] = choice
            for n, person in enumerate(item["people"]):
                if post.get(f"link-{key}-{n}") == "on":
                    decisions.links.add((key, person["name"]))
    for index, unknown in enumerate(preview["unknown_units"]):
        value = post.get(f"unit-{index}", "")
        if value:
            decisions.units[unknown["key"]] = value
    decisions.create_units = post.get("create_units") == "on"
    for d, _doc in enumerate(preview["documents"]):
        choice = {}
        if post.get(f"default_owners-{d}") is not None or post.get("posted"):
            choice["default_owners"] = post.get(f"default_owners-{d}") == "on"
        due = post.get(f"default_due-{d}", "")
        if due == "date":
            due = post.get(f"default_due_date-{d}", "").strip() or "none"
        if due:
            choice["default_due"] = due
        decisions.documents[str(d)] = choice
    return decisions, errors


def _date(value):
    return date.fromisoformat(value) if value else None


def _deadline_label(deadline):
    when = deadline["date"] and format_date(_date(deadline["date"]))
    if deadline["recurrence"]:
        when = _("周期报送")
    elif deadline["ongoing"]:
        when = _("长期推进")
    return f"{deadline['expr']} → {when}" if when else deadline["expr"]


def _owner_text(item, role):
    return "、".join(o["name"] for o in item["owners"] if o["role"] == role)


def preview_context(job, post, errors):
    preview = job.preview
    warning_labels = checks.WARNINGS
    documents = []
    users = confirm._users_by_display_name()
    accounts = {u.pk: f"{u.username}（{u.unit or '—'}）" for u in User.objects.filter(
        pk__in=[v[0] for v in users.values() if not v[2]]).select_related("unit")}
    for d, doc in enumerate(preview["documents"]):
        rows = []
        for i, item in enumerate(doc["items"]):
            key = confirm.item_key(d, i)
            row = {
                "key": key, "item": item, "error": errors.get(key),
                "include": post.get(f"include-{key}") == "on" if post else True,
                "text": post.get(f"text-{key}", item["text"]) if post else item["text"],
                "due": post.get(f"due-{key}", item["due"] or "") if post else (item["due"] or ""),
                "warnings": [warning_labels[w] for w in item["warnings"]],
                "unknown": [o["name"] for o in item["owners"] if o["unit"] is None],
                "deadlines": [_deadline_label(x) for x in item["deadlines"]],
                "people": "、".join(p["name"] for p in item["people"]),
                "namesakes": [
                    {**found, "input": f"link-{key}-{names.index(found['name'])}",
                     "checked": bool(post and post.get(
                         f"link-{key}-{names.index(found['name'])}") == "on"),
                     "account": accounts.get(found["user"], "")}
                    for found in confirm.namesakes(item, users=users)
                    for names in [[p["name"] for p in item["people"]]]
                ],
            }
            for name, role in OWNER_INPUTS:
                parsed = _owner_text(item, role)
                row[name] = post.get(f"{name}-{key}", parsed) if post else parsed
            rows.append(row)
        documents.append({
            "index": d, "doc": doc, "rows": rows, "signed": _date(doc["signed"]),
            "default_owners": "、".join(o["name"] for o in doc.get("default_owners", [])),
            "ownerless": sum(1 for item in doc["items"] if not item["owners"]),
            "use_default_owners": (post.get(f"default_owners-{d}") == "on") if post else True,
            "due_options": {key: _date(value) for key, value in
                            (doc.get("due_options") or {}).items() if key != "period_text"},
            "period_text": (doc.get("due_options") or {}).get("period_text", ""),
            "default_due": post.get(f"default_due-{d}", "year_end") if post else "year_end",
            "default_due_date": post.get(f"default_due_date-{d}", "") if post else "",
            "error": errors.get(f"doc-{d}"),
        })
    units = [(str(pk), name) for pk, name in Unit.objects.values_list("pk", "name")]
    groups = [(f"g{pk}", name) for pk, name in UnitGroup.objects.values_list("pk", "name")]
    labels = dict(units + groups)
    unknown = []
    for index, u in enumerate(preview["unknown_units"]):
        suggestion = u.get("suggestion") or {}
        value = (f"g{suggestion['group']}" if suggestion.get("group")
                 else str(suggestion["unit"]) if suggestion.get("unit") else "")
        unknown.append({
            "index": index, "name": u["name"], "count": u["count"],
            "collective": u.get("collective", False),
            "suggestion": value if value in labels else "",
            "suggestion_label": labels.get(value, ""),
            "reason": checks.REASONS.get(suggestion.get("reason", ""), ""),
            "value": post.get(f"unit-{index}", "") if post else "",
        })
    return {"job": job, "preview": preview, "documents": documents, "unknown_units": unknown,
            "units": units, "groups": groups, "errors": errors,
            "create_units": bool(post and post.get("create_units") == "on"),
            "general_error": errors.get("") or errors.get("units"), "counts": preview["counts"]}
