"""The page of a background 台账 export (progress, then the download) and the download."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from tracker.tracking import export_jobs


def _own_job(request, job):
    record = export_jobs.get(job)
    if record is None or record["user"] != request.user.pk:
        raise Http404
    return record


@login_required
def export_job(request, job):
    record = _own_job(request, job)
    total, done = record["total"], record["done"]
    percent = round(100 * done / total) if total else 0
    return render(
        request,
        "tracker/export_job.html",
        {
            "job": job,
            "record": record,
            "percent": percent,
            "finished": record["state"] in (export_jobs.DONE, export_jobs.FAILED),
        },
    )


@login_required
def export_download(request, job):
    record = _own_job(request, job)
    path = export_jobs.path_of(job)
    if record["state"] != export_jobs.DONE or not path.exists():
        raise Http404
    filename = f"督办事项台账-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(
        path.open("rb"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
