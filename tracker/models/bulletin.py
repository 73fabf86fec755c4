"""通报 and 年终考核: the assessment weights the administrator sets, and the monthly 通报 mail.

AssessmentSettings is one row (pk 1, edited in the admin): how a unit's year-end score is made
from its items' grades, on-time completion and overdue days (tracker/bulletin/figures.py).
BulletinMail records the monthly 通报 e-mailed to a leader: one row per leader and month, so
beat running again sends nothing twice; a failed send stays unsent and is retried.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _points():
    return [MinValueValidator(0), MaxValueValidator(100)]


class AssessmentSettings(models.Model):
    grade_weight = models.PositiveSmallIntegerField(_("等次权重"), default=50)
    on_time_weight = models.PositiveSmallIntegerField(_("按时办结权重"), default=30)
    overdue_weight = models.PositiveSmallIntegerField(_("逾期天数权重"), default=20)
    points_a = models.PositiveSmallIntegerField(_("A 等次得分"), default=100, validators=_points())
    points_b = models.PositiveSmallIntegerField(_("B 等次得分"), default=85, validators=_points())
    points_c = models.PositiveSmallIntegerField(_("C 等次得分"), default=70, validators=_points())
    points_d = models.PositiveSmallIntegerField(_("D 等次得分"), default=50, validators=_points())
    overdue_day_penalty = models.DecimalField(
        _("每逾期一天扣分"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("逾期天数得分 = 100 − 全年逾期天数合计 × 每天扣分，最低 0 分"),
    )

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")

    def __str__(self):
        return str(_("考核权重"))

    def clean(self):
        if self.grade_weight + self.on_time_weight + self.overdue_weight == 0:
            raise ValidationError(_("三项权重不能都为 0。"))

    @classmethod
    def load(cls):
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)

    def grade_points(self):
        return {"A": self.points_a, "B": self.points_b, "C": self.points_c, "D": self.points_d}


class BulletinMail(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("月份"))  # the first day of the month reported on
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("月度通报邮件")
        verbose_name_plural = _("月度通报邮件")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "month"], name="one_bulletin_per_leader_and_month"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} → {self.recipient_id}"
