"""Import jobs: storing an upload, parsing it in a worker, importing at once."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gazette.pipeline import parse_text
from tracker.imports.checks import ImportRejected, check_upload, sha256_of
from tracker.imports.confirm import Decisions, confirm_import
from tracker.imports.extract import extract
from tracker.imports.preview import build_preview
from tracker.models import (
    ImportJob,
    SourceFile,
)

logger = logging.getLogger(__name__)


# --- 3. starting and running a job -----------------------------------------------------


def create_job(user, name: str, data: bytes) -> ImportJob:
    check_upload(name, data)
    return ImportJob.objects.create(
        uploaded_by=user if user and user.is_authenticated else None,
        file_name=Path(name).name[:255],
        sha256=sha256_of(data),
        size=len(data),
        data=data,
        stage=_("等待解析"),
    )


def run_import_job(job_id: int) -> ImportJob | None:
    """Parse a pending job into its preview; a second delivery of the same job does nothing.

    A job left "parsing" by a worker that died (the task is acks_late, so the broker delivers
    it again) may be claimed anew once it has been silent longer than the task time limit.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.DUBAN_IMPORT_HARD_TIME_LIMIT)
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING)
        | Q(status=ImportJob.Status.PARSING, updated_at__lt=abandoned),
        pk=job_id,
    ).update(status=ImportJob.Status.PARSING, progress=5, stage=_("正在读取文件"), updated_at=now)
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)

    def progress(percent, stage):
        ImportJob.objects.filter(pk=job_id).update(
            progress=percent, stage=stage, updated_at=timezone.now()
        )

    try:
        extracted = extract(job.file_name, bytes(job.data), progress)
        text = extracted.text
        progress(40, _("正在解析文档和事项"))
        gazette = parse_text(text, job.file_name)
        progress(75, _("正在匹配责任单位和已导入的文档"))
        preview = build_preview(gazette, text=text, sha256=job.sha256)
        mark_ocr(preview, extracted.ocr_lines)
        if not preview["counts"]["items"]:
            raise ImportRejected(
                _(
                    "文件“%(name)s”中没有找到督办事项：没有识别出写明责任单位、完成时限或分工的任务条目。"
                )
                % {"name": job.file_name}
            )
    except ImportRejected as exc:
        _fail(job_id, str(exc))
    except SoftTimeLimitExceeded:
        logger.warning("import job %s ran out of time", job_id)
        _fail(job_id, out_of_time_message(job.file_name))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(job_id, _("解析时发生内部错误，请联系管理员。"))
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.READY,
            progress=100,
            stage=_("解析完成"),
            text=text,
            preview=preview,
        )
    return ImportJob.objects.get(pk=job_id)


def out_of_time_message(name: str) -> str:
    return _(
        "文件“%(name)s”解析超过 %(seconds)s 秒仍未完成，已停止：请把文件拆分为几个较小的文件"
        "分别导入，或联系管理员。"
    ) % {"name": name, "seconds": settings.DUBAN_IMPORT_TIME_LIMIT}


def expire_stale(job: ImportJob) -> ImportJob:
    """A job still "parsing" but silent past the hard time limit lost its worker process
    (killed at the limit): it failed, and its page says so instead of waiting for ever."""
    silent = timezone.now() - timedelta(seconds=settings.DUBAN_IMPORT_HARD_TIME_LIMIT + 30)
    if job.status == ImportJob.Status.PARSING and job.updated_at < silent:
        ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.PARSING, updated_at__lt=silent
        ).update(
            status=ImportJob.Status.FAILED,
            progress=100,
            stage=_("解析失败"),
            error=out_of_time_message(job.file_name),
            data=b"",
        )
        job.refresh_from_db()
    return job


def mark_ocr(preview: dict, ocr_lines: set[int]) -> None:
    """Items read by OCR from a scan are flagged for review (a badge in the preview)."""
    preview["ocr"] = bool(ocr_lines)
    for document in preview["documents"]:
        for item in document["items"]:
            item["ocr"] = item.get("line") in ocr_lines


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        progress=100,
        stage=_("解析失败"),
        error=message,
        data=b"",
    )


def import_now(user, name: str, data: bytes, decisions: Decisions | None = None) -> ImportJob:
    """Upload, parse and confirm in this process (demo data, benchmarks, scripts)."""
    job = run_import_job(create_job(user, name, data).pk)
    if job.status != ImportJob.Status.READY:
        raise ImportRejected(job.error)
    confirm_import(job, user, decisions)
    job.refresh_from_db()
    return job


def already_imported(data: bytes) -> SourceFile | None:
    return SourceFile.objects.filter(sha256=sha256_of(data)).first()
