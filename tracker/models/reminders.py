"""Reminder rules, reminders, notices and e-mail deliveries."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.items import Deadline, Item

# ---------------------------------------------------------------------------------------------
# Reminders (tracker/reminders/ decides what is due and sends it).
#
# Exactly once: a Reminder is keyed by (item, deadline, rule, date) under a unique constraint;
# each of its recipients gets one Notice (unique per reminder and user); a Notice is attached to
# exactly one Delivery (one e-mail to one person) by a conditional UPDATE, and a Delivery is
# sent by whoever claims it with a conditional UPDATE (as healthchecks claims its alerts).
# ---------------------------------------------------------------------------------------------


def _default_send_time():
    return datetime.time(8, 30)


def _default_quiet_time():
    return datetime.time(20, 0)


def _default_digest_time():
    return datetime.time(17, 0)


def _validate_day_list(value):
    from django.core.exceptions import ValidationError

    try:
        days = [int(part) for part in value.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_("请填写以逗号分隔的工作日数，如 7,3,1,0")) from None
    if any(day < 0 or day > 60 for day in days):
        raise ValidationError(_("工作日数应在 0 到 60 之间"))


class ReminderSettings(models.Model):
    """The reminder rules, one row (pk=1) the supervision office edits in the admin."""

    enabled = models.BooleanField(_("启用提醒"), default=True)
    send_time = models.TimeField(
        _("发送时间"),
        default=_default_send_time,
        help_text=_("工作日的这一时刻起发送当日提醒(北京时间)"),
    )
    quiet_time = models.TimeField(
        _("停止发送时间"),
        default=_default_quiet_time,
        help_text=_("此后至次日发送时间不发任何邮件"),
    )
    digest_time = models.TimeField(_("每日汇总时间"), default=_default_digest_time)
    before_days = models.CharField(
        _("到期前提醒(工作日)"),
        max_length=50,
        default="7,3,1,0",
        validators=[_validate_day_list],
        help_text=_("逗号分隔；0 表示到期当天"),
    )
    overdue_daily_days = models.PositiveSmallIntegerField(
        _("逾期后每日提醒天数"), default=3, help_text=_("逾期后前几个工作日每天提醒")
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("此后每隔工作日数提醒"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("5 个工作日即每周一次"),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("逾期多少个工作日后升级"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("升级提醒发给责任领导和督查室"),
    )
    report_day = models.PositiveSmallIntegerField(
        _("默认每月报送日"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("没有自己报送周期的事项，每月此日前报送进展"),
    )
    report_before_days = models.CharField(
        _("报送前提醒(工作日)"),
        max_length=50,
        default="5,3,1,0",
        validators=[_validate_day_list],
        help_text=_("报送日前几个工作日提醒；逾期未报的次一工作日再提醒一次"),
    )
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        _("每周汇总星期"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("1 为星期一；遇节假日顺延至本周第一个工作日"),
    )
    catch_up_days = models.PositiveSmallIntegerField(
        _("补发天数"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("系统停机后恢复时，补发此前多少天内应发未发的提醒"),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("最多发送次数"), default=5, validators=[MinValueValidator(1)]
    )
    retry_backoff_seconds = models.PositiveIntegerField(
        _("重试间隔(秒)"), default=300, help_text=_("每次失败后间隔加倍")
    )
    claim_timeout_seconds = models.PositiveIntegerField(
        _("发送超时(秒)"),
        default=600,
        help_text=_("领取发送任务的进程在此时间内未完成，视为中断，由下一次运行接手"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")

    def __str__(self):
        return str(_("提醒规则"))

    @classmethod
    def load(cls):
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    @staticmethod
    def day_list(value):
        return sorted(
            {int(p) for p in value.replace("，", ",").split(",") if p.strip()}, reverse=True
        )


class Reminder(models.Model):
    """One reminder that fell due: (item, deadline, rule, date) happens at most once."""

    class Rule(models.TextChoices):
        BEFORE = "before", _("到期前提醒")
        DUE = "due", _("到期当日提醒")
        OVERDUE = "overdue", _("逾期提醒")
        ESCALATION = "escalation", _("逾期升级")
        REPORT = "report", _("进展报送提醒")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    # None for an item's own due date without Deadline rows and for the default report cycle.
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)
    # Working days before (positive) or after (negative) the date due.
    offset = models.SmallIntegerField(_("相差工作日"), default=0)
    due_on = models.DateField(_("应完成日期"))
    date = models.DateField(_("提醒日期"), db_index=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # False until its Notices (one per recipient) exist.
    fanned_out = models.BooleanField(default=False, db_index=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-date", "item_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "deadline", "rule", "date"],
                condition=Q(deadline__isnull=False),
                name="unique_reminder_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["item", "rule", "date"],
                condition=Q(deadline__isnull=True),
                name="unique_reminder_per_item",
            ),
            # An escalation happens once per date due, whichever day first finds it late.
            models.UniqueConstraint(
                fields=["item", "deadline", "due_on"],
                condition=Q(rule="escalation", deadline__isnull=False),
                name="one_escalation_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["item", "due_on"],
                condition=Q(rule="escalation", deadline__isnull=True),
                name="one_escalation_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_rule_display()} {self.item_id}"

    @property
    def days(self):
        """Working days before or after the date due, without the sign (for the e-mails)."""
        return abs(self.offset)


class Delivery(models.Model):
    """One e-mail to one person, listing all their reminders of a run (or a digest)."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("即时提醒")
        DAILY = "daily", _("每日汇总")
        WEEKLY = "weekly", _("每周汇总")
        # Inbox messages (tracker.inbox): decisions, urging notices, 批示, 督办单.
        NOTICE = "notice", _("即时通知")
        NOTICE_DAILY = "notice_daily", _("通知汇总")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无需发送")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    period = models.DateField(_("日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # The claim: a sender sets these with a conditional UPDATE and acts only if it won.
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # Set just before the SMTP conversation. A claim taken over while this is set (the sender
    # died, or the line dropped, after sending began) may already have reached the recipient:
    # the resend carries the same Message-ID and is counted as possibly sent twice.
    sending_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    possibly_duplicate = models.BooleanField(_("可能重复发送"), default=False)
    last_error = models.TextField(_("最近错误"), blank=True)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    address = models.EmailField(_("收件地址"), blank=True)

    class Meta:
        verbose_name = _("邮件发送")
        verbose_name_plural = _("邮件发送")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Digests are one per person per day / week; immediate mails one per run.
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"],
                condition=~Q(kind__in=["immediate", "notice"]),
                name="one_digest_per_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id} {self.period}"

    @property
    def refused_permanently(self):
        """Failed on the mail server's permanent (5xx) answer, recorded as 'code reason'."""
        return (
            self.status == self.Status.FAILED
            and len(self.last_error) > 3
            and self.last_error[0] == "5"
            and self.last_error[:3].isdigit()
            and self.last_error[3] == " "
        )


