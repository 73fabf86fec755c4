"""A user's inbox: what happened that concerns them (decisions, urging notices, 批示 …).

A message stores a code and its data, never a sentence: tracker.inbox.texts renders it in the
reader's language when it is shown or e-mailed. `delivery` is the e-mail that carries it
(reminders' Delivery, kinds notice / notice_daily), attached once by a conditional UPDATE.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.items import Item
from tracker.models.reminders import Delivery


class Message(models.Model):
    class Code(models.TextChoices):
        EXTENSION_APPROVED = "extension_approved", _("延期申请已同意")
        EXTENSION_CHANGED = "extension_changed", _("延期申请已同意（调整日期）")
        EXTENSION_REJECTED = "extension_rejected", _("延期申请被退回")
        COMPLETION_APPROVED = "completion_approved", _("已办结销号")
        COMPLETION_RETURNED = "completion_returned", _("办结申请被退回")
        REPORT_RETURNED = "report_returned", _("进展报告被退回")
        URGE = "urge", _("催办")
        INSTRUCTION = "instruction", _("领导批示")
        INSTRUCTION_ANSWERED = "instruction_answered", _("批示已反馈")
        DUBAN_ISSUED = "duban_issued", _("督办单")
        DUBAN_ESCALATED = "duban_escalated", _("督办单升级")
        DUBAN_REPLIED = "duban_replied", _("督办单反馈")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="inbox",
    )
    item = models.ForeignKey(
        Item,
        verbose_name=_("督办事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    code = models.CharField(_("类型"), max_length=30, choices=Code.choices)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # What makes it happen once: the same event posted twice (a double click, a task run
    # twice) offers the same key, and the unique constraint keeps one.
    key = models.CharField(max_length=100, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_messages",
    )

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="one_message_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "delivery"]),
        ]

    def __str__(self):
        return f"{self.code} → {self.recipient_id}"
