"""台账 exports too large for a web request: a background job with progress and a download.

A job is a small JSON record under var/exports/ (who asked, the list's query, rows written of
how many, its state; a file, so the web and the worker processes share it with or without
Redis) and the workbook beside it once written. The view starts it and the worker runs
it (tracker.tasks.export_ledger); the page of the job shows the progress and, when done, the
link; only the user who asked may open it. Jobs and files are kept EXPORT_KEEP_HOURS.
"""

import json
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

from tracker.models import User
from tracker.tracking.exports import build_ledger
from tracker.tracking.listing import filtered

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def inline_rows():
    """Up to this many rows the workbook is written within the request."""
    return settings.DUBAN_EXPORT_INLINE_ROWS


def keep_seconds():
    return settings.DUBAN_EXPORT_KEEP_HOURS * 3600


def folder():
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def get(job):
    """The job's record, or None (unknown, removed, or a malformed id)."""
    try:
        job = uuid.UUID(str(job)).hex
    except ValueError:
        return None
    try:
        return json.loads((folder() / f"{job}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _save(job, record):
    partial = folder() / f"{job}.json.part"
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(folder() / f"{job}.json")


def start(user, query):
    job = uuid.uuid4().hex
    _save(
        job,
        {
            "user": user.pk,
            "query": query,
            "state": QUEUED,
            "done": 0,
            "total": None,
            "started": time.time(),
        },
    )
    return job


def path_of(job):
    return folder() / f"{job}.xlsx"


def run(job):
    """Write the workbook of a queued job (idempotent: a job not queued is left alone)."""
    record = get(job)
    if record is None or record["state"] != QUEUED:
        return record
    user = User.objects.get(pk=record["user"])
    _form, items = filtered(user, QueryDict(record["query"]))
    record.update(state=RUNNING, total=items.count())
    _save(job, record)

    def progress(done):
        record["done"] = done
        _save(job, record)

    try:
        data = build_ledger(items, progress=progress)
        partial = path_of(job).with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path_of(job))
    except Exception:
        record.update(state=FAILED)
        _save(job, record)
        raise
    record.update(state=DONE, done=record["total"])
    _save(job, record)
    _remove_old()
    return record


def _remove_old():
    cutoff = time.time() - keep_seconds()
    for path in [*folder().glob("*.xlsx"), *folder().glob("*.json")]:
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
