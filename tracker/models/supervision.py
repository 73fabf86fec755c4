"""督办单: a numbered notice the supervision office issues to a unit about one or more items.

Levels 提醒 / 催办 / 督办 (blue / yellow / red); a reply (反馈) is due within a number of working
days; a notice not answered in time is escalated one level (a new notice, the old one marked
escalated). `token` makes issuing idempotent: a form submitted twice offers the same token.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.items import Item
from tracker.models.units import Unit


class SupervisionNotice(models.Model):
    class Level(models.TextChoices):
        REMIND = "remind", _("提醒")
        URGE = "urge", _("催办")
        SUPERVISE = "supervise", _("督办")

    class Status(models.TextChoices):
        ISSUED = "issued", _("待反馈")
        REPLIED = "replied", _("已反馈")
        ESCALATED = "escalated", _("已升级")

    COLOURS = {"remind": "blue", "urge": "yellow", "supervise": "red"}
    NEXT_LEVEL = {"remind": "urge", "urge": "supervise"}

    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    level = models.CharField(_("等级"), max_length=20, choices=Level.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    items = models.ManyToManyField(
        Item, verbose_name=_("督办事项"), related_name="supervision_notices"
    )
    text = models.TextField(_("督办要求"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    issued_on = models.DateField(_("签发日期"))
    reply_days = models.PositiveSmallIntegerField(_("反馈时限(工作日)"))
    reply_due = models.DateField(_("反馈截止日期"), db_index=True)
    copied = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抄送"),
        blank=True,
        related_name="copied_supervision_notices",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    replied_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("升级自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalation",
    )
    token = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="one_number_per_notice"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"督〔{self.year}〕{self.seq}号"

    @property
    def colour(self):
        return self.COLOURS[self.level]


class SupervisionReply(models.Model):
    """反馈: the unit's answer to a 督办单 (text; evidence files are Evidence rows)."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("反馈时间"), default=timezone.now)
    text = models.TextField(_("反馈内容"))

    class Meta:
        verbose_name = _("督办反馈")
        verbose_name_plural = _("督办反馈")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.notice} {self.created_at:%Y-%m-%d}"
