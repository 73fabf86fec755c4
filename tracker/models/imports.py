"""An uploaded file on its way from parse to preview to tracked items."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.documents import SourceFile


class ImportJob(models.Model):
    """One upload by the supervision office: parsed by a worker, previewed, then confirmed.

    The bytes stay here until the import is confirmed, so the web worker only stores the
    upload and the Celery task (tracker.tasks.parse_import) does the slow part.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("解析中")
        READY = "ready", _("待确认")
        FAILED = "failed", _("解析失败")
        CONFIRMED = "confirmed", _("已导入")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("大小(字节)"))
    data = models.BinaryField(_("文件内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    # The text the parser read; line numbers in the preview refer to it.
    text = models.TextField(_("文本"), blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)
    # The office's choices on the preview, saved as it works (tracker.imports.decisions):
    # a reload or a second person sees them; confirming applies exactly these.
    decisions = models.JSONField(_("预览中的选择"), default=dict, blank=True)
    # Optimistic concurrency: a change names the version it was made on.
    decisions_version = models.PositiveIntegerField(_("选择版本"), default=0)
    source_file = models.ForeignKey(
        SourceFile,
        verbose_name=_("来源文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"
