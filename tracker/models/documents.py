"""Where items come from: uploaded files, the documents in them, and tags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gazette.text import fold_name
from tracker.lib.plausible import PlausibleDateValidator


class SourceFile(models.Model):
    """An uploaded file as received; its documents are SourceDocuments."""

    name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("大小(字节)"))
    text = models.TextField(_("文本"))
    gazette_title = models.CharField(_("公报名称"), max_length=200, blank=True)
    gazette_issue = models.CharField(_("期号"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("来源文件")
        verbose_name_plural = _("来源文件")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.name


class SourceDocument(models.Model):
    source_file = models.ForeignKey(
        SourceFile, verbose_name=_("来源文件"), on_delete=models.PROTECT, related_name="documents"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    # 文号 folded to one bracket style and no spaces: 晋市政办[2024]12号 = 晋市政办〔2024〕12号.
    doc_number_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    title = models.CharField(_("标题"), max_length=500)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    signed_on = models.DateField(
        _("成文日期"), null=True, blank=True, validators=[PlausibleDateValidator()]
    )
    line_start = models.PositiveIntegerField(_("起始行"))
    line_end = models.PositiveIntegerField(_("结束行"))
    text = models.TextField(_("正文"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    # A revised version (same title, newer date, another 文号) names the document it replaces.
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("替代的文档"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    # Items the office left out when importing ({"ref", "text"}): a re-import proposes them
    # left out again.
    dropped = models.JSONField(_("导入时舍弃的事项"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("来源文档")
        verbose_name_plural = _("来源文档")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_number_key"],
                condition=~Q(doc_number_key=""),
                name="unique_doc_number",
            ),
            models.CheckConstraint(
                condition=Q(line_end__gte=models.F("line_start")), name="document_lines_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    def save(self, *args, **kwargs):
        self.doc_number_key = fold_name(self.doc_number)
        super().save(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self):
        return self.name
