"""Notification channels beside personal e-mail, configured per unit by the administrator:
the unit's mailbox, or a group robot's webhook (企业微信 / 钉钉: a JSON POST of text or markdown).

ChannelDelivery is one announcement to one channel, stored as a message code and its data
(rendered when sent), keyed so the same event reaches a channel once; it is retried with a
doubling back-off like e-mail (ReminderSettings.max_attempts / retry_backoff_seconds).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.items import Item
from tracker.models.units import Unit


class UnitChannel(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("单位邮箱")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    class Format(models.TextChoices):
        TEXT = "text", _("纯文本")
        MARKDOWN = "markdown", _("Markdown")

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("渠道"), max_length=20, choices=Kind.choices)
    address = models.CharField(
        _("地址"), max_length=500, help_text=_("单位邮箱地址，或群机器人的 Webhook 地址")
    )
    format = models.CharField(
        _("消息格式"), max_length=20, choices=Format.choices, default=Format.MARKDOWN
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["unit", "kind", "id"]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"


class ChannelDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.ForeignKey(UnitChannel, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=100)
    code = models.CharField(max_length=30)
    data = models.JSONField(default=dict, blank=True)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("渠道消息")
        verbose_name_plural = _("渠道消息")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "key"], name="one_channel_delivery_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.code} → {self.channel_id}"
