"""Import pages: upload, progress, preview (with the user's corrections) and result.

Views stay thin: they read the request, call tracker.importing and render. Only the
supervision office and administrators (tracker.access, the IMPORT action) may import.
"""

import json
from datetime import date

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import tasks
from tracker.access import IMPORT, office_required
from tracker.imports import checks, confirm, decisions, jobs, review
from tracker.imports.formats.registry import ACCEPT
from tracker.models import ImportJob, Item, Unit, UnitGroup
from tracker.tracking.once import once_per_submission


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
    context = {
        "error": error,
        "jobs": recent,
        "accept": ACCEPT,
        "limit": checks.megabytes(settings.DUBAN_MAX_UPLOAD_BYTES),
    }
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
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "stage": job.stage,
            "error": job.error,
            "next": _next_url(job),
        }
    )


@office_required(IMPORT)
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    """The preview; POST confirms the saved decisions (with the page-level choices posted:
    units, create all, default owners and dates, saved first under the posted version)."""
    job = _job(pk)
    if job.status != ImportJob.Status.READY:
        return redirect("import_job", pk=job.pk)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        posted = request.POST.get("version", "")
        version = (
            int(posted) if posted.isascii() and posted.isdigit() and len(posted) < 10 else None
        )
        try:
            if version is None:
                raise decisions.Invalid(_("页面已过期，请刷新后再确认。"))
            decisions.save_changes(job.pk, version, page_changes(job.preview, request.POST))
        except decisions.Stale:
            errors = {"": _("其他人刚修改了这次导入的选择，请核对最新内容后再确认。")}
            status = 409
        except decisions.Invalid as exc:
            errors = {"": str(exc)}
            status = 400
        else:
            job.refresh_from_db()
            chosen = decisions.load(job)
            errors = confirm.validate_decisions(job.preview, chosen)
            if not errors:
                try:
                    confirm.confirm_import(job, request.user, chosen)
                except checks.ImportRejected as exc:
                    errors = {"": str(exc)}
                else:
                    return redirect("import_result", pk=job.pk)
            status = 400
        job.refresh_from_db()
    return render(
        request, "tracker/import/preview.html", preview_context(job, errors), status=status
    )


@office_required(IMPORT)
@require_POST
def save_decisions(request, pk):
    """One change on the preview (an item, a bulk action, a unit, a document's default):
    {"version": n, "changes": {...}} → {"version": n + 1}; 409 with the current decisions
    when someone saved in between, 400 with a message for a change that cannot be stored."""
    job = get_object_or_404(ImportJob.objects.only("pk"), pk=pk)
    try:
        body = json.loads(request.body or b"{}")
        version = body.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise decisions.Invalid(_("页面已过期，请刷新后再确认。"))
        new_version, _saved = decisions.save_changes(job.pk, version, body.get("changes") or {})
    except decisions.Stale as stale:
        return JsonResponse({"version": stale.version, "decisions": stale.decisions}, status=409)
    except decisions.Invalid as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except (ValueError, AttributeError, TypeError):  # not JSON, or not the expected shapes
        return JsonResponse({"error": _("修改内容格式有误。")}, status=400)
    return JsonResponse({"version": new_version})


@office_required(IMPORT)
@require_GET
def result(request, pk):
    job = _job(pk)
    if job.status != ImportJob.Status.CONFIRMED:
        return redirect("import_job", pk=job.pk)
    items = Item.objects.filter(pk__in=job.result.get("items", [])).select_related("document")
    return render(
        request,
        "tracker/import/result.html",
        {"job": job, "result": job.result, "items": items[:200]},
    )


# --- the page-level choices, posted with the confirm button --------------------------------


def page_changes(preview, post) -> dict:
    """The choices the confirm form carries (each is saved on change by the page's script
    too): unit mappings, "create every unknown name", default owners and due dates."""
    changes: dict = {"units": {}, "documents": {}}
    for index, unknown in enumerate(preview["unknown_units"]):
        value = post.get(f"unit-{index}")
        if value is not None:
            changes["units"][unknown["key"]] = value.strip()[:20]
    if post.get("posted"):
        changes["create_units"] = post.get("create_units") == "on"
    for d, _doc in enumerate(preview["documents"]):
        choice = {}
        if post.get("posted") and post.get(f"default_owners_shown-{d}"):
            choice["default_owners"] = post.get(f"default_owners-{d}") == "on"
        due = post.get(f"default_due-{d}", "")
        if due == "date":
            due = post.get(f"default_due_date-{d}", "").strip() or "none"
        if due:
            choice["default_due"] = due
        if choice:
            changes["documents"][str(d)] = choice
    return changes


def _date(value):
    return date.fromisoformat(value) if value else None


def preview_context(job, errors):
    preview = job.preview
    saved = decisions.load(job)
    documents = []
    for d, doc in enumerate(preview["documents"]):
        choice = saved.documents.get(str(d), {})
        default = choice.get("default_due", "year_end")
        typed = default not in ("year_end", "period", "none")
        documents.append(
            {
                "index": d,
                "doc": doc,
                "signed": _date(doc["signed"]),
                "count": len(doc["items"]),
                "default_owners": "、".join(o["name"] for o in doc.get("default_owners", [])),
                "ownerless": sum(1 for item in doc["items"] if not item["owners"]),
                "use_default_owners": choice.get("default_owners", True),
                "due_options": {
                    key: _date(value)
                    for key, value in (doc.get("due_options") or {}).items()
                    if key != "period_text"
                },
                "period_text": (doc.get("due_options") or {}).get("period_text", ""),
                "default_due": "date" if typed else default,
                "default_due_date": default if typed else "",
                "error": errors.get(f"doc-{d}"),
            }
        )
    units = [(str(pk), name) for pk, name in Unit.objects.values_list("pk", "name")]
    groups = [(f"g{pk}", name) for pk, name in UnitGroup.objects.values_list("pk", "name")]
    labels = dict(units + groups)
    unknown = []
    for index, u in enumerate(preview["unknown_units"]):
        suggestion = u.get("suggestion") or {}
        value = (
            f"g{suggestion['group']}"
            if suggestion.get("group")
            else str(suggestion["unit"])
            if suggestion.get("unit")
            else ""
        )
        unknown.append(
            {
                "index": index,
                "key": u["key"],
                "name": u["name"],
                "count": u["count"],
                "collective": u.get("collective", False),
                "suggestion": value if value in labels else "",
                "suggestion_label": labels.get(value, ""),
                "reason": checks.REASONS.get(suggestion.get("reason", ""), ""),
                "value": saved.units.get(u["key"], ""),
            }
        )
    item_errors = {key: message for key, message in errors.items() if key and key[0].isdigit()}
    state = {
        "version": job.decisions_version,
        "decisions": job.decisions or {},
        "rows": review.rows(job),
        "labels": review.labels(),
        "errors": item_errors,
        "documents": [{"index": d["index"], "title": d["doc"]["title"]} for d in documents],
        "save_url": reverse("import_decisions", args=[job.pk]),
        "suggestions": {u["name"]: u["suggestion"] for u in unknown if u["suggestion"]},
        "unit_keys": {u["name"]: u["key"] for u in unknown},
    }
    general = errors.get("") or errors.get("units")
    if item_errors and not general:
        general = _("部分事项有误，请修改标出的事项后再确认。")
    return {
        "job": job,
        "preview": preview,
        "documents": documents,
        "unknown_units": unknown,
        "units": units,
        "groups": groups,
        "errors": errors,
        "state": state,
        "create_units": saved.create_units,
        "general_error": general,
        "counts": preview["counts"],
        "warning_labels": list(checks.WARNINGS.items()),
    }