class Notice(models.Model):
    """A reminder for one recipient; `delivery` is the e-mail that carries it (None: not yet)."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        verbose_name = _("提醒收件人")
        verbose_name_plural = _("提醒收件人")
        ordering = ["-reminder__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "recipient"], name="unique_notice"),
        ]
        indexes = [models.Index(fields=["recipient", "delivery"])]

    def __str__(self):
        return f"{self.reminder} → {self.recipient_id}"


class ReminderSweep(models.Model):
    """A day's sweep: started, finished (None if it died; the next tick runs it again)."""

    date = models.DateField(_("日期"), unique=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The sweep that runs the day claims it first (conditional UPDATE); a second tick skips
    # the sweep instead of racing it (a claim older than the task time limit is stale).
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("新增提醒"), default=0)
    notices = models.PositiveIntegerField(_("新增收件"), default=0)

    class Meta:
        verbose_name = _("提醒扫描")
        verbose_name_plural = _("提醒扫描")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date}"


class ReminderFault(models.Model):
    """An open date the sweep could not remind: skipped, logged, and listed for the office.

    One row per (item, deadline); the sweep that meets it again updates `last_seen`, and a
    sweep that no longer meets it (the date was repaired, the item closed) deletes it.
    """

    class Code(models.TextChoices):
        DATE_OUT_OF_RANGE = "date_out_of_range", _("日期超出合理范围")
        RULE_ERROR = "rule_error", _("计算提醒时出错")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminder_faults")
    # None: the item's own due date (an item without dated Deadline rows).
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminder_faults"
    )
    due_on = models.DateField(_("日期"), null=True, blank=True)
    recurrence = models.CharField(_("周期"), max_length=50, blank=True)
    code = models.CharField(_("问题"), max_length=30, choices=Code.choices)
    # The exception, for the administrator (a code above is what the office reads).
    error = models.TextField(_("错误"), blank=True)
    first_seen = models.DateTimeField(_("首次发现"), default=timezone.now)
    last_seen = models.DateTimeField(_("最近发现"), default=timezone.now)

    class Meta:
        verbose_name = _("无法提醒的日期")
        verbose_name_plural = _("无法提醒的日期")
        ordering = ["item_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "deadline"],
                condition=Q(deadline__isnull=False),
                name="one_fault_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(deadline__isnull=True), name="one_fault_per_item_date"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} {self.due_on} {self.code}"
