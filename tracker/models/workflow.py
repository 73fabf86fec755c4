"""What happens to an item: progress reports, evidence, requests and comments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.lib.plausible import PlausibleDateValidator
from tracker.models.items import Item


def evidence_path(instance, filename):
    return f"evidence/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class ProgressReport(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now, db_index=True)
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("进展情况"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Sent back by the unit head with a reason: it never goes up; the author files a new one.
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_note = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="report_percent_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} {self.created_at:%Y-%m-%d} {self.percent}%"


class Evidence(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    # Evidence filed with a completion request (申请办结) rather than with a progress report.
    request = models.ForeignKey(
        "Request", on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    # Evidence filed with a reply to a 督办单 (its item: the first item the notice covers).
    reply = models.ForeignKey(
        "SupervisionReply",
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
    )
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Request(models.Model):
    """An extension (延期) or completion (申请办结) request awaiting the supervision office."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("申请延期")
        COMPLETION = "completion", _("申请办结")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已退回")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    reason = models.TextField(_("理由"))
    new_date = models.DateField(
        _("申请延期至"), null=True, blank=True, validators=[PlausibleDateValidator()]
    )
    decision = models.CharField(
        _("审核结果"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    # Two-level review of a completion request: a staff member's waits for their unit head
    # (部门负责人) first, then goes to the office; a unit without a head account skips it.
    awaits_unit = models.BooleanField(_("待部门负责人确认"), default=False)
    unit_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部门负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_confirmed_at = models.DateTimeField(_("部门负责人确认时间"), null=True, blank=True)
    # The date the office granted, when it differs from the one asked (then with a reason).
    granted_date = models.DateField(
        _("批准延期至"), null=True, blank=True, validators=[PlausibleDateValidator()]
    )

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="extension") | Q(new_date__isnull=False),
                name="extension_has_new_date",
            ),
            # One open request of each kind per item at a time.
            models.UniqueConstraint(
                fields=["item", "kind"],
                condition=Q(decision="pending"),
                name="one_pending_request_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item_id}"


class Comment(models.Model):
    """Remarks on an item: leaders' instructions (批示), urging notices (催办) and notes."""

    class Kind(models.TextChoices):
        NOTE = "note", _("备注")
        INSTRUCTION = "instruction", _("领导批示")
        URGE = "urge", _("催办")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("内容"))
    # A leader's instruction may ask for feedback by a date: it then becomes a 批示件.
    due_date = models.DateField(
        _("反馈时限"), null=True, blank=True, validators=[PlausibleDateValidator()]
    )

    class Meta:
        verbose_name = _("批示与催办")
        verbose_name_plural = _("批示与催办")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item_id}"
